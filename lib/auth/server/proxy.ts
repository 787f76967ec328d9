/**
 * The guard as Next 16's `proxy.ts`, which always runs on Node: the same decisions as the edge
 * guard, plus what only Node can do before the page renders. It checks revocation (a logged-out or
 * back-channel-ended session never reaches a page), and refreshes a due access token inline for
 * every kind of request (documents, RSC, fetch, server actions), with no detour through the
 * refresh route. The refreshed cookie goes to the browser and to this request's handler.
 *
 * Node only.
 *
 * @see https://nextjs.org/docs/app/api-reference/file-conventions/proxy
 */
import 'server-only'
import { parseCookies } from '../cookies'
import { toAuthError } from '../errors'
import { rejection, signInLocation } from '../guard'
import { passOn } from '../next-middleware'
import type { AuthOptions } from '../options'
import { safeReturnTo } from '../redirect'
import { authRoutePaths, isDocumentRequest, isPublicPath } from '../requests'
import { activityCookie, chunkChanges, clearSessionCookies, forwardedCookieHeader, hasSessionCookies, touchInterval } from '../session-cookies'
import { resolveSession, type Resolved } from './resolve'
import { errorResponse, loadRuntime, type ConfigSource, type Runtime } from './respond'

function anonymous(rt: Runtime, request: Request, cookies: Map<string, string>, resolved: Extract<Resolved, { ok: false }>): Response {
  const setCookies = hasSessionCookies(cookies, rt.config.session) ? clearSessionCookies(rt.config.session) : []
  if (!isDocumentRequest(request)) return rejection({ kind: 'unauthorized', setCookies }, rt.config)
  const url = new URL(request.url)
  const location = signInLocation(rt.config, safeReturnTo(`${url.pathname}${url.search}`, rt.config.appOrigin, authRoutePaths(rt.config)))
  if (resolved.missing === 'ended' && rt.config.routes.signIn) location.searchParams.set('reason', 'session_ended')
  return rejection({ kind: 'redirect', location: location.href, setCookies }, rt.config)
}

async function guard(rt: Runtime, request: Request): Promise<Response> {
  const url = new URL(request.url)
  if (request.method === 'OPTIONS' || isPublicPath(url.pathname, rt.config)) return passOn(request, { kind: 'pass', setCookies: [] })
  const cookies = parseCookies(request.headers.get('cookie'))
  let resolved: Resolved
  try {
    resolved = await resolveSession(rt, cookies, { refresh: true })
  } catch (error) {
    const authError = toAuthError(error, 'store_unavailable')
    if (!isDocumentRequest(request)) {
      return new Response(JSON.stringify({ error: authError.code }), { status: authError.status, headers: { 'content-type': 'application/json', 'cache-control': 'no-store' } })
    }
    return errorResponse(rt, request, authError, 'proxy', `${url.pathname}${url.search}`)
  }
  if (!resolved.ok) return anonymous(rt, request, cookies, resolved)

  const setCookies: string[] = []
  const changes = new Map<string, string | null>()
  if (resolved.write) {
    setCookies.push(...resolved.write.setCookies)
    for (const [name, value] of chunkChanges(rt.config.session, resolved.write.chunks)) changes.set(name, value)
  }
  const now = Date.now()
  if (now - resolved.cookie.lastSeen >= touchInterval(rt.config.session) * 1000) {
    const touched = await activityCookie({ v: 1, id: resolved.cookie.record.id, seen: now }, rt.config.session)
    setCookies.push(touched.setCookie)
    changes.set(rt.config.session.activityCookieName, touched.value)
  }
  const cookieHeader = changes.size ? forwardedCookieHeader(cookies, changes) : undefined
  return passOn(request, { kind: 'pass', setCookies, session: resolved.cookie }, cookieHeader)
}

/**
 * The proxy handler.
 *
 * @param request - The request.
 * @param options - The app's options.
 * @param config - Resolves the configuration.
 * @returns The response.
 */
export async function proxyGuard(request: Request, options: AuthOptions, config: ConfigSource): Promise<Response> {
  const rt = loadRuntime(options, config)
  if (rt instanceof Response) return rt
  return guard(rt, request)
}
