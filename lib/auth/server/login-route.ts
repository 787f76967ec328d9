/**
 * `GET /login`: without `code`, `error` or `state` it starts a login; with them it is the OIDC
 * callback (the registered redirect_uri), as in the WSO2 Python SDK's `sign_in()`. Thin glue over
 * {@link startLogin} and {@link completeLogin}.
 *
 * Every URL is built from the configured app origin; the request's Host and X-Forwarded-* headers
 * are never used (RFC 9700 4.13).
 *
 * Node only.
 *
 * @see https://openid.net/specs/openid-connect-core-1_0.html#AuthResponseValidation
 */
import 'server-only'
import { deleteCookie, parseCookies } from '../cookies'
import { AuthError, toAuthError } from '../errors'
import { securityHeaders } from '../html'
import { forcesLogin, loginParamsFromQuery, type LoginParams } from '../login-params'
import type { AuthOptions } from '../options'
import { safeReturnTo } from '../redirect'
import { authRoutePaths, isDocumentRequest } from '../requests'
import { toSession, type SessionRecord } from '../session'
import { readCookieSession, sessionCookies } from '../session-cookies'
import { chooseSlot, readTransaction, staleTransactionCookies, transactionCookie, transactionCookieName, transactionCookieNames, type Transaction } from '../transaction'
import { completeLogin, startLogin, type LoginResult } from './login'
import { revokeRefreshToken } from './logout'
import { resolveSession } from './resolve'
import { errorResponse, loadRuntime, redirect, retryHref, runHook, type ConfigSource, type Runtime } from './respond'
import { revokeAppSession } from './revocation'
import { deleteTokens, saveTokens } from './token-store'

function isCallback(query: URLSearchParams): boolean {
  return query.has('code') || query.has('error') || query.has('state') || query.has('iss')
}

/** The callback URL as the IS sent it, rebuilt on the app's origin so Host headers cannot steer it. */
function callbackUrl(request: Request, rt: Runtime): URL {
  const url = new URL(rt.config.loginCallbackUrl)
  url.search = new URL(request.url).search
  return url
}

async function hasActiveSession(rt: Runtime, cookies: Map<string, string>): Promise<boolean> {
  try {
    return (await resolveSession(rt, cookies, { refresh: false })).ok
  } catch {
    return false
  }
}

async function start(rt: Runtime, request: Request, cookies: Map<string, string>): Promise<Response> {
  const query = new URL(request.url).searchParams
  const returnTo = safeReturnTo(query.get('returnTo'), rt.config.appOrigin, authRoutePaths(rt.config))
  // A prefetch or RSC request must not mint a transaction cookie (piles of them end in HTTP 431).
  if (!isDocumentRequest(request)) return new Response(null, { status: 204, headers: securityHeaders() })
  const stale = staleTransactionCookies(cookies, rt.config.session)
  let params: LoginParams
  try {
    params = loginParamsFromQuery(query)
  } catch (error) {
    return errorResponse(rt, request, toAuthError(error), 'login start', retryHref(rt.config, returnTo), stale)
  }
  if (!forcesLogin(params) && (await hasActiveSession(rt, cookies))) return redirect(new URL(returnTo, rt.config.appOrigin).href, stale)
  try {
    const slot = await chooseSlot(cookies, rt.config.session)
    let { authorizationUrl, transaction } = await startLogin(rt.ctx, returnTo, params, slot)
    let cookie = await transactionCookie(transaction, rt.config.session)
    if (!cookie && returnTo !== '/') {
      // Over the byte budget: the destination is the part that can go.
      ;({ authorizationUrl, transaction } = await startLogin(rt.ctx, '/', params, slot))
      cookie = await transactionCookie(transaction, rt.config.session)
    }
    if (!cookie) throw new AuthError('login_param_invalid', 'login parameters too large')
    return redirect(authorizationUrl.href, [...stale, cookie], 302)
  } catch (error) {
    return errorResponse(rt, request, toAuthError(error), 'login start', retryHref(rt.config, returnTo), stale)
  }
}

/** Silent login (`prompt=none`) that the IS could not complete goes back to sign-in quietly. */
function silentFailure(rt: Runtime, txn: Transaction, error: AuthError, setCookies: string[]): Response | null {
  if (txn.params.prompt !== 'none' || error.code !== 'login_required') return null
  const target = new URL(rt.config.routes.signIn ?? rt.config.routes.login, rt.config.appOrigin)
  if (txn.returnTo !== '/') target.searchParams.set('returnTo', txn.returnTo)
  return redirect(target.href, setCookies)
}

/**
 * Ends the session a new login replaces, and its refresh token unless the new login continues the
 * same authorization at the IS: the same user in the same IS session (a step-up or prompt=login
 * re-login, which oidc-provider-based servers issue from the same grant) or the same refresh token
 * handed back (WSO2 reuses an active token pair). Revoking it then would revoke the new session's
 * tokens too. Best effort.
 */
