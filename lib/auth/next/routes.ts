/**
 * Next.js route handlers for /login (start and callback, as in the WSO2 Python SDK's sign_in())
 * and /logout. Thin glue: the protocol lives in ../login.ts and ../logout.ts.
 *
 * Every response is built from AUTH_CLIENT_HOST; the request's Host and X-Forwarded-* headers are
 * never used to build a URL (RFC 9700 4.13, rp-security RC-03).
 */
import 'server-only'
import * as oauth from 'oauth4webapi'
import { getAuthConfig, getSessionConfig, type AuthConfig } from '../config'
import { parseCookies } from '../cookies'
import { toAuthError, type AuthError } from '../errors'
import { isDocumentRequest } from '../guard'
import { completeLogin, startLogin } from '../login'
import { endSessionUrl, revokeTokens } from '../logout'
import { handleLogoutToken } from '../backchannel'
import { refreshSession } from '../refresh'
import { getRevocationStore, revokeSession } from '../revocation'
import { safeReturnTo } from '../redirect'
import { getAuthContext } from '../server'
import {
  clearSessionCookieHeaders,
  existingSessionCookieNames,
  readSealFromCookies,
  sealSession,
  sessionCookieHeaders,
  unsealSession,
  type SessionData,
} from '../session'
import { deleteCookie } from '../cookies'
import {
  pendingTransactionNames,
  readTransaction,
  sealTransaction,
  transactionCookieHeaders,
  transactionCookieName,
  isValidState,
} from '../transaction'
import { authHeaders, errorResponse, logoutConfirmHtml } from './html'
import { activeSession } from './session'

/** Logs one line per failure: the code and a sanitised reason, never a token, code or cookie. */
function logFailure(where: string, error: AuthError): void {
  const detail = error.message.replace(/[^\x20-\x7e]/g, '?').slice(0, 300)
  const cause = error.cause instanceof Error ? ` cause=${error.cause.name}` : ''
  console.warn(`[auth] ${where} failed code=${error.code} detail="${detail}"${cause}`)
}

function redirect(location: string, setCookies: string[] = [], status = 303): Response {
  const headers = authHeaders({ location })
  for (const cookie of setCookies) headers.append('set-cookie', cookie)
  return new Response(null, { status, headers })
}

/** The callback URL as the IS sent it, rebuilt on our own origin so Host headers cannot steer it. */
function callbackUrl(request: Request, config: AuthConfig): URL {
  const incoming = new URL(request.url)
  const url = new URL(config.loginCallbackUrl)
  url.search = incoming.search
  return url
}

function isCallback(params: URLSearchParams): boolean {
  return params.has('code') || params.has('error') || params.has('state') || params.has('iss')
}

/**
 * The validated configuration, or the coded error page to answer with when it is invalid. The
 * server log names the key to fix; the page does not.
 */
function loadConfig(): AuthConfig | Response {
  try {
    return getAuthConfig()
  } catch (error) {
    logFailure('config', toAuthError(error, 'config_invalid'))
    return errorResponse('config_invalid', '/signin')
  }
}

/** GET /login: without a code it starts a login; with one (or with error=) it is the callback. */
export async function handleLogin(request: Request): Promise<Response> {
  const config = loadConfig()
  if (config instanceof Response) return config
  const params = new URL(request.url).searchParams
  const cookies = parseCookies(request.headers.get('cookie'))
  return isCallback(params) ? loginCallback(request, config, cookies) : loginStart(request, config, cookies)
}

async function loginStart(request: Request, config: AuthConfig, cookies: Map<string, string>): Promise<Response> {
  const returnTo = safeReturnTo(new URL(request.url).searchParams.get('returnTo'), config.appOrigin)
  // A prefetch or RSC request must not mint a transaction cookie (anchors 4.1: 431s from piles of them).
  if (!isDocumentRequest(request)) return new Response(null, { status: 204, headers: authHeaders() })
  if (await activeSession(cookies)) return redirect(new URL(returnTo, config.appOrigin).href)
  try {
    const ctx = getAuthContext()
    const { authorizationUrl, transaction } = await startLogin(ctx, returnTo)
    const session = getSessionConfig()
    const seal = await sealTransaction(transaction, session)
    const setCookies = transactionCookieHeaders(transaction, seal, pendingTransactionNames(cookies, session), session)
    return redirect(authorizationUrl.href, setCookies, 302)
  } catch (error) {
    const authError = toAuthError(error)
    logFailure('login start', authError)
    return errorResponse(authError.code, retryHref(returnTo))
  }
}

