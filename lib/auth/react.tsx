'use client'
/**
 * The session in Client Components: `useSession()` reads the profile route (`/api/auth/session`
 * by default), which returns the user and when the session ends but never a token. Tokens stay on
 * the server; call your own route handler or server action (which uses `auth.getAccessToken()`)
 * to reach an API.
 *
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-4.3 (keep tokens out of the browser)
 */
import { useCallback, useEffect, useRef, useState } from 'react'

/** The user as the profile route returns it. */
export interface SessionUser {
  sub: string
  username: string
  [claim: string]: unknown
}

/** What {@link useSession} returns. */
export type SessionState =
  | { status: 'loading'; user: null; expiresAt: null; refresh(): Promise<void> }
  | { status: 'authenticated'; user: SessionUser; expiresAt: number; accessTokenExpiresAt: number; refresh(): Promise<void> }
  | { status: 'unauthenticated'; user: null; expiresAt: null; refresh(): Promise<void> }
  | { status: 'error'; user: null; expiresAt: null; error: string; refresh(): Promise<void> }

type Data = SessionState extends infer S ? (S extends SessionState ? Omit<S, 'refresh'> : never) : never

/**
 * The signed-in user, loaded from the profile route and reloaded when the window regains focus.
 *
 * @param options - `path`: the profile route, if the app moved it.
 * @returns The session state and `refresh()`.
 * @example
 * ```tsx
 * 'use client'
 * import { useSession } from '@/lib/auth/react'
 * export function Greeting() {
 *   const session = useSession()
 *   return session.status === 'authenticated' ? <p>Hi {session.user.username}</p> : null
 * }
 * ```
 */
export function useSession(options: { path?: string } = {}): SessionState {
  const path = options.path ?? '/api/auth/session'
  const [data, setData] = useState<Data>({ status: 'loading', user: null, expiresAt: null })
  const active = useRef(true)

  const refresh = useCallback(async () => {
    try {
      const response = await fetch(path, { cache: 'no-store', credentials: 'same-origin', headers: { accept: 'application/json' } })
      const body = (await response.json().catch(() => ({}))) as { user?: SessionUser; expiresAt?: number; accessTokenExpiresAt?: number; error?: string }
      if (!active.current) return
      if (response.status === 401) setData({ status: 'unauthenticated', user: null, expiresAt: null })
      else if (response.ok && body.user) setData({ status: 'authenticated', user: body.user, expiresAt: body.expiresAt ?? 0, accessTokenExpiresAt: body.accessTokenExpiresAt ?? 0 })
      else setData({ status: 'error', user: null, expiresAt: null, error: body.error ?? `HTTP ${response.status}` })
    } catch (error) {
      if (active.current) setData({ status: 'error', user: null, expiresAt: null, error: (error as Error).message })
    }
  }, [path])

  useEffect(() => {
    active.current = true
    void refresh()
    const onFocus = () => void refresh()
    window.addEventListener('focus', onFocus)
    return () => {
      active.current = false
      window.removeEventListener('focus', onFocus)
    }
  }, [refresh])

  return { ...data, refresh } as SessionState
}