async function replaceOld(rt: Runtime, cookies: Map<string, string>, record: SessionRecord, refreshToken: string | undefined): Promise<void> {
  const old = await readCookieSession(cookies, rt.config.session).catch(() => null)
  if (!old || old.record.id === record.id) return
  const resolved = await resolveSession(rt, cookies, { refresh: false }).catch(() => null)
  const sameUser = old.record.iss === record.iss && old.record.sub === record.sub
  const continued = sameUser && (old.record.sid === record.sid || (resolved?.ok && resolved.current.tokens.refreshToken === refreshToken))
  await Promise.allSettled([
    revokeAppSession(rt.ctx, old.record, { isSession: false }),
    resolved?.ok && !continued ? revokeRefreshToken(rt.ctx, resolved.current.tokens) : undefined,
    deleteTokens(rt.ctx, old.record),
  ])
}

/** Stores the new session: tokens in the cookie, or in the session store with a reference in the cookie. */
async function persist(rt: Runtime, result: LoginResult): Promise<{ record: SessionRecord; setCookies: string[] }> {
  const hasExtras = Object.keys(result.extras).length > 0
  const record: SessionRecord = rt.ctx.sessions
    ? { ...result.record, stored: true }
    : { ...result.record, tokens: result.tokens, ...(hasExtras ? { extras: result.extras } : {}) }
  if (record.stored) await saveTokens(rt.ctx, record, result.tokens, hasExtras ? result.extras : undefined)
  const { setCookies } = await sessionCookies(record, rt.config.session)
  // No activity cookie yet: its time would equal the session's `writtenAt`, which the readers
  // already take as the last activity. The guard writes the first one a touch interval later; an
  // earlier session's is deleted (it names another session and would be ignored anyway).
  return { record, setCookies: [...setCookies, deleteCookie(rt.config.session.activityCookieName, rt.config.session.secure)] }
}

async function callback(rt: Runtime, request: Request, cookies: Map<string, string>): Promise<Response> {
  const settings = rt.config.session
  const state = new URL(request.url).searchParams.get('state')
  const txn = await readTransaction(cookies, state, settings)
  // The transaction is spent whatever happens next. A state that matches no transaction spends
  // nothing: another login pending in that slot may still come back.
  const spent = [...(txn ? [deleteCookie(transactionCookieName(txn.state, settings), settings.secure)] : []), ...staleTransactionCookies(cookies, settings)]
  if (!txn) {
    // A replayed callback (back button) from a signed-in user changes nothing.
    if (await hasActiveSession(rt, cookies)) return redirect(new URL('/', rt.config.appOrigin).href, spent)
    // Without the transaction there is no state to compare with: never fall back to "no state
    // expected" (login CSRF). A browser with other logins pending got a state that is not one of them.
    const pending = transactionCookieNames(cookies, settings).length > 0
    return errorResponse(rt, request, new AuthError(pending ? 'state_mismatch' : 'transaction_missing', 'no transaction for the returned state'), 'callback', rt.config.routes.login, spent)
  }

  let result: LoginResult
  try {
    result = await completeLogin(rt.ctx, callbackUrl(request, rt), txn)
  } catch (error) {
    const authError = toAuthError(error)
    return silentFailure(rt, txn, authError, spent) ?? errorResponse(rt, request, authError, 'callback', retryHref(rt.config, txn.returnTo), spent)
  }

  let saved: { record: SessionRecord; setCookies: string[] }
  try {
    saved = await persist(rt, result)
  } catch (error) {
    // Nothing half-made: no cookie is written, and the tokens just issued are revoked.
    await revokeRefreshToken(rt.ctx, result.tokens)
    return errorResponse(rt, request, toAuthError(error), 'session save', rt.config.routes.signIn ?? rt.config.routes.login, spent)
  }
  await replaceOld(rt, cookies, saved.record, result.tokens.refreshToken)
  await runHook(rt.options, 'onLogin', { session: toSession(saved.record, result.tokens, result.extras), request })
  return redirect(new URL(txn.returnTo, rt.config.appOrigin).href, [...saved.setCookies, ...spent])
}

/**
 * The `/login` route handler.
 *
 * @param request - The request.
 * @param options - The app's options (hooks, renderError).
 * @param config - Resolves the configuration.
 * @returns The response.
 */
export async function handleLogin(request: Request, options: AuthOptions, config: ConfigSource): Promise<Response> {
  const rt = loadRuntime(options, config)
  if (rt instanceof Response) return rt
  const cookies = parseCookies(request.headers.get('cookie'))
  return isCallback(new URL(request.url).searchParams) ? callback(rt, request, cookies) : start(rt, request, cookies)
}

