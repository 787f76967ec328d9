/**
 * The guard's decision for one request, for `middleware.ts` (edge) and as the first half of the
 * Node proxy: an optimistic check that a valid session cookie is present. It only unseals cookies;
 * it makes no call to the IS and reads no store (pages and route handlers check revocation).
 *
 * - No session: documents go to the sign-in page (or the login route), everything else gets 401.
 * - Any unseal failure means "no session", never a 500.
 * - Auth routes, the sign-in page, public paths and OPTIONS (CORS preflight) pass untouched.
 * - With tokens in the cookie, a document whose access token is due takes a detour through the
 *   refresh route (the edge runtime cannot trust the IS's private CA), unless that navigation
 *   came from another site (the refresh route would not refresh it, and the page refreshes inline).
 *
 * Edge-safe: Web APIs only.
 *
 * @see https://nextjs.org/docs/app/guides/authentication#optimistic-checks-with-proxy-optional
 */
import type { AuthConfig } from './config'
import { parseCookies } from './cookies'
import { errorPageHtml, htmlResponse, NO_STORE, type PageContext } from './html'
import { authRoutePaths, fetchSite, isDocumentRequest, isPublicPath } from './requests'
import { safeReturnTo } from './redirect'
import { needsRefresh } from './session'
import { activityCookie, clearSessionCookies, forwardedCookieHeader, hasSessionCookies, readCookieSession, touchInterval, type CookieSession } from './session-cookies'

/** What the guard decided. */
export type GuardDecision =
  | {
      kind: 'pass'
      /** Set-Cookie headers for the response (a touched idle timer). */
      setCookies: string[]
      /** The Cookie header the handler must see, when cookies changed. */
      cookieHeader?: string
      session?: CookieSession
    }
  | { kind: 'redirect'; location: string; setCookies: string[] }
  | { kind: 'unauthorized'; setCookies: string[] }

/** Where an anonymous document request goes. */
export function signInLocation(config: AuthConfig, returnTo: string): URL {
  const location = new URL(config.routes.signIn ?? config.routes.login, config.appOrigin)
  if (returnTo !== '/') location.searchParams.set('returnTo', returnTo)
  return location
}

/** The page context of the built-in pages. */
export function pageContext(config: AuthConfig): PageContext {
  return { appName: config.appName, signInHref: config.routes.signIn ?? config.routes.login }
}

function requestPath(request: Request, config: AuthConfig): string {
  const url = new URL(request.url)
  return safeReturnTo(`${url.pathname}${url.search}`, config.appOrigin, authRoutePaths(config))
}

/**
 * Decides what happens to a request. Pure apart from sealing; testable with plain Requests.
 *
 * @param request - The incoming request.
 * @param config - The validated configuration.
 * @param now - Milliseconds.
 * @returns The decision.
 * @example
 * ```ts
 * const decision = await evaluateGuard(request, config)
 * if (decision.kind !== 'pass') return rejection(decision)
 * ```
 */
export async function evaluateGuard(request: Request, config: AuthConfig, now = Date.now()): Promise<GuardDecision> {
  const url = new URL(request.url)
  if (request.method === 'OPTIONS' || isPublicPath(url.pathname, config)) return { kind: 'pass', setCookies: [] }

  const cookies = parseCookies(request.headers.get('cookie'))
  const current = await readCookieSession(cookies, config.session, now)
  if (!current) {
    const setCookies = hasSessionCookies(cookies, config.session) ? clearSessionCookies(config.session) : []
    if (!isDocumentRequest(request)) return { kind: 'unauthorized', setCookies }
    return { kind: 'redirect', location: signInLocation(config, requestPath(request, config)).href, setCookies }
  }

  const { record, activity } = current
  const held = activity?.holdUntil !== undefined && activity.holdUntil > now
  const site = fetchSite(request)
  if (record.tokens && !held && needsRefresh(record.tokens, config.session, Math.floor(now / 1000)) && isDocumentRequest(request) && site !== 'cross-site' && site !== 'same-site') {
    const location = new URL(config.routes.refresh, config.appOrigin)
    location.searchParams.set('returnTo', requestPath(request, config))
    return { kind: 'redirect', location: location.href, setCookies: [] }
  }

  if (now - current.lastSeen < touchInterval(config.session) * 1000) return { kind: 'pass', setCookies: [], session: current }
  const touched = { v: 1 as const, id: record.id, seen: now, ...(held ? { holdUntil: activity!.holdUntil } : {}) }
  try {
    const { setCookie, value } = await activityCookie(touched, config.session)
    const cookieHeader = forwardedCookieHeader(cookies, new Map([[config.session.activityCookieName, value]]))
    return { kind: 'pass', setCookies: [setCookie], cookieHeader, session: { ...current, activity: touched, lastSeen: now } }
  } catch {
    return { kind: 'pass', setCookies: [], session: current }
  }
}

/**
 * The response that stops an unauthenticated request: a redirect to sign-in, or 401 JSON.
 *
 * @param decision - A redirect or unauthorized decision.
 * @param config - For the sign-in path.
 * @returns The response.
 */
export function rejection(decision: Exclude<GuardDecision, { kind: 'pass' }>, config: AuthConfig): Response {
  const headers = new Headers({ 'cache-control': NO_STORE, vary: 'Cookie' })
  for (const cookie of decision.setCookies) headers.append('set-cookie', cookie)
  if (decision.kind === 'redirect') {
    headers.set('location', decision.location)
    return new Response(null, { status: 307, headers })
  }
  headers.set('content-type', 'application/json')
  return new Response(JSON.stringify({ error: 'unauthenticated', signin: config.routes.signIn ?? config.routes.login }), { status: 401, headers })
}

/**
 * The guard's answer when the configuration is invalid: the coded `config_invalid` page (503) for
 * documents, JSON otherwise. The log names the setting; the page does not.
 *
 * @param request - The request.
 * @param error - The configuration error.
 * @param appName - For the page.
 * @returns The response.
 */
const logged = new Set<string>()

export function misconfigured(request: Request, error: unknown, appName = 'app'): Response {
  const message = (error as Error)?.message ?? 'invalid configuration'
  // Once per distinct problem, not once per request.
  if (!logged.has(message) && logged.size < 100) {
    logged.add(message)
    console.error(`[auth] ${message}`)
  }
  if (!isDocumentRequest(request)) {
    return new Response(JSON.stringify({ error: 'config_invalid' }), { status: 503, headers: { 'content-type': 'application/json', 'cache-control': NO_STORE } })
  }
  return htmlResponse(errorPageHtml({ appName, signInHref: '/' }, 'config_invalid', '/'), 503)
}
