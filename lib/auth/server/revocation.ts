/**
 * Server-side revocation: what a stateless sealed cookie cannot do alone. Logout and back-channel
 * logout write here; every page, route handler and the Node proxy check here before trusting a
 * cookie (fail closed when the store cannot be reached).
 *
 * A revocation never locks anyone out. Revoking an app session is exact (by its id). Revoking an IS
 * session (`sid`) or a subject (`sub`) stores a time and ends only app sessions created at or
 * before it, so the next login works even when the IS session outlived the app's logout (the user
 * answered "No" on the IS's confirmation, or the end-session endpoint was unreachable). Times are
 * the app's own clock; the one IS time used, a logout token's `iat`, is allowed clock skew.
 *
 * Node only.
 *
 * @see https://openid.net/specs/openid-connect-backchannel-1_0.html#BCActions
 */
import 'server-only'
import type { SessionRecord } from '../session'
import { remainingLifetime } from '../session'
import type { AuthStore } from '../store'
import type { AuthContext } from './context'

/** Store keys. */
export const keys = {
  session: (id: string) => `rev:session:${id}`,
  sid: (iss: string, sid: string) => `rev:sid:${iss}|${sid}`,
  sub: (iss: string, sub: string) => `rev:sub:${iss}|${sub}`,
  jti: (iss: string, jti: string) => `bcl:jti:${iss}|${jti}`,
}

/** The keys whose values decide whether `record` is revoked, in the order {@link revokedBy} reads them. */
export function revocationKeys(record: SessionRecord): string[] {
  return [keys.session(record.id), keys.sid(record.iss, record.sid ?? ''), keys.sub(record.iss, record.sub)]
}

/**
 * Whether the stored values revoke `record`: its own id, or a `sid` / `sub` revocation at or after
 * its creation.
 *
 * @param record - The session.
 * @param values - Values of {@link revocationKeys}, in order.
 * @returns Whether the session is revoked.
 */
export function revokedBy(record: SessionRecord, values: (string | null)[]): boolean {
  const [bySession, bySid, bySub] = values
  if (bySession !== null && bySession !== undefined) return true
  const at = (value: string | null | undefined) => (value === null || value === undefined ? -Infinity : Number(value))
  if (record.sid && record.createdAt <= at(bySid)) return true
  return record.createdAt <= at(bySub)
}

/** Stores `time` under `key` unless a later time is already there (keep the latest revocation). */
async function setLatest(store: AuthStore, key: string, time: number, ttl: number): Promise<void> {
  const existing = Number(await store.get(key))
  if (Number.isFinite(existing) && existing >= time) return
  await store.set(key, String(time), ttl)
}

/**
 * Ends this app session (copies of its cookie included) and, for a logout, every app session of its
 * IS session created before now. A login that replaces a session in the same browser ends only
 * that session: the new one shares its IS session.
 *
 * @param ctx - The context.
 * @param record - The session being ended.
 * @param options - `isSession: false` leaves the IS session's other app sessions alone.
 * @param now - Milliseconds.
 */
export async function revokeAppSession(ctx: AuthContext, record: SessionRecord, options: { isSession?: boolean } = {}, now = Date.now()): Promise<void> {
  const maxAge = ctx.config.session.maxAge + 60
  await Promise.all([
    ctx.state.set(keys.session(record.id), '1', remainingLifetime(record, ctx.config.session, now)),
    record.sid && options.isSession !== false ? setLatest(ctx.state, keys.sid(record.iss, record.sid), now, maxAge) : undefined,
  ])
}

/**
 * Ends every app session of an IS session (back-channel logout by `sid`) or of a subject (by `sub`
 * only). For `sub`, the time is the logout token's `iat` plus the allowed skew, capped at now, so a
 * late delivery does not end sessions the user started after logging out at the IS.
 *
 * @param ctx - The context.
 * @param target - Issuer and `sid` or `sub`, with the token's `iat` (seconds).
 * @param skewSeconds - Allowed clock skew between the IS and the app.
 * @param now - Milliseconds.
 */
export async function revokeIsSession(ctx: AuthContext, target: { iss: string; sid?: string; sub?: string; iat: number }, skewSeconds: number, now = Date.now()): Promise<void> {
  const ttl = ctx.config.session.maxAge + 60
  if (target.sid) return setLatest(ctx.state, keys.sid(target.iss, target.sid), now, ttl)
  const at = Math.min(now, (target.iat + skewSeconds) * 1000)
  return setLatest(ctx.state, keys.sub(target.iss, target.sub!), at, ttl)
}
