/**
 * The session in Server Components, route handlers and server actions: `getSession()`,
 * `requireSession()`, `getAccessToken()` and `apiFetch()`. They read the raw Cookie header with
 * lib/auth's own parser (the same one the guard uses), check revocation, and refresh the access
 * token when it is due. Where cookies can be written (route handlers, server actions) a refreshed
 * session is written back; where they cannot (Server Components) the result is already kept
 * server-side and a later response writes it.
 *
 * Pages call these themselves rather than trusting that the guard ran: a matcher gap or a
 * middleware bypass then still shows nothing.
 *
 * Node only.
 *
 * @see https://nextjs.org/docs/app/guides/authentication#creating-a-data-access-layer-dal
 */
import 'server-only'
import { cookies, headers } from 'next/headers'
import { redirect } from 'next/navigation'
import { AuthError, isAuthError } from '../errors'
import { signInLocation } from '../guard'
import { loginQuery, validateLoginParams, type LoginParams } from '../login-params'
import { authRoutePaths } from '../requests'
import { safeReturnTo } from '../redirect'
import { nowSeconds, type Session } from '../session'
import { parseCookies } from '../cookies'
import { resolveSession, type Missing } from './resolve'
import { logFailure, type Runtime } from './respond'

type Loaded = { session: Session } | { missing: Missing | 'unavailable'; error?: AuthError }

/** Writes our Set-Cookie values through Next's cookie store; a no-op where cookies are read-only. */
async function writeCookies(setCookies: string[]): Promise<void> {
  try {
    const jar = await cookies()
    for (const header of setCookies) {
      const [pair, ...attributes] = header.split('; ')
      const i = pair.indexOf('=')
      const maxAge = Number(attributes.find((a) => a.startsWith('Max-Age='))?.slice(8) ?? NaN)
      jar.set(pair.slice(0, i), pair.slice(i + 1), {
        path: '/',
        httpOnly: true,
        secure: attributes.includes('Secure'),
        sameSite: 'lax',
        ...(Number.isFinite(maxAge) ? { maxAge } : {}),
      })
    }
  } catch {
    // A Server Component: the refreshed tokens are in the server-side overlay already.
  }
}

async function load(rt: Runtime, refresh: boolean): Promise<Loaded> {
  const header = (await headers()).get('cookie')
  try {
    const resolved = await resolveSession(rt, parseCookies(header), { refresh })
    if (!resolved.ok) return { missing: resolved.missing, error: resolved.error }
    if (resolved.write) await writeCookies(resolved.write.setCookies)
    return { session: resolved.session }
  } catch (error) {
    if (!isAuthError(error)) throw error
    logFailure('session read', error)
    return { missing: 'unavailable', error }
  }
}

/**
 * The current session, or null (anonymous, revoked, ended, or the stores unreachable).
 *
 * @param rt - The runtime.
 * @param options - `refresh: false` skips refreshing a due access token.
 * @returns The session or null.
 */
export async function getSession(rt: Runtime, options: { refresh?: boolean } = {}): Promise<Session | null> {
  const loaded = await load(rt, options.refresh !== false)
  return 'session' in loaded ? loaded.session : null
}

/** Where the current request was going: the guard forwards it; `/` without one. */
async function currentPath(rt: Runtime, explicit: string | undefined): Promise<string> {
  const value = explicit ?? (await headers()).get('x-auth-pathname') ?? '/'
  return safeReturnTo(value, rt.config.appOrigin, authRoutePaths(rt.config))
}

/** Options of `requireSession()`. */
export interface RequireOptions {
  /** Where to come back after signing in; default the current page (forwarded by the guard). */
  returnTo?: string
  /** Step-up: the user must have authenticated at most this many seconds ago (OIDC `max_age`). */
  maxAge?: number
  /** Step-up: the session's `acr` must be one of these (OIDC `acr_values`). */
  acr?: string | string[]
}

