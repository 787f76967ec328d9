/**
 * Access-token refresh (RFC 6749 6, OIDC Core 12) that survives what users of every auth library
 * report (anchors 4.2): parallel requests, rotated refresh tokens and flaky networks.
 *
 * - Single flight: concurrent refreshes of one refresh token in this process share one request,
 *   and its result is remembered briefly, so a request that arrives with the just-rotated token
 *   gets the new tokens instead of spending the old one.
 * - Rotation-safe: when an early refresh fails with invalid_grant while the current access token
 *   is still valid, another instance probably rotated it first: keep serving the current token.
 * - Transient failures (network, timeouts, 5xx, 429) keep the session and retry later; permanent
 *   ones (invalid_grant once the token has expired, a changed identity) end it.
 * - A refreshed ID token must keep iss and sub (OIDC Core 12.2); oauth4webapi does not compare.
 *
 * Node only.
 */
import 'server-only'
import * as oauth from 'oauth4webapi'
import { AuthError, isAuthError } from './errors'
import { verifyIdTokenSignature, type FlowContext } from './login'
import { nowSeconds, type SessionData } from './session'
import { processSingleton } from './singleton'

export type RefreshOutcome =
  | { kind: 'refreshed'; session: SessionData }
  | { kind: 'kept'; session: SessionData; reason: 'transient' | 'race' | 'no_refresh_token' }
  | { kind: 'ended'; error: AuthError }

/** How long a finished refresh is remembered for latecomers holding the old refresh token. */
export const RESULT_TTL_MS = 30_000
/** After a transient failure, wait this long before trying again. */
export const RETRY_AFTER = 30

type TokenResult = { ok: true; tokens: oauth.TokenEndpointResponse } | { ok: false; error: AuthError; transient: boolean }

const inflight = processSingleton('refresh.inflight', () => new Map<string, Promise<TokenResult>>())
const recent = processSingleton('refresh.recent', () => new Map<string, { result: TokenResult; expires: number }>())

async function keyOf(refreshToken: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(refreshToken))
  return Buffer.from(digest).toString('base64url')
}

function classify(error: unknown): { error: AuthError; transient: boolean } {
  if (error instanceof oauth.ResponseBodyError) {
    const transient = error.status >= 500 || error.status === 429
    return { error: new AuthError(transient ? 'idp_error' : 'token_exchange_failed', `refresh: ${error.error}`, { cause: error }), transient }
  }
  if (error instanceof oauth.OperationProcessingError && error.code === oauth.RESPONSE_IS_NOT_CONFORM) {
    const status = (error.cause as Response | undefined)?.status ?? 0
    const transient = status >= 500 || status === 429 || status === 408
    return { error: new AuthError(transient ? 'idp_error' : 'token_exchange_failed', `refresh: HTTP ${status}`, { cause: error }), transient }
  }
  if (isAuthError(error)) {
    const transient = ['idp_unreachable', 'idp_timeout', 'idp_error', 'idp_bad_response', 'idp_tls_error', 'discovery_invalid'].includes(error.code)
    return { error, transient }
  }
  if (error instanceof oauth.OperationProcessingError || error instanceof oauth.UnsupportedOperationError) {
    // The response was read and is wrong (claims, format): retrying will not fix it.
    return { error: new AuthError('id_token_invalid', error.message, { cause: error }), transient: false }
  }
  // Anything else is the request not getting through: keep the session and try again later.
  return { error: new AuthError('idp_unreachable', (error as Error)?.message, { cause: error }), transient: true }
}

async function requestTokens(ctx: FlowContext, session: SessionData): Promise<TokenResult> {
  try {
    const as = await ctx.discovery.get()
    const response = await oauth.refreshTokenGrantRequest(as, ctx.provider.client, ctx.provider.clientAuth, session.refreshToken!, {
      [oauth.customFetch]: ctx.fetch as typeof fetch,
    })
    const tokens = await oauth.processRefreshTokenResponse(as, ctx.provider.client, response)
    if (tokens.id_token) {
      const claims = oauth.getValidatedIdTokenClaims(tokens)
      // OIDC Core 12.2: iss and sub of the new ID token MUST be the same as in the original.
      if (!claims || claims.iss !== session.iss || claims.sub !== session.sub) {
        return { ok: false, error: new AuthError('id_token_invalid', 'refreshed ID token changed iss or sub'), transient: false }
      }
      await verifyIdTokenSignature(ctx, as, tokens.id_token)
    }
    return { ok: true, tokens }
  } catch (error) {
    return { ok: false, ...classify(error) }
  }
}

/** Refreshes with single flight per refresh token within this process. */
async function sharedRefresh(ctx: FlowContext, session: SessionData): Promise<TokenResult> {
  const key = await keyOf(session.refreshToken!)
  const cached = recent.get(key)
  if (cached && cached.expires > Date.now()) return cached.result
  let pending = inflight.get(key)
  if (!pending) {
    pending = requestTokens(ctx, session).then((result) => {
      recent.set(key, { result, expires: Date.now() + RESULT_TTL_MS })
      for (const [k, v] of recent) if (v.expires <= Date.now()) recent.delete(k)
      return result
    })
    inflight.set(key, pending)
    pending.finally(() => inflight.delete(key)).catch(() => {})
  }
  return pending
}

export async function refreshSession(ctx: FlowContext, session: SessionData, now = nowSeconds()): Promise<RefreshOutcome> {
  if (!session.refreshToken) return { kind: 'kept', session, reason: 'no_refresh_token' }
  const result = await sharedRefresh(ctx, session)
  if (result.ok) {
    const { tokens } = result
    return {
      kind: 'refreshed',
      session: {
        ...session,
        accessToken: tokens.access_token,
        idToken: tokens.id_token ?? session.idToken,
        // WSO2 rotates refresh tokens by default; Asgardeo may return the same one or none.
        refreshToken: tokens.refresh_token ?? session.refreshToken,
        expiresAt: now + (typeof tokens.expires_in === 'number' ? tokens.expires_in : 3600),
        tokenIssuedAt: now,
        scope: tokens.scope ?? session.scope,
        lastSeen: now,
        refreshRetryAt: undefined,
      },
    }
  }
  const stillValid = session.expiresAt > now
  if (result.transient) {
    return { kind: 'kept', session: { ...session, refreshRetryAt: now + RETRY_AFTER }, reason: 'transient' }
  }
  if (stillValid && result.error.code === 'token_exchange_failed') {
    // Probably rotated by a parallel request on another instance: serve the current token and
    // let the next request (which will carry the new cookie) go on.
    return { kind: 'kept', session: { ...session, refreshRetryAt: now + RETRY_AFTER }, reason: 'race' }
  }
  return { kind: 'ended', error: result.error }
}

/** Forget remembered results (tests). */
export function resetRefreshStateForTests(): void {
  inflight.clear()
  recent.clear()
}
