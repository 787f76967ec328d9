/**
 * Server-side revocation: what a stateless iron cookie cannot do alone (rp-security SC-08, LO-07).
 * Logout and back-channel logout write here; pages and route handlers check here before trusting
 * a cookie. In process memory by default (one instance), in Redis when REDIS_URL is set (several
 * instances share it).
 *
 * Node only.
 */
import 'server-only'
import type { SessionData } from './session'
import { processSingleton } from './singleton'

export interface RevocationStore {
  /** Stores `value` under `key` for `ttl` seconds. */
  set(key: string, value: string, ttl: number): Promise<void>
  /** Stores only if `key` is absent; true when it was stored (first sighting). */
  setIfAbsent(key: string, value: string, ttl: number): Promise<boolean>
  get(key: string): Promise<string | null>
}

export class MemoryRevocationStore implements RevocationStore {
  private readonly entries = new Map<string, { value: string; expires: number }>()

  constructor(private readonly now: () => number = Date.now) {}

  private sweep(): void {
    if (this.entries.size < 10_000) return
    const now = this.now()
    for (const [key, entry] of this.entries) if (entry.expires <= now) this.entries.delete(key)
  }

  async set(key: string, value: string, ttl: number): Promise<void> {
    this.sweep()
    this.entries.set(key, { value, expires: this.now() + ttl * 1000 })
  }

  async setIfAbsent(key: string, value: string, ttl: number): Promise<boolean> {
    if ((await this.get(key)) !== null) return false
    await this.set(key, value, ttl)
    return true
  }

  async get(key: string): Promise<string | null> {
    const entry = this.entries.get(key)
    if (!entry) return null
    if (entry.expires <= this.now()) {
      this.entries.delete(key)
      return null
    }
    return entry.value
  }
}

/** Minimal view of a node-redis client, so the store can be tested with a fake. */
export interface RedisLike {
  set(key: string, value: string, options: { EX: number; NX?: true }): Promise<string | null>
  get(key: string): Promise<string | null>
}

/** A Redis call that takes longer than this fails (and a revocation check then fails closed). */
export const REDIS_TIMEOUT_MS = 2000

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`redis: no answer in ${ms} ms`)), ms)
  })
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer))
}

export class RedisRevocationStore implements RevocationStore {
  constructor(
    private readonly client: RedisLike,
    private readonly prefix = 'myclinic:revoked:',
    private readonly timeoutMs = REDIS_TIMEOUT_MS,
  ) {}

  async set(key: string, value: string, ttl: number): Promise<void> {
    await withTimeout(this.client.set(this.prefix + key, value, { EX: Math.max(1, Math.ceil(ttl)) }), this.timeoutMs)
  }

  async setIfAbsent(key: string, value: string, ttl: number): Promise<boolean> {
    const reply = await withTimeout(this.client.set(this.prefix + key, value, { EX: Math.max(1, Math.ceil(ttl)), NX: true }), this.timeoutMs)
    return reply === 'OK'
  }

  async get(key: string): Promise<string | null> {
    return withTimeout(this.client.get(this.prefix + key), this.timeoutMs)
  }
}

/**
 * Client options: commands fail at once while disconnected (no offline queue that would hold a
 * page request until Redis is back), and reconnects back off up to 5 s.
 */
export const REDIS_CLIENT_OPTIONS = {
  disableOfflineQueue: true,
  socket: { connectTimeout: 5000, reconnectStrategy: (retries: number) => Math.min(retries * 200, 5000) },
}

export const keys = {
  session: (id: string) => `session:${id}`,
  sid: (iss: string, sid: string) => `sid:${iss}|${sid}`,
  /** All sessions of a subject that started at or before the stored time. */
  sub: (iss: string, sub: string) => `sub:${iss}|${sub}`,
  jti: (iss: string, jti: string) => `jti:${iss}|${jti}`,
}

/**
 * Whether the session is still valid as far as the server-side list knows: false when revoked,
 * and false as well when the store cannot be reached (fail closed).
 */
export async function isActive(redisUrl: string | undefined, session: SessionData): Promise<boolean> {
  let store: RevocationStore
  try {
    store = await getRevocationStore(redisUrl)
  } catch (error) {
    console.error('[auth] revocation store unavailable; treating the session as revoked:', (error as Error).message)
    return false
  }
  return !(await isRevoked(store, session))
}

/** Whether the session was ended by logout or back-channel logout. Fails closed if the store is down. */
export async function isRevoked(store: RevocationStore, session: SessionData): Promise<boolean> {
  try {
    const [byId, bySid, bySub] = await Promise.all([
      store.get(keys.session(session.id)),
      session.sid ? store.get(keys.sid(session.iss, session.sid)) : Promise.resolve(null),
      store.get(keys.sub(session.iss, session.sub)),
    ])
    if (byId !== null || bySid !== null) return true
    return bySub !== null && Number(bySub) >= session.createdAt
  } catch (error) {
    console.error('[auth] revocation store unavailable; treating the session as revoked:', (error as Error).message)
    return true
  }
}

/** Ends this app session and, when the IS gave one, every app session of the same IS session. */
export async function revokeSession(store: RevocationStore, session: SessionData, ttl: number): Promise<void> {
  await Promise.all([
    store.set(keys.session(session.id), '1', ttl),
    session.sid ? store.set(keys.sid(session.iss, session.sid), '1', ttl) : Promise.resolve(),
  ])
}

const holder = processSingleton('revocation', () => ({ store: undefined as Promise<RevocationStore> | undefined }))

/** The process-wide store: Redis when `redisUrl` is set, memory otherwise. */
export function getRevocationStore(redisUrl: string | undefined): Promise<RevocationStore> {
  holder.store ??= (async () => {
    if (!redisUrl) return new MemoryRevocationStore()
    const { createClient } = await import('redis')
    const client = createClient({ url: redisUrl, ...REDIS_CLIENT_OPTIONS })
    client.on('error', (error: Error) => console.error('[auth] redis:', error.message))
    try {
      // node-redis retries a failed first connection forever; bound it so requests fail closed instead of hanging.
      await withTimeout(client.connect(), 5000)
    } catch (error) {
      client.destroy()
      throw error
    }
    return new RedisRevocationStore(client as unknown as RedisLike)
  })().catch((error) => {
    holder.store = undefined
    throw error
  })
  return holder.store
}
