/**
 * Reading and writing the session's two cookies: the session cookie (chunked, written by login
 * and refresh only) and the activity cookie (idle timer and refresh back-off, written by the guard).
 * Shared by the edge guard and the Node code, so both accept exactly the same sessions.
 *
 * Edge-safe.
 */
import type { SessionSettings } from './config'
import { deleteCookie, serializeCookie } from './cookies'
import { allChunkNames, clearChunked, fitsChunks, readChunked, seal, unseal, writeChunked } from './seal'
import { AuthError } from './errors'
import { isActivityRecord, isSessionRecord, sessionExpiry, type ActivityRecord, type SessionRecord } from './session'
import { openSession, sealSession } from './session-codec'

/** A session as the cookies carry it, after the timeouts were checked. */
export interface CookieSession {
  record: SessionRecord
  /** The activity cookie, when it belongs to this session. */
  activity: ActivityRecord | null
  /** Last activity, milliseconds. */
  lastSeen: number
}

/** The idle timer is re-sealed at most this often (seconds; sooner for short idle timeouts). */
export const TOUCH_INTERVAL = 60

/** Seconds between two touches of the idle timer for these settings. */
export function touchInterval(settings: Pick<SessionSettings, 'idleTimeout'>): number {
  return Math.max(1, Math.min(TOUCH_INTERVAL, Math.floor(settings.idleTimeout / 4)))
}

/**
 * The session the cookies carry, or null when missing, unreadable or timed out.
 *
 * @param cookies - Parsed request cookies.
 * @param settings - Session settings.
 * @param now - Milliseconds.
 * @returns The session or null.
 * @example
 * ```ts
 * const current = await readCookieSession(parseCookies(request.headers.get('cookie')), config.session)
 * ```
 */
export async function readCookieSession(cookies: Map<string, string>, settings: SessionSettings, now = Date.now()): Promise<CookieSession | null> {
  const value = readChunked(cookies, settings.cookieName)
  if (!value) return null
  const record = await openSession(value, settings, isSessionRecord)
  if (!record) return null
  const activityValue = cookies.get(settings.activityCookieName)
  const opened = activityValue ? await unseal(activityValue, settings.secrets, settings.maxAge + 60, isActivityRecord) : null
  const activity = opened && opened.id === record.id ? opened : null
  const lastSeen = Math.max(record.writtenAt, activity?.seen ?? 0)
  if (sessionExpiry(record, lastSeen, settings, now)) return null
  return { record, activity, lastSeen }
}

/** Whether the request carries any cookie of the session (to clear an unreadable one). */
export function hasSessionCookies(cookies: Map<string, string>, settings: SessionSettings): boolean {
  return [...cookies.keys()].some((name) => name === settings.cookieName || name.startsWith(`${settings.cookieName}.`) || name === settings.activityCookieName)
}

/**
 * The session cookie for `record`, as Set-Cookie headers (every unused chunk name deleted) and as
 * the chunks, for forwarding to this request's handler.
 *
 * @throws {AuthError} `session_too_large` before anything is written.
 */
export async function sessionCookies(record: SessionRecord, settings: SessionSettings): Promise<{ setCookies: string[]; chunks: [string, string][] }> {
  const value = await sealSession(record, settings)
  if (!fitsChunks(value)) throw new AuthError('session_too_large', `sealed session is ${value.length} bytes`)
  const setCookies = writeChunked(settings.cookieName, value, { secure: settings.secure, maxAge: settings.maxAge })
  const chunks = setCookies.filter((c) => !/Max-Age=0/.test(c)).map((c) => {
    const [pair] = c.split(';')
    const i = pair.indexOf('=')
    return [pair.slice(0, i), pair.slice(i + 1)] as [string, string]
  })
  return { setCookies, chunks }
}

/** The activity cookie's Set-Cookie header and value. */
export async function activityCookie(activity: ActivityRecord, settings: SessionSettings): Promise<{ setCookie: string; value: string }> {
  const value = await seal(activity, settings.secrets, settings.maxAge + 60)
  return { setCookie: serializeCookie(settings.activityCookieName, value, { secure: settings.secure, maxAge: settings.maxAge }), value }
}

/** Set-Cookie headers that remove the session entirely. */
export function clearSessionCookies(settings: SessionSettings): string[] {
  return [...clearChunked(settings.cookieName, settings.secure), deleteCookie(settings.activityCookieName, settings.secure)]
}

/**
 * The Cookie header this request's handler must see after the session cookies changed, so Server
 * Components read the same session the browser will hold (vercel/next.js#49442).
 *
 * @param cookies - The request's cookies.
 * @param changes - New values by name; null removes.
 * @returns The rebuilt Cookie header.
 */
export function forwardedCookieHeader(cookies: Map<string, string>, changes: Map<string, string | null>): string {
  const out = new Map(cookies)
  for (const [name, value] of changes) {
    if (value === null) out.delete(name)
    else out.set(name, value)
  }
  return [...out].map(([name, value]) => `${name}=${value}`).join('; ')
}

/** The changes that replace every session chunk with `chunks`. */
export function chunkChanges(settings: SessionSettings, chunks: [string, string][]): Map<string, string | null> {
  const changes = new Map<string, string | null>(allChunkNames(settings.cookieName).map((name) => [name, null]))
  for (const [name, value] of chunks) changes.set(name, value)
  return changes
}

