/**
 * The session: an iron-session seal (AES-256-CBC + HMAC-SHA-256) in an HttpOnly cookie, split into
 * chunks when it passes what one cookie can hold. Everything the dashboard shows lives inside the
 * seal; nothing readable reaches the browser.
 *
 * Reading never throws: a missing, tampered, expired, oversized or malformed cookie is simply
 * "no session" (rp-security SC-04, SC-05) — iron-session rethrows some crafted-seal errors, so
 * every unseal is wrapped.
 *
 * Edge-safe: iron-session 8 runs on WebCrypto.
 */
import { sealData, unsealData } from 'iron-session'
import type { SessionConfig } from './config'
import { deleteCookie, serializeCookie } from './cookies'
import { AuthError } from './errors'
import { processSingleton } from './singleton'

export interface SessionUser {
  [claim: string]: unknown
}

export interface SessionData {
  v: 1
  /** Random id of this app session: logout revokes it, so a copied cookie dies with the logout. */
  id: string
  /** Issuer and subject: the only stable identity (OIDC Core 5.7). */
  iss: string
  sub: string
  /** The IS session id (`sid` claim), used by back-channel logout. */
  sid?: string
  username: string
  /** User attributes released by the IS (ID token and userinfo claims). */
  user: SessionUser
  accessToken: string
  /** Raw ID token, kept for the logout `id_token_hint`. */
  idToken: string
  refreshToken?: string
  /** Access token expiry, seconds since the epoch. */
  expiresAt: number
  /** When the current access token was obtained, seconds since the epoch. */
  tokenIssuedAt: number
  scope?: string
  /** When the user authenticated, seconds since the epoch: the absolute timeout runs from here. */
  createdAt: number
  /** Last time the session was seen in use, for the idle timeout. */
  lastSeen: number
  /** After a transient refresh failure: do not try again before this time (seconds since the epoch). */
  refreshRetryAt?: number
}

/**
 * Whether the access token should be refreshed now: AUTH_REFRESH_BUFFER seconds before it expires,
 * but never earlier than half its lifetime, so short-lived tokens are not refreshed on every request.
 */
export function needsRefresh(data: SessionData, config: SessionConfig, now = nowSeconds()): boolean {
  if (!data.refreshToken) return false
  if (data.refreshRetryAt !== undefined && now < data.refreshRetryAt) return false
  const lifetime = Math.max(0, data.expiresAt - data.tokenIssuedAt)
  const buffer = Math.min(config.refreshBuffer, Math.floor(lifetime / 2))
  return now >= data.expiresAt - buffer
}

/** One cookie holds at most 4096 bytes with its name; 3800 leaves room for the name and attributes. */
export const CHUNK_SIZE = 3800
/**
 * At most this many chunks (22,800 bytes): above it the login fails with `session_too_large`.
 * The whole Cookie header then stays under the 32 KB request-header limit the app's servers set
 * (Node's default is 16 KB; proxies such as nginx default to 8 KB per header line).
 */
export const MAX_CHUNKS = 6

export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000)
}

/** The seal's own expiry: never longer than the absolute session lifetime. */
function sealTtl(config: SessionConfig): number {
  return config.maxAge + 60
}

