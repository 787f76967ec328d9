/**
 * Access-token refresh that survives what users of every auth library report: parallel requests,
 * several instances, rotated refresh tokens and flaky networks.
 *
 * - Single flight: concurrent refreshes of one session in this process share one request.
 * - Across instances: a short lock in the state store (Redis when configured); whoever holds it
 *   re-reads the latest tokens, refreshes only if still due and saves the result before letting go;
 *   everyone else waits for that result. One refresh grant per token lifetime, however many
 *   requests and instances.
 * - Results are saved server-side (the session store, or the cookie overlay) before any response
 *   goes out, so a Server Component that cannot write cookies loses nothing.
 * - Transient failures (network, timeouts, 5xx, 429) keep the session and back off; permanent ones
 *   (`invalid_grant` once the token has expired, a changed identity) end it. An early refresh that
 *   fails with `invalid_grant` while the current token is valid keeps serving it (probably rotated
 *   by an instance that shares no store).
 * - A refreshed ID token must keep `iss` and `sub` (OIDC Core 12.2).
 *
 * Node only.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-6
 * @see https://openid.net/specs/openid-connect-core-1_0.html#RefreshTokenResponse
 */
import 'server-only'
import * as oauth from 'oauth4webapi'
import { AuthError, isAuthError } from '../errors'
import { needsRefresh, nowSeconds, tokenLifetime, type SessionRecord, type TokenSet } from '../session'
import { type StoredSession } from '../session-codec'
import { processSingleton } from '../singleton'
import type { AuthContext } from './context'
import { verifyIdTokenSignature } from './id-token'
import { classify } from './library-errors'
import { latestTokens, saveTokens, storeCall } from './token-store'

/** What a refresh attempt came to. */
export type RefreshOutcome =
  | { kind: 'current'; current: StoredSession }
  | { kind: 'refreshed'; current: StoredSession }
  | { kind: 'kept'; current: StoredSession; reason: 'transient' | 'race' | 'busy' }
  | { kind: 'ended'; error: AuthError }

/** After a transient failure, do not try again for this long (seconds). */
export const RETRY_AFTER = 30
/** The cross-instance lock expires by itself after this long (seconds), should its holder die. */
export const LOCK_TTL = 30
const POLL_MS = 100

const inflight = processSingleton('refresh-inflight', () => new Map<string, Promise<RefreshOutcome>>())
const holds = processSingleton('refresh-holds', () => new Map<string, number>())

async function requestTokens(ctx: AuthContext, record: SessionRecord, tokens: TokenSet): Promise<TokenSet> {
  const as = await ctx.discovery.get()
  const { client, clientAuth } = await ctx.client()
  try {
    const response = await oauth.refreshTokenGrantRequest(as, client, clientAuth, tokens.refreshToken!, { [oauth.customFetch]: ctx.fetch as typeof fetch })
    const result = await oauth.processRefreshTokenResponse(as, client, response)
    const issuedAt = nowSeconds()
    if (result.id_token) {
      const claims = oauth.getValidatedIdTokenClaims(result)
      // OIDC Core 12.2: iss and sub of the new ID token MUST be the same as in the original.
      if (!claims || claims.iss !== record.iss || claims.sub !== record.sub) throw new AuthError('id_token_invalid', 'refreshed ID token changed iss or sub')
      await verifyIdTokenSignature(ctx, as, result.id_token)
    }
    return {
      accessToken: result.access_token,
      idToken: result.id_token ?? tokens.idToken,
      // WSO2 rotates refresh tokens by default; Asgardeo may return the same one or none.
      ...(result.refresh_token ?? tokens.refreshToken ? { refreshToken: result.refresh_token ?? tokens.refreshToken } : {}),
      expiresAt: issuedAt + tokenLifetime(result.expires_in),
      issuedAt,
      ...(result.scope ?? tokens.scope ? { scope: result.scope ?? tokens.scope } : {}),
    }
  } catch (error) {
    throw isAuthError(error) ? error : classify(error, 'refresh').error
  }
}

/** Failure handling: back off on transient errors and races, end the session on permanent ones. */
function failed(record: SessionRecord, current: StoredSession, error: unknown): RefreshOutcome {
  const { error: authError, transient } = classify(error, 'refresh')
  const hold = () => {
    if (holds.size >= 10_000) holds.clear()
    holds.set(record.id, Date.now() + RETRY_AFTER * 1000)
  }
  if (transient) {
    hold()
    return { kind: 'kept', current, reason: 'transient' }
  }
  if (current.tokens.expiresAt > nowSeconds() && authError.code === 'token_exchange_failed') {
    hold()
    return { kind: 'kept', current, reason: 'race' }
  }
  return { kind: 'ended', error: authError }
}

async function waitForHolder(ctx: AuthContext, record: SessionRecord, current: StoredSession): Promise<StoredSession | null> {
  const deadline = Date.now() + ctx.config.httpTimeoutMs + 2000
  while (Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, POLL_MS))
    const latest = await latestTokens(ctx, record, current)
    if (latest.tokens.issuedAt > current.tokens.issuedAt) return latest
    if ((await storeCall(() => ctx.state.get(`lock:${record.id}`))) === null) return null
  }
  return null
}

async function refreshLocked(ctx: AuthContext, record: SessionRecord, current: StoredSession, attempt = 0): Promise<RefreshOutcome> {
  const lockKey = `lock:${record.id}`
  if (!(await storeCall(() => ctx.state.setIfAbsent(lockKey, String(process.pid), LOCK_TTL)))) {
    const result = await waitForHolder(ctx, record, current)
    if (result) return { kind: 'refreshed', current: result }
    return attempt < 1 ? refreshLocked(ctx, record, current, attempt + 1) : { kind: 'kept', current, reason: 'busy' }
  }
  try {
    const latest = await latestTokens(ctx, record, current)
    if (latest.tokens.issuedAt > current.tokens.issuedAt && !needsRefresh(latest.tokens, ctx.config.session)) return { kind: 'refreshed', current: latest }
    const tokens = await requestTokens(ctx, record, latest.tokens)
    const next = { tokens, extras: latest.extras }
    await saveTokens(ctx, record, tokens, latest.extras)
    holds.delete(record.id)
    return { kind: 'refreshed', current: next }
  } finally {
    await ctx.state.delete(lockKey).catch(() => {})
  }
}

/**
 * Refreshes the session's tokens when they are due.
 *
 * @param ctx - The context.
 * @param record - The session.
 * @param current - Its current tokens (cookie, overlay or session store).
 * @returns The outcome; `refreshed` tokens are already saved server-side.
 * @example
 * ```ts
 * const outcome = await refreshIfDue(ctx, record, current)
 * if (outcome.kind === 'ended') throw new AuthError('session_expired')
 * ```
 */
export async function refreshIfDue(ctx: AuthContext, record: SessionRecord, current: StoredSession): Promise<RefreshOutcome> {
  if (!needsRefresh(current.tokens, ctx.config.session)) return { kind: 'current', current }
  const hold = holds.get(record.id)
  if (hold !== undefined) {
    if (hold > Date.now()) return { kind: 'kept', current, reason: 'transient' }
    holds.delete(record.id)
  }
  let pending = inflight.get(record.id)
  if (!pending) {
    pending = refreshLocked(ctx, record, current).catch((error) => failed(record, current, error))
    inflight.set(record.id, pending)
    pending.finally(() => inflight.delete(record.id)).catch(() => {})
  }
  return pending
}
