/**
 * Where a session's tokens live on the server, and the one read that checks revocation and loads
 * them together (a single Redis round trip when both live there).
 *
 * - Session store (Redis, or the app's store): the tokens and userinfo extras, sealed with the
 *   session secret (encrypted at rest), under `session:<id>`; the cookie holds the identity only.
 * - Cookie store: the tokens are in the cookie. A refresh that could not write the cookie (in a
 *   Server Component) is kept under `tokens:<id>` in the state store until a later response writes
 *   it, so no refresh result and no rotated refresh token is lost.
 *
 * Node only.
 */
import 'server-only'
import type { Claims } from '../claims'
import { AuthError, isAuthError } from '../errors'
import { remainingLifetime, type SessionRecord, type TokenSet } from '../session'
import { isStoredSession, openSession, sealSession, type StoredSession } from '../session-codec'
import { getMany } from '../store'
import type { AuthContext } from './context'
import { revocationKeys, revokedBy } from './revocation'

/**
 * Runs a store operation; whatever a store throws (an app's own store may throw anything) becomes
 * `store_unavailable`, so callers fail closed with a coded, retryable error.
 */
export async function storeCall<T>(operation: () => Promise<T>): Promise<T> {
  try {
    return await operation()
  } catch (error) {
    if (isAuthError(error)) throw error
    throw new AuthError('store_unavailable', (error as Error)?.message, { cause: error })
  }
}

/** The server-side view of a session. */
export interface ServerSession {
  /** Whether a logout or back-channel logout ended it. */
  revoked: boolean
  /** Its current tokens and extras, or null when a session store lost them. */
  current: StoredSession | null
}

const tokensKey = (id: string) => `tokens:${id}`
const sessionKey = (id: string) => `session:${id}`

async function open(value: string | null, ctx: AuthContext): Promise<StoredSession | null> {
  return value ? openSession(value, ctx.config.session, isStoredSession) : null
}

/** The newer of two token sets (by the time the IS issued them). */
export function newer(a: StoredSession, b: StoredSession | null): StoredSession {
  return b && b.tokens.issuedAt > a.tokens.issuedAt ? { ...b, extras: b.extras ?? a.extras } : a
}

function cookieSide(record: SessionRecord): StoredSession | null {
  return record.tokens ? { tokens: record.tokens, extras: record.extras } : null
}

/**
 * Revocation and tokens of a session in one read.
 *
 * @param ctx - The context.
 * @param record - The session from the cookie.
 * @returns Whether it is revoked, and its current tokens.
 * @throws {AuthError} `store_unavailable` when a store cannot be reached (fail closed).
 */
export async function readServerSession(ctx: AuthContext, record: SessionRecord): Promise<ServerSession> {
  try {
    const keys = revocationKeys(record)
    const tokenKey = record.stored ? sessionKey(record.id) : tokensKey(record.id)
    const sameStore = !record.stored || ctx.sessions === ctx.state
    const values = await getMany(ctx.state, sameStore ? [...keys, tokenKey] : keys)
    const revoked = revokedBy(record, values.slice(0, keys.length))
    if (record.stored) {
      const value = sameStore ? values[keys.length] : await ctx.sessions!.get(tokenKey)
      return { revoked, current: await open(value, ctx) }
    }
    return { revoked, current: newer(cookieSide(record)!, await open(values[keys.length], ctx)) }
  } catch (error) {
    if (isAuthError(error)) throw error
    throw new AuthError('store_unavailable', (error as Error)?.message, { cause: error })
  }
}

/** The latest tokens, re-read (another request or instance may just have refreshed). */
export async function latestTokens(ctx: AuthContext, record: SessionRecord, fallback: StoredSession): Promise<StoredSession> {
  if (record.stored) return (await open(await storeCall(() => ctx.sessions!.get(sessionKey(record.id))), ctx)) ?? fallback
  return newer(fallback, await open(await storeCall(() => ctx.state.get(tokensKey(record.id))), ctx))
}

/**
 * Saves tokens for a session: in the session store, or as the cookie overlay.
 *
 * @param ctx - The context.
 * @param record - The session.
 * @param tokens - New tokens.
 * @param extras - Userinfo extras (session store only).
 */
export async function saveTokens(ctx: AuthContext, record: SessionRecord, tokens: TokenSet, extras?: Claims): Promise<void> {
  const ttl = remainingLifetime(record, ctx.config.session)
  const value = await sealSession({ tokens, ...(extras ? { extras } : {}) }, ctx.config.session)
  await storeCall(() => (record.stored ? ctx.sessions!.set(sessionKey(record.id), value, ttl) : ctx.state.set(tokensKey(record.id), value, ttl)))
}

/** Forgets a session's server-side tokens (logout, or a login that replaced it). Best effort. */
export async function deleteTokens(ctx: AuthContext, record: SessionRecord): Promise<void> {
  await Promise.allSettled([
    record.stored ? ctx.sessions?.delete(sessionKey(record.id)) : undefined,
    ctx.state.delete(tokensKey(record.id)),
  ])
}