function retryHref(returnTo: string): string {
  return returnTo === '/' ? '/login' : `/login?returnTo=${encodeURIComponent(returnTo)}`
}

async function loginCallback(request: Request, config: AuthConfig, cookies: Map<string, string>): Promise<Response> {
  const sessionConfig = getSessionConfig()
  const state = new URL(request.url).searchParams.get('state')
  const txn = await readTransaction(cookies, state, sessionConfig)
  // The transaction cookie is spent whatever happens next (rp-security 1.3).
  const spent = isValidState(state) && cookies.has(transactionCookieName(state, sessionConfig))
    ? [deleteCookie(transactionCookieName(state, sessionConfig), sessionConfig.secure)]
    : []

  if (!txn) {
    // A replayed callback (back button) from a user who is already signed in changes nothing (AR-05 a).
    if (await activeSession(cookies)) return redirect(new URL('/', config.appOrigin).href, spent)
    // Without the transaction there is no state to compare with: never fall back to "no state
    // expected", which would let a login CSRF through (rp-security AR-03 c). A browser with other
    // logins pending got a state that is not one of them: a mismatch, not an expiry.
    const pending = pendingTransactionNames(cookies, sessionConfig).length > 0
    const code = pending ? 'state_mismatch' : 'transaction_missing'
    logFailure('callback', toAuthError(new Error('no transaction for the returned state'), code))
    return errorResponse(code, '/login', spent)
  }

  const ctx = getAuthContext()
  let session: SessionData
  try {
    session = await completeLogin(ctx, callbackUrl(request, config), txn)
  } catch (error) {
    const authError = toAuthError(error)
    logFailure('callback', authError)
    return errorResponse(authError.code, retryHref(txn.returnTo), spent)
  }

  try {
    const seal = await sealSession(session, sessionConfig)
    const existing = existingSessionCookieNames(cookies, sessionConfig.cookieName)
    const setCookies = [...sessionCookieHeaders(seal, existing, sessionConfig), ...spent]
    return redirect(new URL(txn.returnTo, config.appOrigin).href, setCookies)
  } catch (error) {
    const authError = toAuthError(error)
    logFailure('session save', authError)
    await revokeTokens(ctx, session)
    return errorResponse(authError.code, '/signin', spent)
  }
}

/**
 * Logout CSRF policy: logout runs only for requests from the app itself or typed by the user
 * (Sec-Fetch-Site same-origin or none, or a same-origin Origin header). A cross-site GET gets a
 * confirmation page instead and a cross-site POST is refused, so a third-party page cannot log
 * users out (rp-security LO-03). Clients that send neither header (curl) are not browsers and
 * cannot be used for CSRF.
 */
export function logoutAllowed(request: Request, appOrigin: string): boolean {
  const site = request.headers.get('sec-fetch-site')
  if (site) return site === 'same-origin' || site === 'none'
  const origin = request.headers.get('origin')
  if (origin) return origin === appOrigin
  return true
}

async function logout(request: Request, config: AuthConfig): Promise<Response> {
  const sessionConfig = getSessionConfig()
  const cookies = parseCookies(request.headers.get('cookie'))
  // Any session that unseals is logged out, even a timed-out one: its tokens are still revoked at the IS.
  const seal = readSealFromCookies(cookies, sessionConfig.cookieName)
  const session = seal ? await unsealSession(seal, sessionConfig) : null
  const cleared = clearSessionCookieHeaders(existingSessionCookieNames(cookies, sessionConfig.cookieName), sessionConfig)
  const signin = new URL('/signin', config.appOrigin).href
  if (!session) return redirect(signin, cleared)

  const ctx = getAuthContext()
  // Revoked server-side first, so a copy of this cookie is dead even if the IS is unreachable.
  try {
    await revokeSession(await getRevocationStore(config.redisUrl), session, sessionConfig.maxAge)
  } catch (error) {
    logFailure('logout revocation', toAuthError(error))
  }
  await revokeTokens(ctx, session)
  const target = await endSessionUrl(ctx, session.idToken, oauth.generateRandomState())
  return redirect(target ? target.href : signin, cleared)
}