export async function sealSession(data: SessionData, config: SessionConfig): Promise<string> {
  return sealData(data, { password: { [config.sealId]: config.passwords[config.sealId] }, ttl: sealTtl(config) })
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/**
 * TypeScript cannot vouch for what comes out of a seal (an older version of the app may have
 * written it), so the shape is checked field by field.
 */
export function isSessionData(value: unknown): value is SessionData {
  if (!isRecord(value)) return false
  return (
    value.v === 1 &&
    typeof value.id === 'string' &&
    typeof value.iss === 'string' &&
    typeof value.sub === 'string' &&
    value.sub.length > 0 &&
    (value.sid === undefined || typeof value.sid === 'string') &&
    typeof value.username === 'string' &&
    isRecord(value.user) &&
    typeof value.accessToken === 'string' &&
    typeof value.idToken === 'string' &&
    (value.refreshToken === undefined || typeof value.refreshToken === 'string') &&
    typeof value.expiresAt === 'number' &&
    typeof value.tokenIssuedAt === 'number' &&
    typeof value.createdAt === 'number' &&
    typeof value.lastSeen === 'number' &&
    (value.refreshRetryAt === undefined || typeof value.refreshRetryAt === 'number')
  )
}

/**
 * Unsealing costs about 0.55 ms of CPU (key derivation, AES-CBC, HMAC); a page request unseals in
 * the guard and again in the page. Successful unseals are remembered briefly, keyed by the whole
 * seal, so a repeat costs a map lookup. A seal maps to one value for a given set of secrets, and
 * timeouts are still checked on every request from the data itself.
 */
const UNSEAL_CACHE_SIZE = 1000
const UNSEAL_CACHE_MS = 60_000
const unsealCache = processSingleton('unseal-cache', () => new Map<string, { data: SessionData; until: number; passwords: Record<string, string> }>())

/**
 * The exact shape iron-session writes: `Fe26.2*id*salt*iv*ciphertext*expiry*hmacSalt*hmac~2`.
 * iron-session ignores anything after `~2` and some other deviations; refusing them up front means a
 * modified cookie value is never accepted, even when its sealed content is intact.
 */
export const SEAL_PATTERN = /^Fe26\.2\*\d+\*[0-9a-f]+\*[A-Za-z0-9_-]+\*[A-Za-z0-9_-]+\*\d*\*[0-9a-f]+\*[A-Za-z0-9_-]+~2$/

export async function unsealSession(seal: string, config: SessionConfig): Promise<SessionData | null> {
  if (!seal || seal.length > CHUNK_SIZE * MAX_CHUNKS || !SEAL_PATTERN.test(seal)) return null
  const cached = unsealCache.get(seal)
  if (cached && cached.until > Date.now() && cached.passwords === config.passwords) return cached.data
  try {
    const data = await unsealData<unknown>(seal, { password: config.passwords, ttl: sealTtl(config) })
    if (!isSessionData(data)) return null
    if (unsealCache.size >= UNSEAL_CACHE_SIZE) unsealCache.delete(unsealCache.keys().next().value!)
    unsealCache.set(seal, { data, until: Date.now() + UNSEAL_CACHE_MS, passwords: config.passwords })
    return data
  } catch {
    // "Wrong mac prefix", "Invalid expiration" and friends: a crafted cookie is just no session.
    return null
  }
}

/** Why a session that unsealed fine is still not accepted. */
export type SessionExpiry = 'absolute' | 'idle' | null

/** Absolute and idle timeouts, enforced from data inside the seal, not from the cookie's Max-Age (OWASP; rp-security SC-07). */
export function sessionExpiry(data: SessionData, config: SessionConfig, now = nowSeconds()): SessionExpiry {
  if (now - data.createdAt >= config.maxAge) return 'absolute'
  if (now - data.lastSeen >= config.idleTimeout) return 'idle'
  return null
}

/** Names of the cookies a session of `count` chunks uses. One chunk keeps the plain name. */
export function chunkNames(cookieName: string, count: number): string[] {
  return count <= 1 ? [cookieName] : Array.from({ length: count }, (_, i) => `${cookieName}.${i}`)
}

/** Collects the sealed value from the cookies: either `name` or `name.0..n`. */
export function readSealFromCookies(cookies: Map<string, string>, cookieName: string): string | null {
  const plain = cookies.get(cookieName)
  if (plain) return plain
  const parts: string[] = []
  for (let i = 0; i < MAX_CHUNKS; i++) {
    const part = cookies.get(`${cookieName}.${i}`)
    if (!part) break
    parts.push(part)
  }
  return parts.length ? parts.join('') : null
}

/** The session the cookies carry, or null when it is missing, unreadable or timed out. */
export async function readSession(cookies: Map<string, string>, config: SessionConfig): Promise<SessionData | null> {
  const seal = readSealFromCookies(cookies, config.cookieName)
  const session = seal ? await unsealSession(seal, config) : null
  return session && !sessionExpiry(session, config) ? session : null
}

/** All cookie names that belong to the session in this request. */
export function existingSessionCookieNames(cookies: Map<string, string>, cookieName: string): string[] {
  return [...cookies.keys()].filter((name) => name === cookieName || name.startsWith(`${cookieName}.`))
}

/**
 * Set-Cookie headers that store `seal`, deleting every other session cookie the browser sent so a
 * shorter session never leaves stale chunks behind. Throws `session_too_large` before writing
 * anything when the seal is over budget: never a half-written session.
 */
export function sessionCookieHeaders(seal: string, existing: string[], config: SessionConfig): string[] {
  const count = Math.ceil(seal.length / CHUNK_SIZE)
  if (count > MAX_CHUNKS) {
    throw new AuthError('session_too_large', `sealed session is ${seal.length} bytes, budget ${CHUNK_SIZE * MAX_CHUNKS}`)
  }
  const names = chunkNames(config.cookieName, count)
  const headers = names.map((name, i) =>
    serializeCookie(name, seal.slice(i * CHUNK_SIZE, (i + 1) * CHUNK_SIZE), {
      secure: config.secure,
      maxAge: config.maxAge,
    }),
  )
  for (const name of existing) {
    if (!names.includes(name)) headers.push(deleteCookie(name, config.secure))
  }
  return headers
}

/** Set-Cookie headers that remove the session (every chunk the browser sent, and the plain name). */
export function clearSessionCookieHeaders(existing: string[], config: SessionConfig): string[] {
  const names = new Set([config.cookieName, ...existing])
  return [...names].map((name) => deleteCookie(name, config.secure))
}
