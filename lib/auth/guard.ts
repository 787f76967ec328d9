/**
 * The edge guard for middleware.ts (or proxy.ts): an optimistic check that a valid session cookie
 * is present. It only unseals the cookie — it makes no call to the IS — and imports Web APIs only.
 *
 * - No session (missing, forged, expired, idle): documents go to /signin?returnTo=..., everything
 *   else (fetch, RSC, prefetch, server actions) gets 401 JSON rather than a redirect the browser
 *   would follow cross-origin (anchors 4.9).
 * - Any unseal failure means "no session", never a 500 (rp-security SC-05).
 * - /login, /logout, /signin and static assets pass; so does OPTIONS (CORS preflight).
 * - Pages check the session again themselves (server components call getSession()), so a
 *   middleware gap never leaks data (rp-security RC-07).
 */
import type { SessionConfig } from './config'
import { parseCookies } from './cookies'
import { safeReturnTo } from './redirect'
import {
  chunkNames,
  clearSessionCookieHeaders,
  existingSessionCookieNames,
  needsRefresh,
  nowSeconds,
  readSession,
  sealSession,
  sessionCookieHeaders,
  CHUNK_SIZE,
  type SessionData,
} from './session'

/** lastSeen is re-sealed at most once a minute (sooner for short idle timeouts): cheap per request, precise enough. */
export const TOUCH_INTERVAL = 60

export function touchInterval(config: SessionConfig): number {
  return Math.max(1, Math.min(TOUCH_INTERVAL, Math.floor(config.idleTimeout / 4)))
}

export const PUBLIC_PATHS = ['/signin', '/login', '/logout']

/** Paths that never need a session. Anything else under the matcher is guarded. */
export function isPublicPath(pathname: string): boolean {
  return PUBLIC_PATHS.some((p) => pathname === p || pathname.startsWith(`${p}/`))
}

/**
 * A top-level navigation the user can be redirected on. RSC fetches, prefetches and server
 * actions carry their own headers; Sec-Fetch-Dest tells documents apart in every current browser.
 */
export function isDocumentRequest(request: Request): boolean {
  const h = request.headers
  if (request.method !== 'GET' && request.method !== 'HEAD') return false
  if (h.has('rsc') || h.has('next-router-prefetch') || h.has('next-action') || h.get('purpose') === 'prefetch') return false
  const dest = h.get('sec-fetch-dest')
  if (dest) return dest === 'document'
  const mode = h.get('sec-fetch-mode')
  if (mode) return mode === 'navigate'
  return (h.get('accept') ?? '').includes('text/html')
}

export type GuardResult =
  | {
      kind: 'pass'
      session?: SessionData
      /** When the session was re-sealed (idle timer), the Set-Cookie headers and the new Cookie header for this request. */
      touched?: { setCookies: string[]; cookieHeader: string }
    }
  | { kind: 'redirect'; location: string; clearCookies: string[] }
  | { kind: 'unauthorized'; clearCookies: string[] }

/** The decision, separate from Next.js so it can be tested with plain Requests. */
export async function evaluateGuard(request: Request, config: SessionConfig): Promise<GuardResult> {
  const appOrigin = config.appOrigin
  const url = new URL(request.url)
  if (request.method === 'OPTIONS' || isPublicPath(url.pathname)) return { kind: 'pass' }

  const cookies = parseCookies(request.headers.get('cookie'))
  const session = await readSession(cookies, config)
  if (session) {
    // The edge runtime cannot call the IS with its private CA, so a document whose access token is
    // due for refresh takes a detour through the Node route /login/refresh, which comes straight
    // back. Other requests keep the current session: its token is still valid or being renewed.
    if (needsRefresh(session, config) && isDocumentRequest(request)) {
      const returnTo = safeReturnTo(`${url.pathname}${url.search}`, appOrigin)
      const location = new URL('/login/refresh', appOrigin)
      location.searchParams.set('returnTo', returnTo)
      return { kind: 'redirect', location: location.href, clearCookies: [] }
    }
    const now = nowSeconds()
    if (now - session.lastSeen < touchInterval(config)) return { kind: 'pass', session }
    const touchedSession = { ...session, lastSeen: now }
    try {
      const touched = await touch(touchedSession, cookies, config)
      return { kind: 'pass', session: touchedSession, touched }
    } catch {
      return { kind: 'pass', session }
    }
  }

  const existing = existingSessionCookieNames(cookies, config.cookieName)
  const clearCookies = existing.length ? clearSessionCookieHeaders(existing, config) : []
  if (!isDocumentRequest(request)) return { kind: 'unauthorized', clearCookies }
  const returnTo = safeReturnTo(`${url.pathname}${url.search}`, appOrigin)
  const location = new URL('/signin', appOrigin)
  if (returnTo !== '/') location.searchParams.set('returnTo', returnTo)
  return { kind: 'redirect', location: location.href, clearCookies }
}

/**
 * Re-seals a session and returns both the Set-Cookie headers and the Cookie header the rest of this
 * request must see, so Server Components read the same session the browser will hold
 * (vercel/next.js#49442; anchors 4.3).
 */
export async function touch(session: SessionData, cookies: Map<string, string>, config: SessionConfig) {
  const seal = await sealSession(session, config)
  const existing = existingSessionCookieNames(cookies, config.cookieName)
  const setCookies = sessionCookieHeaders(seal, existing, config)
  const names = chunkNames(config.cookieName, Math.ceil(seal.length / CHUNK_SIZE))
  const forwarded = new Map([...cookies].filter(([name]) => !existing.includes(name)))
  names.forEach((name, i) => forwarded.set(name, seal.slice(i * CHUNK_SIZE, (i + 1) * CHUNK_SIZE)))
  const cookieHeader = [...forwarded].map(([name, value]) => `${name}=${value}`).join('; ')
  return { setCookies, cookieHeader }
}

/** Headers every guarded response carries: nothing behind the guard may be cached (ASVS 8.2.1). */
export const NO_STORE = 'private, no-store, max-age=0'

/** The response that stops an unauthenticated request: a redirect to /signin or a 401. */
export function rejectResponse(result: Exclude<GuardResult, { kind: 'pass' }>): Response {
  const headers = new Headers({ 'cache-control': NO_STORE, vary: 'Cookie' })
  for (const cookie of result.clearCookies) headers.append('set-cookie', cookie)
  if (result.kind === 'redirect') {
    headers.set('location', result.location)
    return new Response(null, { status: 307, headers })
  }
  headers.set('content-type', 'application/json')
  return new Response(JSON.stringify({ error: 'unauthenticated', signin: '/signin' }), { status: 401, headers })
}

/** The guard fails closed when it cannot read its configuration: a plain 500, no page content. */
export function misconfiguredResponse(error: unknown): Response {
  console.error('[auth] guard:', (error as Error).message)
  return new Response('Authentication is not configured on this server.', {
    status: 500,
    headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': NO_STORE },
  })
}
