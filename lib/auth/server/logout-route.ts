/**
 * `POST /logout` (the app's Logout button) and `GET /logout` (a link or a typed URL). Logout ends
 * the app session server-side (so a copied cookie dies too), revokes the refresh token at the IS,
 * clears the cookies and sends the browser to the IS's end-session endpoint.
 *
 * Logout CSRF policy: a logout runs only for requests the app itself started or the user typed,
 * as Fetch Metadata tells (`Sec-Fetch-Site: same-origin` or `none`). A browser that sends no
 * Fetch Metadata (older Safari, Chromium, Firefox) gets the confirmation page for a GET, and a
 * POST must carry the app's own `Origin`. A cross-site GET gets the confirmation page; a cross-site
 * POST is refused. Without a session there is nothing to protect: the signed-out page.
 *
 * Node only.
 *
 * @see https://openid.net/specs/openid-connect-rpinitiated-1_0.html
 * @see https://www.w3.org/TR/fetch-metadata/#sec-fetch-site-header
 */
import 'server-only'
import * as oauth from 'oauth4webapi'
import { parseCookies } from '../cookies'
import { AuthError } from '../errors'
import { htmlResponse, logoutConfirmHtml, signedOutHtml } from '../html'
import { pageContext } from '../guard'
import type { AuthOptions } from '../options'
import { isSessionRecord, toSession, type SessionRecord } from '../session'
import { openSession, type StoredSession } from '../session-codec'
import { clearSessionCookies } from '../session-cookies'
import { readChunked } from '../seal'
import { endSessionUrl, revokeRefreshToken } from './logout'
import { errorResponse, loadRuntime, logFailure, redirect, runHook, type ConfigSource, type Runtime } from './respond'
import { revokeAppSession } from './revocation'
import { deleteTokens, readServerSession } from './token-store'

/**
 * Whether this request may log the user out without confirmation.
 *
 * @param request - The request.
 * @param appOrigin - The app's origin.
 * @returns Whether the logout may run.
 */
export function logoutAllowed(request: Request, appOrigin: string): boolean {
  const site = request.headers.get('sec-fetch-site')
  if (site) return site === 'same-origin' || site === 'none'
  if (request.method !== 'POST') return false
  return request.headers.get('origin') === appOrigin
}

/** Any session that unseals is logged out, even a timed-out one: its tokens are still revoked at the IS. */
async function sealedSession(rt: Runtime, cookies: Map<string, string>): Promise<SessionRecord | null> {
  const value = readChunked(cookies, rt.config.session.cookieName)
  return value ? openSession(value, rt.config.session, isSessionRecord) : null
}

function signedOut(rt: Runtime, setCookies: string[]): Response {
  if (rt.config.routes.signIn) return redirect(new URL(rt.config.routes.signIn, rt.config.appOrigin).href, setCookies)
  return htmlResponse(signedOutHtml(pageContext(rt.config)), 200, setCookies)
}

async function logout(rt: Runtime, request: Request, record: SessionRecord): Promise<Response> {
  const cleared = clearSessionCookies(rt.config.session)
  let current: StoredSession | null = record.tokens ? { tokens: record.tokens, extras: record.extras } : null
  // Revoked server-side first, so a copy of this cookie is dead even if the IS is unreachable.
  try {
    await revokeAppSession(rt.ctx, record)
    current = (await readServerSession(rt.ctx, record)).current ?? current
  } catch (error) {
    logFailure('logout revocation', error instanceof AuthError ? error : new AuthError('store_unavailable', String(error)))
  }
  if (current) await revokeRefreshToken(rt.ctx, current.tokens)
  await deleteTokens(rt.ctx, record)
  await runHook(rt.options, 'onLogout', { session: current ? toSession(record, current.tokens, current.extras) : null, sub: record.sub, sid: record.sid, reason: 'user', request })
  const target = await endSessionUrl(rt.ctx, current?.tokens.idToken, oauth.generateRandomState())
  return target ? redirect(target.href, cleared) : signedOut(rt, cleared)
}

/**
 * The `/logout` route handler for one method.
 *
 * @param method - `GET` or `POST`.
 * @returns The handler.
 */
export function logoutHandler(method: 'GET' | 'POST') {
  return async (request: Request, options: AuthOptions, config: ConfigSource): Promise<Response> => {
    const rt = loadRuntime(options, config)
    if (rt instanceof Response) return rt
    const record = await sealedSession(rt, parseCookies(request.headers.get('cookie')))
    if (!record) return signedOut(rt, clearSessionCookies(rt.config.session))
    if (!logoutAllowed(request, rt.config.appOrigin)) {
      if (method === 'POST') return errorResponse(rt, request, new AuthError('logout_forbidden', 'cross-site or unverifiable logout POST'), 'logout', '/')
      return htmlResponse(logoutConfirmHtml(pageContext(rt.config), rt.config.routes.logout), 200)
    }
    return logout(rt, request, record)
  }
}
