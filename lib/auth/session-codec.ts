/**
 * How sessions are written into seals and stores: JWTs packed to their JSON, the whole deflated
 * when that is smaller, sealed with the session secret, and opened again with a short memo so a
 * request that reads the session in the guard and again in the page pays once.
 *
 * Edge-safe.
 */
import { deflate, inflate, packToken, unpackToken, type PackedToken } from './pack'
import type { SessionSettings } from './config'
import { memoUntil, remember, seal, unseal } from './seal'
import { processSingleton } from './singleton'
import { isTokenSet, type SessionRecord, type TokenSet } from './session'
import type { Claims } from './claims'

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

type PackedTokens = Omit<TokenSet, 'accessToken' | 'idToken'> & { accessToken: PackedToken; idToken: PackedToken }

function packTokens(tokens: TokenSet): PackedTokens {
  return { ...tokens, accessToken: packToken(tokens.accessToken), idToken: packToken(tokens.idToken) }
}

function unpackTokens(value: unknown): unknown {
  if (!isRecord(value)) return value
  const at = value.accessToken
  const it = value.idToken
  const ok = (p: unknown) => typeof p === 'string' || (Array.isArray(p) && p.length === 3 && p.every((s) => typeof s === 'string'))
  if (!ok(at) || !ok(it)) return undefined
  return { ...value, accessToken: unpackToken(at as PackedToken), idToken: unpackToken(it as PackedToken) }
}

/**
 * Serialises session data for a seal: JWTs packed to JSON, then deflated when that is smaller.
 *
 * @param data - A session record or a stored token set.
 * @returns A JSON-compatible value to seal.
 */
export async function compact(data: SessionRecord | StoredSession): Promise<unknown> {
  const packed = data.tokens ? { ...data, tokens: packTokens(data.tokens) } : data
  const json = JSON.stringify(packed)
  if (json.length < 600) return packed
  const z = deflate(json)
  return z.length * 1.05 < json.length ? { z } : packed
}

/** Inverse of {@link compact}. */
export async function expand(value: unknown): Promise<unknown> {
  let data = value
  if (isRecord(value) && typeof value.z === 'string' && Object.keys(value).length === 1) {
    try {
      data = JSON.parse(inflate(value.z))
    } catch {
      return undefined
    }
  }
  if (isRecord(data) && data.tokens !== undefined) return { ...data, tokens: unpackTokens(data.tokens) }
  return data
}

/** What a session store keeps for a session: its tokens and userinfo extras. */
export interface StoredSession {
  tokens: TokenSet
  extras?: Claims
}

/** Shape check of a stored session. */
export function isStoredSession(value: unknown): value is StoredSession {
  return isRecord(value) && value.v === undefined && isTokenSet(value.tokens) && (value.extras === undefined || isRecord(value.extras))
}

const isAny = (value: unknown): value is unknown => value !== undefined && value !== null

const decoded = processSingleton('session-decoded', () => new Map<string, { record: SessionRecord | StoredSession; until: number; secrets: readonly string[] }>())

/**
 * Seals a session record (or a stored session) compactly.
 *
 * @param data - What to seal.
 * @param settings - Secrets and lifetime.
 * @returns The seal.
 * @example
 * ```ts
 * const value = await sealSession(record, config.session)
 * ```
 */
export async function sealSession(data: SessionRecord | StoredSession, settings: Pick<SessionSettings, 'secrets' | 'maxAge'>): Promise<string> {
  return seal(await compact(data), settings.secrets, settings.maxAge + 60)
}

/**
 * Opens a seal written by {@link sealSession}; null when unreadable or of the wrong shape.
 * Results are remembered briefly by seal, like unseals.
 */
export async function openSession<T extends SessionRecord | StoredSession>(
  value: string,
  settings: Pick<SessionSettings, 'secrets' | 'maxAge'>,
  accept: (data: unknown) => data is T,
): Promise<T | null> {
  const hit = decoded.get(value)
  if (hit && hit.until > Date.now() && hit.secrets === settings.secrets) return accept(hit.record) ? (hit.record as T) : null
  // The decoded memo below is this seal's only memo: the raw one would hold the same seal twice.
  const raw = await unseal(value, settings.secrets, settings.maxAge + 60, isAny, false)
  if (raw === null) return null
  const data = await expand(raw)
  if (!accept(data)) return null
  remember(decoded, value, { record: data, until: memoUntil(value), secrets: settings.secrets }, 1000)
  return data
}

