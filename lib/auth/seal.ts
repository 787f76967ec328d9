/**
 * Sealing (iron-session: AES-256-CBC + HMAC-SHA-256) and the cookie chunks that carry a seal too
 * large for one cookie. The one implementation behind the session, the activity cookie, the login
 * transaction and values kept in a server-side store.
 *
 * Secrets: the newest secret seals; unsealing tries each secret in turn. The seal's password id is
 * always `1`, so a cookie never carries anything derived from a secret (a hash of the secret as
 * key id would let anyone holding one cookie test guesses offline).
 *
 * Reading never throws: a missing, tampered, expired, oversized or malformed value is `null`.
 *
 * Edge-safe: iron-session 8 runs on WebCrypto. Node code installs a synchronous `node:crypto`
 * implementation of the same format ({@link useSealer}, from `server/iron.ts`), so the edge guard
 * and the Node routes read each other's seals.
 *
 * @see https://github.com/hapijs/iron (the seal format)
 */
import { sealData, unsealData } from 'iron-session'
import { deleteCookie, serializeCookie } from './cookies'
import { processSingleton } from './singleton'

/**
 * A seal implementation: iron's format, password id `1`. `open` answers `{}` for anything it
 * refuses (iron-session's convention); it may also throw.
 */
export interface Sealer {
  seal(data: unknown, password: string, ttl: number): Promise<string>
  open(value: string, password: string, ttl: number): Promise<unknown>
}

const ironSession: Sealer = {
  seal: (data, password, ttl) => sealData(data, { password: { 1: password }, ttl }),
  open: (value, password, ttl) => unsealData<unknown>(value, { password: { 1: password }, ttl }),
}

const sealer = processSingleton('sealer', () => ({ current: ironSession }))

/**
 * Replaces the seal implementation of this process (Node code installs its faster one).
 *
 * @param implementation - Seals and opens in iron's format; null restores iron-session.
 * @example
 * ```ts
 * useSealer(nodeSealer)
 * ```
 */
export function useSealer(implementation: Sealer | null): void {
  sealer.current = implementation ?? ironSession
}

/** One cookie holds at most 4096 bytes with its name; 3800 leaves room for the name and attributes. */
export const CHUNK_SIZE = 3800
/** At most this many chunks (22,800 bytes) per sealed cookie. */
export const MAX_CHUNKS = 6

/**
 * The exact shape iron-session writes: `Fe26.2*id*salt*iv*ciphertext*expiry*hmacSalt*hmac~2`.
 * iron-session ignores anything after `~2` and some other deviations; refusing them up front means
 * a modified cookie value is never accepted, even when its sealed content is intact.
 */
export const SEAL_PATTERN = /^Fe26\.2\*\d+\*[0-9a-f]+\*[A-Za-z0-9_-]+\*[A-Za-z0-9_-]+\*\d*\*[0-9a-f]+\*[A-Za-z0-9_-]+~2$/

/**
 * Seals `data` with the newest secret.
 *
 * @param data - JSON-serialisable data.
 * @param secrets - Secrets, newest first.
 * @param ttl - Lifetime of the seal in seconds (iron checks it on unseal).
 * @returns The seal.
 * @example
 * ```ts
 * const value = await seal({ v: 1 }, config.session.secrets, 600)
 * ```
 */
export async function seal(data: unknown, secrets: readonly string[], ttl: number): Promise<string> {
  return sealer.current.seal(data, secrets[0], ttl)
}

function isEmpty(data: unknown): boolean {
  return typeof data === 'object' && data !== null && Object.keys(data).length === 0
}

const UNSEAL_CACHE_MS = 60_000

/**
 * When a seal stops being valid (milliseconds), from its expiration field: a remembered open never
 * outlives it. 0 when the seal has no expiry.
 */
export function sealExpiry(value: string): number {
  const expiry = Number(value.split('*')[5])
  return Number.isFinite(expiry) && expiry > 0 ? expiry : 0
}

/** How long an open of `value` may be remembered: a minute, and never past the seal's expiry. */
export function memoUntil(value: string, now = Date.now()): number {
  const expiry = sealExpiry(value)
  return expiry ? Math.min(now + UNSEAL_CACHE_MS, expiry) : now + UNSEAL_CACHE_MS
}

const UNSEAL_CACHE_SIZE = 1000
type Cached = { data: unknown; until: number; secrets: readonly string[] }
const unsealCache = processSingleton('unseal-cache', () => new Map<string, Cached>())

/**
 * Adds a memo entry to a bounded map. Entries are inserted in time order, so the expired ones are
 * at the front: they are dropped first (a busy server holds only the last minute's seals, not the
 * last `max`), then the oldest while the map is full.
 *
 * @param cache - The memo, keyed by seal.
 * @param key - The seal.
 * @param entry - What to remember, with its `until` (ms since the epoch).
 * @param max - The most entries kept.
 * @example
 * ```ts
 * remember(cache, seal, { data, until: memoUntil(seal) }, 1000)
 * ```
 */
export function remember<V extends { until: number }>(cache: Map<string, V>, key: string, entry: V, max: number): void {
  const now = Date.now()
  for (const [oldest, value] of cache) {
    if (value.until > now && cache.size < max) break
    cache.delete(oldest)
  }
  cache.delete(key)
  cache.set(key, entry)
}