/**
 * The current session; without one, a redirect to sign-in (or through the refresh route, which
 * clears a revoked or ended session and shows a coded page while the stores are down). With
 * `maxAge` or `acr`, a session that is too old or too weak starts a new login that asks the IS for
 * them, and comes back.
 *
 * @see https://openid.net/specs/openid-connect-core-1_0.html#AuthRequest (max_age, acr_values)
 */
export async function requireSession(rt: Runtime, options: RequireOptions = {}): Promise<Session> {
  const returnTo = await currentPath(rt, options.returnTo)
  const loaded = await load(rt, true)
  if (!('session' in loaded)) {
    if (loaded.missing === 'none') redirect(signInLocation(rt.config, returnTo).pathname + signInLocation(rt.config, returnTo).search)
    redirect(`${rt.config.routes.refresh}?returnTo=${encodeURIComponent(returnTo)}`)
  }
  const session = loaded.session
  const acr = typeof options.acr === 'string' ? options.acr.split(' ') : options.acr
  const tooOld = options.maxAge !== undefined && (session.authTime === undefined || nowSeconds() - session.authTime > options.maxAge)
  const tooWeak = acr !== undefined && acr.length > 0 && (session.acr === undefined || !acr.includes(session.acr))
  if (tooOld || tooWeak) {
    redirect(signInPath(rt, { returnTo, ...(tooOld ? { maxAge: options.maxAge } : {}), ...(acr?.length ? { acrValues: acr.join(' ') } : {}) }))
  }
  return session
}

/**
 * The login URL (a path) for these parameters.
 *
 * @throws {AuthError} `login_param_invalid`.
 */
export function signInPath(rt: Pick<Runtime, 'config'>, params: LoginParams & { returnTo?: string } = {}): string {
  const { returnTo, ...rest } = params
  const query = new URLSearchParams(loginQuery(validateLoginParams(rest)))
  const safe = safeReturnTo(returnTo, rt.config.appOrigin, authRoutePaths(rt.config))
  if (safe !== '/') query.set('returnTo', safe)
  const search = query.toString()
  return search ? `${rt.config.routes.login}?${search}` : rt.config.routes.login
}

/**
 * A valid access token, refreshed when due.
 *
 * @throws {AuthError} `login_required` without a session, `session_expired` when it was revoked or
 * the refresh was refused, `idp_unreachable` when the token expired and the IS cannot be reached,
 * `store_unavailable` when the stores are down.
 */
export async function getAccessToken(rt: Runtime): Promise<string> {
  const loaded = await load(rt, true)
  if (!('session' in loaded)) {
    if (loaded.missing === 'none') throw new AuthError('login_required', 'no session')
    if (loaded.missing === 'unavailable') throw loaded.error ?? new AuthError('store_unavailable')
    throw new AuthError('session_expired', `session ${loaded.missing}`, { cause: loaded.error })
  }
  if (loaded.session.expiresAt <= nowSeconds()) throw new AuthError('idp_unreachable', 'the access token expired and could not be refreshed yet')
  return loaded.session.accessToken
}

/**
 * `fetch` with the access token as a Bearer token. Calls to the IS's own origin (SCIM, account
 * APIs) go through the fetch that trusts the IS certificate and has the timeout.
 *
 * @throws {AuthError} like {@link getAccessToken}, and network codes for calls to the IS.
 */
export async function apiFetch(rt: Runtime, input: string | URL, init: RequestInit = {}): Promise<Response> {
  const url = new URL(input, rt.config.serverOrigin)
  const token = await getAccessToken(rt)
  const requestHeaders = new Headers(init.headers)
  requestHeaders.set('authorization', `Bearer ${token}`)
  if (!requestHeaders.has('accept')) requestHeaders.set('accept', 'application/json')
  if (url.origin === rt.config.serverOrigin) return rt.ctx.fetch(url.href, { ...init, headers: requestHeaders })
  return fetch(url, { ...init, headers: requestHeaders })
}
