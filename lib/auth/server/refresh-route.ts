/**
 * `GET /login/refresh?returnTo=`: the Node side of token refresh for the edge guard, which cannot
 * call an IS behind a private CA. The guard sends a document here when its access token is due;
 * this refreshes (single flight, across instances), writes the cookie and goes straight back.
 *
 * It only refreshes what is due, and only for the app's own navigations: a token that is not due
 * goes straight back without calling the IS, and a navigation from another site is not refreshed
 * (so no page elsewhere can make the app spend its client credentials). Whatever it decides, it
 * records a short hold in the activity cookie, so guard and route can never bounce a browser back
 * and forth (two instances with different clocks, an IS that answers `expires_in: 0`).
 *
 * Node only.
 */
import 'server-only'
import { parseCookies } from '../cookies'
import { toAuthError } from '../errors'
import type { AuthOptions } from '../options'
import { safeReturnTo } from '../redirect'
import { authRoutePaths, fetchSite } from '../requests'
import { toSession } from '../session'
import { activityCookie, clearSessionCookies, readCookieSession, sessionCookies, type CookieSession } from '../session-cookies'
import { RETRY_AFTER, refreshIfDue } from './refresh'
import { errorResponse, loadRuntime, logFailure, redirect, runHook, type ConfigSource, type Runtime } from './respond'
import { readServerSession } from './token-store'

/** How long the guard leaves a session alone after the route found nothing to do (seconds). */
export const NOTHING_DUE_HOLD = 30

async function hold(rt: Runtime, cookie: CookieSession, seconds: number): Promise<string> {
  const now = Date.now()
  return (await activityCookie({ v: 1, id: cookie.record.id, seen: now, holdUntil: now + seconds * 1000 }, rt.config.session)).setCookie
}

function signIn(rt: Runtime, returnTo: string, reason?: string): string {
  const url = new URL(rt.config.routes.signIn ?? rt.config.routes.login, rt.config.appOrigin)
  if (returnTo !== '/') url.searchParams.set('returnTo', returnTo)
  if (reason && rt.config.routes.signIn) url.searchParams.set('reason', reason)
  return url.href
}

async function refreshRoute(rt: Runtime, request: Request): Promise<Response> {
  const query = new URL(request.url).searchParams
  const returnTo = safeReturnTo(query.get('returnTo'), rt.config.appOrigin, authRoutePaths(rt.config))
  const back = new URL(returnTo, rt.config.appOrigin).href
  const cookies = parseCookies(request.headers.get('cookie'))
  const cookie = await readCookieSession(cookies, rt.config.session)
  if (!cookie) return redirect(signIn(rt, returnTo), clearSessionCookies(rt.config.session))
  // Revoked or lost: cleared whoever sent the browser here (pages send such sessions here too).
  const server = await readServerSession(rt.ctx, cookie.record)
  if (server.revoked || !server.current) return redirect(signIn(rt, returnTo), clearSessionCookies(rt.config.session))
  const site = fetchSite(request)
  if (site === 'cross-site' || site === 'same-site') return redirect(back, [await hold(rt, cookie, NOTHING_DUE_HOLD)])
  const outcome = await refreshIfDue(rt.ctx, cookie.record, server.current)
  if (outcome.kind === 'ended') {
    logFailure('refresh', outcome.error)
    return redirect(signIn(rt, returnTo, 'session_ended'), clearSessionCookies(rt.config.session))
  }
  const current = outcome.current
  const setCookies: string[] = []
  const record = cookie.record
  if (record.tokens && current.tokens.issuedAt > record.tokens.issuedAt) {
    setCookies.push(...(await sessionCookies({ ...record, tokens: current.tokens, writtenAt: Date.now() }, rt.config.session)).setCookies)
  }
  if (outcome.kind === 'refreshed') {
    await runHook(rt.options, 'onRefresh', { session: toSession(record, current.tokens, current.extras) })
    setCookies.push((await activityCookie({ v: 1, id: record.id, seen: Date.now() }, rt.config.session)).setCookie)
  } else {
    if (outcome.kind === 'kept') console.warn(`[auth] refresh deferred reason=${outcome.reason}`)
    setCookies.push(await hold(rt, cookie, outcome.kind === 'kept' ? RETRY_AFTER : NOTHING_DUE_HOLD))
  }
  return redirect(back, setCookies)
}

/**
 * The `/login/refresh` route handler.
 *
 * @param request - The request.
 * @param options - The app's options.
 * @param config - Resolves the configuration.
 * @returns The response.
 */
export async function handleRefresh(request: Request, options: AuthOptions, config: ConfigSource): Promise<Response> {
  const rt = loadRuntime(options, config)
  if (rt instanceof Response) return rt
  try {
    return await refreshRoute(rt, request)
  } catch (error) {
    // The stores or the IS are down: a coded, retryable page; the cookies are left alone.
    const url = new URL(request.url)
    return errorResponse(rt, request, toAuthError(error), 'refresh', `${url.pathname}${url.search}`)
  }
}
