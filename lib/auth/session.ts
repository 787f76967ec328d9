/**
 * The session: what is sealed into the session cookie, the public {@link Session} view pages see,
 * the timeouts, and when the access token is due for refresh.
 *
 * Two cookies per session. The session cookie (chunked when large) holds the identity and, with the
 * cookie store, the tokens; it is written only by login and refresh. The small activity cookie
 * holds the idle timer and a refresh back-off; the guard rewrites it as the user moves around. So
 * touching the idle timer never re-seals tokens: a touch racing a refresh cannot put back a
 * rotated-out refresh token.
 *
 * Edge-safe.
 *
 * @see https://cheatsheetseries.owasp.org/cheatsheets/Session_Management_Cheat_Sheet.html (absolute and idle timeouts)
 */
import { decodeJwt } from 'jose'
import { sanitizeClaims, userAttributes, type Claims } from './claims'
import type { SessionSettings } from './config'

/** The tokens of a session. */
export interface TokenSet {
  accessToken: string
  idToken: string
  refreshToken?: string
  /** Access token expiry, seconds since the epoch (app clock). */
  expiresAt: number
  /** When the IS answered with these tokens, seconds since the epoch (app clock). */
  issuedAt: number
  scope?: string
}

/** What the session cookie seals. */
export interface SessionRecord {
  v: 2
  /** Random id of this app session: logout revokes it, so a copied cookie dies with the logout. */
  id: string
  /** Issuer and subject: the only stable identity (OIDC Core 5.7). */
  iss: string
  sub: string
  /** The IS session (`sid` claim), for back-channel logout. */
  sid?: string
  username: string
  /** When the user signed in to this app, milliseconds since the epoch. The absolute timeout runs from here. */
  createdAt: number
  /** When this cookie was written (login or refresh), milliseconds. */
  writtenAt: number
  /** `auth_time` of the ID token (seconds), when the IS sent one. */
  authTime?: number
  acr?: string
  amr?: string[]
  /** Tokens, with the cookie store. Absent when they live in the session store. */
  tokens?: TokenSet
  /** Userinfo claims the ID token does not carry. */
  extras?: Claims
  /** Tokens and extras live in the session store under the session id. */
  stored?: true
}

/** What the activity cookie seals. */
export interface ActivityRecord {
  v: 1
  /** The session this belongs to. */
  id: string
  /** Last request seen, milliseconds. */
  seen: number
  /** Do not send documents to the refresh route before this time (ms): after a failure, or when the route found nothing due. */
  holdUntil?: number
}

/**
 * The session as pages and route handlers see it (`auth.getSession()`).
 */
export interface Session {
  id: string
  iss: string
  sub: string
  sid?: string
  /** The name to greet the user with. */
  username: string
  /** User attributes released by the IS: ID token and userinfo claims, sanitised. */
  user: Claims
  accessToken: string
  idToken: string
  refreshToken?: string
  /** Access token expiry, seconds since the epoch. */
  expiresAt: number
  scope?: string
  /** Sign-in time of this app session, milliseconds since the epoch. */
  createdAt: number
  /** When the user authenticated at the IS (`auth_time`, seconds), when known. */
  authTime?: number
  acr?: string
  amr?: string[]
}

/** The shortest interval between two refreshes of one session (seconds), whatever `expires_in` says. */
export const MIN_REFRESH_INTERVAL = 2
/** Lifetimes above this are treated as this (an IS bug must not make a session that never refreshes). */
export const MAX_TOKEN_LIFETIME = 24 * 3600
/** Lifetime assumed when the IS sends no usable `expires_in` (WSO2's default). */
export const DEFAULT_TOKEN_LIFETIME = 3600

/**
 * The access token lifetime to plan with, from a token response's `expires_in` (RFC 6749 5.1).
 * Absent or unusable values mean the IS default; zero and negative values mean "already expired";
 * absurd values are capped so the session still refreshes.
 *
 * @param expiresIn - `expires_in` as received (number or numeric string).
 * @returns Seconds, between 0 and {@link MAX_TOKEN_LIFETIME}.
 * @example
 * ```ts
 * tokenLifetime('3600') // 3600
 * tokenLifetime(-5)     // 0
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-5.1
 */
export function tokenLifetime(expiresIn: unknown): number {
  const value = typeof expiresIn === 'string' && /^-?\d+$/.test(expiresIn.trim()) ? Number(expiresIn) : expiresIn
  if (typeof value !== 'number' || !Number.isFinite(value)) return DEFAULT_TOKEN_LIFETIME
  return Math.min(MAX_TOKEN_LIFETIME, Math.max(0, Math.floor(value)))
}

