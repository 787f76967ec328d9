/**
 * The two JSON routes: `POST /logout/backchannel` (OIDC Back-Channel Logout 1.0, called by the
 * IS) and `GET /api/auth/session` (the profile behind `useSession()`, called by the app's client
 * components). Neither is ever cached.
 *
 * Node only.
 *
 * @see https://openid.net/specs/openid-connect-backchannel-1_0.html#BCResponse
 */
import 'server-only'
import { parseCookies } from '../cookies'
import { ERRORS, toAuthError } from '../errors'
import type { AuthOptions } from '../options'
import { handleLogoutToken, MAX_LOGOUT_BODY, readSmallForm } from './backchannel'
import { resolveSession } from './resolve'
import { loadRuntime, logFailure, runHook, type ConfigSource } from './respond'

const JSON_HEADERS = { 'cache-control': 'no-store', 'content-type': 'application/json' }

function json(body: unknown, status: number, extra: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { ...JSON_HEADERS, ...extra } })
}

/**
 * `POST /logout/backchannel`: 200 once the logout is recorded, 400 for an invalid token, 413 for a
 * body over 32 KB (refused before it is read), 503 when the JWKS, discovery or the store cannot be
 * reached (the IS should retry).
 *
 * @param request - The IS's request.
 * @param options - The app's options.
 * @param config - Resolves the configuration.
 * @returns The response.
 */
export async function handleBackchannel(request: Request, options: AuthOptions, config: ConfigSource): Promise<Response> {
  const fail = (code: string, description: string, status: number) => json({ error: code, error_description: description }, status)
  const rt = loadRuntime(options, config)
  if (rt instanceof Response) return fail('temporarily_unavailable', 'server misconfigured', 503)
  let token: string
  try {
    const body = await readSmallForm(request, MAX_LOGOUT_BODY)
    if (body.getAll('logout_token').length !== 1 || !body.get('logout_token')) return fail('invalid_request', 'logout_token missing', 400)
    token = body.get('logout_token')!
  } catch (error) {
    const authError = toAuthError(error, 'logout_token_invalid')
    if (authError.code === 'request_too_large') return fail('invalid_request', 'request body too large', 413)
    return fail('invalid_request', 'expected a form body with logout_token', 400)
  }
  try {
    const claims = await handleLogoutToken(rt.ctx, token)
    await runHook(rt.options, 'onLogout', { session: null, sub: claims.sub, sid: claims.sid, reason: 'backchannel', request })
    return new Response(null, { status: 200, headers: { 'cache-control': 'no-store' } })
  } catch (error) {
    const authError = toAuthError(error)
    logFailure('back-channel logout', authError)
    await runHook(rt.options, 'onError', { code: authError.code, error: authError, where: 'back-channel logout', request })
    // Only a token that failed validation is the sender's fault (BCL 1.0 2.8). Anything else means
    // the logout was not recorded: 503, so it is not mistaken for a refusal.
    if (authError.code === 'logout_token_invalid') return fail('invalid_request', 'invalid logout_token', 400)
    return fail('temporarily_unavailable', 'logout could not be recorded', 503, )
  }
}

/**
 * `GET /api/auth/session`: the signed-in user and when the session ends, for client components.
 * Never a token. 401 when anonymous, 503 when the stores are down.
 *
 * @param request - The request.
 * @param options - The app's options.
 * @param config - Resolves the configuration.
 * @returns The response.
 */
export async function handleSessionProfile(request: Request, options: AuthOptions, config: ConfigSource): Promise<Response> {
  const rt = loadRuntime(options, config)
  if (rt instanceof Response) return json({ error: 'config_invalid' }, ERRORS.config_invalid.status)
  try {
    const resolved = await resolveSession(rt, parseCookies(request.headers.get('cookie')), { refresh: false })
    if (!resolved.ok) return json({ error: 'unauthenticated' }, 401, { vary: 'Cookie' })
    const { session, cookie } = resolved
    const settings = rt.config.session
    return json(
      {
        user: { sub: session.sub, username: session.username, ...session.user },
        expiresAt: Math.min(session.createdAt + settings.maxAge * 1000, cookie.lastSeen + settings.idleTimeout * 1000),
        accessTokenExpiresAt: session.expiresAt * 1000,
        authTime: session.authTime,
      },
      200,
      { vary: 'Cookie' },
    )
  } catch (error) {
    const authError = toAuthError(error)
    logFailure('session profile', authError)
    return json({ error: authError.code }, ERRORS[authError.code].status)
  }
}