/**
 * Opens a seal with any of the secrets, or returns null. Successful opens are remembered for a
 * minute, keyed by the whole seal (about 0.5 ms of CPU per open otherwise, paid by the guard and
 * again by the page). `accept` checks the shape; a seal whose content fails it is null too.
 *
 * @param value - The seal.
 * @param secrets - Secrets, newest first.
 * @param ttl - The lifetime the seal was made with.
 * @param accept - Shape check of the opened data.
 * @param memo - Whether to remember the open (false when the caller keeps its own memo).
 * @returns The data, or null.
 * @example
 * ```ts
 * const txn = await unseal(cookie, secrets, 600, isTransaction)
 * ```
 */
export async function unseal<T>(value: string, secrets: readonly string[], ttl: number, accept: (data: unknown) => data is T, memo = true): Promise<T | null> {
  if (!value || value.length > CHUNK_SIZE * MAX_CHUNKS || !SEAL_PATTERN.test(value)) return null
  const cached = unsealCache.get(value)
  if (cached && cached.until > Date.now() && cached.secrets === secrets) return accept(cached.data) ? cached.data : null
  for (const secret of secrets) {
    let data: unknown
    try {
      data = await sealer.current.open(value, secret, ttl)
    } catch {
      // iron-session rethrows some crafted-seal errors: a crafted value is just "nothing here".
      continue
    }
    // iron-session reports a wrong secret, a bad MAC or an expired seal as `{}`: try the next secret.
    if (isEmpty(data) || !accept(data)) continue
    if (memo) remember(unsealCache, value, { data, until: memoUntil(value), secrets }, UNSEAL_CACHE_SIZE)
    return data
  }
  return null
}

/**
 * Names of the cookies a value of `count` chunks uses. One chunk keeps the plain name.
 *
 * @param name - Base cookie name.
 * @param count - Number of chunks.
 * @returns The names.
 * @example
 * ```ts
 * chunkNames('s', 2) // ['s.0', 's.1']
 * ```
 */
export function chunkNames(name: string, count: number): string[] {
  return count <= 1 ? [name] : Array.from({ length: count }, (_, i) => `${name}.${i}`)
}

/** Every name a chunked value of `name` can use: the plain name and `.0` to `.5`. */
export function allChunkNames(name: string): string[] {
  return [name, ...Array.from({ length: MAX_CHUNKS }, (_, i) => `${name}.${i}`)]
}

/**
 * The value carried by `name` or by `name.0..n` in these cookies.
 *
 * @param cookies - Parsed request cookies.
 * @param name - Base cookie name.
 * @returns The joined value, or null.
 * @example
 * ```ts
 * const sealed = readChunked(parseCookies(header), config.session.cookieName)
 * ```
 */
export function readChunked(cookies: Map<string, string>, name: string): string | null {
  const plain = cookies.get(name)
  if (plain) return plain
  const parts: string[] = []
  for (let i = 0; i < MAX_CHUNKS; i++) {
    const part = cookies.get(`${name}.${i}`)
    if (!part) break
    parts.push(part)
  }
  return parts.length ? parts.join('') : null
}

/** The chunks of `value`, as `[name, value]` pairs. */
export function splitChunks(name: string, value: string): [string, string][] {
  const names = chunkNames(name, Math.ceil(value.length / CHUNK_SIZE))
  return names.map((chunk, i) => [chunk, value.slice(i * CHUNK_SIZE, (i + 1) * CHUNK_SIZE)])
}

/** Whether `value` fits the chunk budget. */
export function fitsChunks(value: string): boolean {
  return Math.ceil(value.length / CHUNK_SIZE) <= MAX_CHUNKS
}

/**
 * Set-Cookie headers that store `value` in chunks and delete every other name the value could
 * have used, whether or not this request carried it: a write never leaves a stale chunk behind.
 * The caller checks {@link fitsChunks} first.
 *
 * @param name - Base cookie name.
 * @param value - The seal.
 * @param options - `secure`, `maxAge`.
 * @returns Set-Cookie header values.
 * @example
 * ```ts
 * for (const c of writeChunked(name, seal, { secure: true, maxAge: 28800 })) headers.append('set-cookie', c)
 * ```
 */
export function writeChunked(name: string, value: string, options: { secure: boolean; maxAge: number }): string[] {
  const chunks = splitChunks(name, value)
  const written = new Set(chunks.map(([chunk]) => chunk))
  return [
    ...chunks.map(([chunk, part]) => serializeCookie(chunk, part, options)),
    ...allChunkNames(name).filter((chunk) => !written.has(chunk)).map((chunk) => deleteCookie(chunk, options.secure)),
  ]
}

/**
 * Set-Cookie headers that delete a chunked value entirely.
 *
 * @param name - Base cookie name.
 * @param secure - Whether the cookies are Secure.
 * @returns Set-Cookie header values.
 * @example
 * ```ts
 * clearChunked(config.session.cookieName, true)
 * ```
 */
export function clearChunked(name: string, secure: boolean): string[] {
  return allChunkNames(name).map((chunk) => deleteCookie(chunk, secure))
}