/**
 * Whether the access token should be refreshed now: `refreshBuffer` seconds before it expires but
 * never earlier than half its lifetime, and never within {@link MIN_REFRESH_INTERVAL} of the last
 * refresh (so `expires_in: 0` cannot make every request refresh).
 *
 * @param tokens - The current tokens.
 * @param settings - Session settings.
 * @param now - Seconds since the epoch.
 * @returns Whether to refresh.
 * @example
 * ```ts
 * if (needsRefresh(tokens, config.session)) await refresh()
 * ```
 */
export function needsRefresh(tokens: TokenSet, settings: Pick<SessionSettings, 'refreshBuffer'>, now = nowSeconds()): boolean {
  if (!tokens.refreshToken) return false
  const lifetime = Math.max(0, tokens.expiresAt - tokens.issuedAt)
  const buffer = Math.min(settings.refreshBuffer, Math.floor(lifetime / 2))
  return now >= Math.max(tokens.expiresAt - buffer, tokens.issuedAt + MIN_REFRESH_INTERVAL)
}

/** Seconds since the epoch. */
export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000)
}

/** Why a readable session is still not accepted. */
export type SessionExpiry = 'absolute' | 'idle' | null

/**
 * Absolute and idle timeouts, from times inside the seals (never from the cookie's Max-Age).
 *
 * @param record - The session.
 * @param lastSeen - Last activity, milliseconds.
 * @param settings - Timeouts.
 * @param now - Milliseconds.
 * @returns Which timeout ended the session, or null.
 * @example
 * ```ts
 * if (sessionExpiry(record, seen, config.session)) return null
 * ```
 */
export function sessionExpiry(record: SessionRecord, lastSeen: number, settings: Pick<SessionSettings, 'maxAge' | 'idleTimeout'>, now = Date.now()): SessionExpiry {
  if (now - record.createdAt >= settings.maxAge * 1000) return 'absolute'
  if (now - lastSeen >= settings.idleTimeout * 1000) return 'idle'
  return null
}

/** Seconds until the session's absolute end (at least 1): the TTL of anything stored for it. */
export function remainingLifetime(record: Pick<SessionRecord, 'createdAt'>, settings: Pick<SessionSettings, 'maxAge'>, now = Date.now()): number {
  return Math.max(1, Math.ceil((record.createdAt + settings.maxAge * 1000 - now) / 1000) + 60)
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

const opt = (value: unknown, type: 'string' | 'number') => value === undefined || typeof value === type

/** Shape check of a token set read back from a seal or a store. */
export function isTokenSet(value: unknown): value is TokenSet {
  return (
    isRecord(value) &&
    typeof value.accessToken === 'string' &&
    typeof value.idToken === 'string' &&
    opt(value.refreshToken, 'string') &&
    Number.isFinite(value.expiresAt) &&
    Number.isFinite(value.issuedAt) &&
    opt(value.scope, 'string')
  )
}

/**
 * TypeScript cannot vouch for what comes out of a seal (an older version of the app may have
 * written it), so the shape is checked field by field.
 */
export function isSessionRecord(value: unknown): value is SessionRecord {
  if (!isRecord(value)) return false
  return (
    value.v === 2 &&
    typeof value.id === 'string' &&
    typeof value.iss === 'string' &&
    typeof value.sub === 'string' &&
    value.sub.length > 0 &&
    opt(value.sid, 'string') &&
    typeof value.username === 'string' &&
    Number.isFinite(value.createdAt) &&
    Number.isFinite(value.writtenAt) &&
    opt(value.authTime, 'number') &&
    opt(value.acr, 'string') &&
    (value.amr === undefined || (Array.isArray(value.amr) && value.amr.every((m) => typeof m === 'string'))) &&
    (value.tokens === undefined ? value.stored === true : isTokenSet(value.tokens)) &&
    (value.extras === undefined || isRecord(value.extras))
  )
}

/** Shape check of the activity cookie. */
export function isActivityRecord(value: unknown): value is ActivityRecord {
  return isRecord(value) && value.v === 1 && typeof value.id === 'string' && Number.isFinite(value.seen) && opt(value.holdUntil, 'number')
}

/**
 * The public view of a session: identity, sanitised user attributes and the current tokens.
 *
 * @param record - The session record.
 * @param tokens - Its current tokens (from the cookie or the session store).
 * @param extras - Userinfo claims the ID token lacks.
 * @returns The {@link Session}.
 */
export function toSession(record: SessionRecord, tokens: TokenSet, extras: Claims | undefined): Session {
  let idClaims: unknown = {}
  try {
    idClaims = decodeJwt(tokens.idToken)
  } catch {}
  return {
    id: record.id,
    iss: record.iss,
    sub: record.sub,
    sid: record.sid,
    username: record.username,
    user: userAttributes(idClaims, sanitizeClaims(extras)),
    accessToken: tokens.accessToken,
    idToken: tokens.idToken,
    refreshToken: tokens.refreshToken,
    expiresAt: tokens.expiresAt,
    scope: tokens.scope,
    createdAt: record.createdAt,
    authTime: record.authTime,
    acr: record.acr,
    amr: record.amr,
  }
}