export async function handleLogoutGet(request: Request): Promise<Response> {
  const config = loadConfig()
  if (config instanceof Response) return config
  if (!logoutAllowed(request, config.appOrigin)) {
    return new Response(logoutConfirmHtml(), { status: 200, headers: authHeaders({ 'content-type': 'text/html; charset=utf-8' }) })
  }
  return logout(request, config)
}

export async function handleLogoutPost(request: Request): Promise<Response> {
  const config = loadConfig()
  if (config instanceof Response) return config
  if (!logoutAllowed(request, config.appOrigin)) return errorResponse('logout_forbidden', '/')
  return logout(request, config)
}

/**
 * GET /login/refresh?returnTo=: the Node side of token refresh. The edge guard sends documents
 * here when the access token is due; this refreshes (single flight, rotation-safe), stores the new
 * session and goes straight back. A permanent failure ends the session with a way back to login.
 */
export async function handleRefresh(request: Request): Promise<Response> {
  const config = loadConfig()
  if (config instanceof Response) return config
  const sessionConfig = getSessionConfig()
  const returnTo = safeReturnTo(new URL(request.url).searchParams.get('returnTo'), config.appOrigin)
  const cookies = parseCookies(request.headers.get('cookie'))
  const existing = existingSessionCookieNames(cookies, sessionConfig.cookieName)
  const session = await activeSession(cookies)
  const signin = new URL('/signin', config.appOrigin)
  if (returnTo !== '/') signin.searchParams.set('returnTo', returnTo)
  if (!session) return redirect(signin.href, clearSessionCookieHeaders(existing, sessionConfig))

  const outcome = await refreshSession(getAuthContext(), session)
  if (outcome.kind === 'ended') {
    logFailure('refresh', outcome.error)
    signin.searchParams.set('reason', 'session_ended')
    return redirect(signin.href, clearSessionCookieHeaders(existing, sessionConfig))
  }
  if (outcome.kind === 'kept' && outcome.reason !== 'no_refresh_token') {
    console.warn(`[auth] refresh deferred reason=${outcome.reason}`)
  }
  try {
    const seal = await sealSession(outcome.session, sessionConfig)
    return redirect(new URL(returnTo, config.appOrigin).href, sessionCookieHeaders(seal, existing, sessionConfig))
  } catch (error) {
    const authError = toAuthError(error)
    logFailure('refresh save', authError)
    return errorResponse(authError.code, '/login', clearSessionCookieHeaders(existing, sessionConfig))
  }
}

/**
 * POST /logout/backchannel (OIDC Back-Channel Logout 1.0 section 2.8): 200, 400 for an invalid
 * token, 503 when the logout could not be recorded; never cached.
 */
export async function handleBackchannelLogout(request: Request): Promise<Response> {
  const headers = { 'cache-control': 'no-store', 'content-type': 'application/json' }
  const fail = (description: string, status = 400) =>
    new Response(JSON.stringify({ error: 'invalid_request', error_description: description }), { status, headers })
  let config: AuthConfig
  try {
    config = getAuthConfig()
  } catch {
    return fail('server misconfigured', 500)
  }
  const type = (request.headers.get('content-type') ?? '').split(';')[0].trim().toLowerCase()
  if (type !== 'application/x-www-form-urlencoded') return fail('expected a form body')
  let token: string | null
  try {
    const body = new URLSearchParams(await request.text())
    if (body.getAll('logout_token').length !== 1) return fail('logout_token missing')
    token = body.get('logout_token')
  } catch {
    return fail('unreadable body')
  }
  if (!token || token.length > 16_384) return fail('logout_token missing')
  try {
    const store = await getRevocationStore(config.redisUrl)
    await handleLogoutToken(getAuthContext(), store, token, config.session.maxAge)
    return new Response(null, { status: 200, headers: { 'cache-control': 'no-store' } })
  } catch (error) {
    // Only a token that failed validation is the sender's fault (400, BCL 1.0 2.8). When the JWKS
    // or the revocation store cannot be reached the logout was not recorded: 503, so it is not
    // mistaken for a refusal.
    const authError = toAuthError(error, 'internal_error')
    logFailure('back-channel logout', authError)
    if (authError.code === 'callback_invalid' || authError.code === 'discovery_invalid') return fail('invalid logout_token')
    return fail('logout could not be recorded', 503)
  }
}
