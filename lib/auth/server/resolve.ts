/**
 * The full, Node-side read of a session, shared by every page, route handler, server action and
 * the proxy: the cookies (seal, timeouts), then revocation and the current tokens from the stores,
 * then a refresh when the access token is due. Framework-agnostic: it takes parsed cookies and
 * returns what to write back.
 *
 * Node only.
 */
import 'server-only'
import type { AuthError } from '../errors'
import { toSession, type Session } from '../session'
import { type StoredSession } from '../session-codec'
import { readCookieSession, sessionCookies, type CookieSession } from '../session-cookies'
import { refreshIfDue } from './refresh'
import type { Runtime } from './respond'
import { runHook } from './respond'
import { readServerSession } from './token-store'

/** Why there is no usable session. */
export type Missing = 'none' | 'revoked' | 'lost' | 'ended'

/** The outcome of {@link resolveSession}. */
export type Resolved =
  | {
      ok: true
      cookie: CookieSession
      current: StoredSession
      session: Session
      /** New session cookie chunks to write (cookie store, after a refresh), else null. */
      write: { setCookies: string[]; chunks: [string, string][] } | null
    }
  | { ok: false; missing: Missing; error?: AuthError; cookie?: CookieSession }

/**
 * Reads, checks and (when due and allowed) refreshes the session these cookies carry.
 *
 * @param rt - The runtime.
 * @param cookies - Parsed request cookies.
 * @param options - `refresh: false` skips the refresh.
 * @returns The session and what to write, or why there is none.
 * @throws {AuthError} `store_unavailable` when the stores cannot be reached.
 */
export async function resolveSession(rt: Runtime, cookies: Map<string, string>, options: { refresh?: boolean } = {}): Promise<Resolved> {
  const cookie = await readCookieSession(cookies, rt.config.session)
  if (!cookie) return { ok: false, missing: 'none' }
  const server = await readServerSession(rt.ctx, cookie.record)
  if (server.revoked) return { ok: false, missing: 'revoked', cookie }
  if (!server.current) return { ok: false, missing: 'lost', cookie }
  let current = server.current
  let write: Extract<Resolved, { ok: true }>['write'] = null
  if (options.refresh !== false) {
    const outcome = await refreshIfDue(rt.ctx, cookie.record, current)
    if (outcome.kind === 'ended') return { ok: false, missing: 'ended', error: outcome.error, cookie }
    current = outcome.current
    if (outcome.kind === 'refreshed') {
      await runHook(rt.options, 'onRefresh', { session: toSession(cookie.record, current.tokens, current.extras) })
    } else if (outcome.kind === 'kept') {
      console.warn(`[auth] refresh deferred reason=${outcome.reason}`)
    }
  }
  const record = cookie.record
  if (record.tokens && current.tokens.issuedAt > record.tokens.issuedAt) {
    // The cookie lags behind (this refresh, or one done where cookies could not be written). If the
    // new tokens no longer fit, the overlay keeps serving them.
    write = await sessionCookies({ ...record, tokens: current.tokens, writtenAt: Date.now() }, rt.config.session).catch(() => null)
  }
  return { ok: true, cookie, current, session: toSession(record, current.tokens, current.extras), write }
}
