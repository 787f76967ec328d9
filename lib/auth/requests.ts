/**
 * What kind of request this is: an auth route or a public path (never guarded, so no redirect loop
 * can be configured), a top-level document navigation (which may be redirected) or anything else
 * (RSC, fetch, prefetch, server actions: a redirect to the IS would be followed cross-origin and
 * fail, so those get 401), and where it came from (Fetch Metadata).
 *
 * Edge-safe.
 *
 * @see https://www.w3.org/TR/fetch-metadata/
 */
import type { AuthConfig } from './config'

/** The auth route paths (login, refresh, logout, back-channel logout, session profile). */
export function authRoutePaths(config: Pick<AuthConfig, 'routes'>): string[] {
  const r = config.routes
  return [r.login, r.refresh, r.logout, r.backchannelLogout, r.session]
}

function under(pathname: string, base: string): boolean {
  return pathname === base || pathname.startsWith(`${base}/`)
}

/**
 * Whether the guard lets `pathname` through without a session: the auth routes, the sign-in
 * page and the configured public paths (exact, or prefix with a trailing `/*`).
 *
 * @param pathname - The request path.
 * @param config - Routes and public paths.
 * @returns Whether the path is public.
 * @example
 * ```ts
 * isPublicPath('/login/refresh', config) // true
 * ```
 */
export function isPublicPath(pathname: string, config: Pick<AuthConfig, 'routes' | 'publicPaths'>): boolean {
  if (authRoutePaths(config).some((route) => under(pathname, route))) return true
  if (config.routes.signIn && under(pathname, config.routes.signIn)) return true
  return config.publicPaths.some((p) => (p === '/*' ? true : p.endsWith('/*') ? under(pathname, p.slice(0, -2)) : pathname === p))
}

/**
 * A top-level navigation the user can be redirected on. RSC fetches, prefetches and server
 * actions carry their own headers; `Sec-Fetch-Dest` tells documents apart in every current browser.
 *
 * @param request - The request.
 * @returns Whether it is a document navigation.
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

/** `Sec-Fetch-Site`, or null when the browser sent no Fetch Metadata. */
export type FetchSite = 'same-origin' | 'same-site' | 'cross-site' | 'none' | null

/** The request's `Sec-Fetch-Site`. */
export function fetchSite(request: Request): FetchSite {
  const site = request.headers.get('sec-fetch-site')
  return site === 'same-origin' || site === 'same-site' || site === 'cross-site' || site === 'none' ? site : null
}

/** Whether the request was started by the app itself or typed by the user (not by another site). */
export function isOwnNavigation(request: Request): boolean {
  const site = fetchSite(request)
  return site === 'same-origin' || site === 'none'
}

/** Request headers lib/auth sets for the app's handlers; stripped from incoming requests. */
export const INTERNAL_HEADERS = ['x-auth-pathname'] as const
