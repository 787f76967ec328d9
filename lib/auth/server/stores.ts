/**
 * The stores behind a context: process memory, Redis, or the app's own {@link AuthStore}. `redis`
 * is imported only when a Redis store is configured, so an app that never sets `REDIS_URL` needs
 * neither the package nor the server. Every Redis command has a short timeout and the client keeps
 * no offline queue: while Redis is down, calls fail at once (`store_unavailable`) instead of holding
 * page requests.
 *
 * Node only.
 *
 * @see https://redis.io/docs/latest/commands/set/ (SET ... NX EX)
 */
import 'server-only'
import type { AuthConfig } from '../config'
import { redactUrl } from '../config'
import { AuthError } from '../errors'
import { processSingleton } from '../singleton'
import { MemoryStore, warnIfMemoryStore, type AuthStore } from '../store'

/** A Redis call that takes longer than this fails. */
export const REDIS_TIMEOUT_MS = 2000

/** The part of a node-redis client the store uses (so it can be tested with a fake). */
export interface RedisLike {
  get(key: string): Promise<string | null>
  set(key: string, value: string, options: { EX: number; NX?: true }): Promise<string | null>
  del(key: string): Promise<number>
  mGet(keys: string[]): Promise<(string | null)[]>
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer in ${ms} ms`)), ms)
  })
  return Promise.race([promise, timeout])
    .catch((error: unknown) => {
      throw new AuthError('store_unavailable', `redis ${what}: ${(error as Error)?.message ?? 'failed'}`, { cause: error })
    })
    .finally(() => clearTimeout(timer))
}

/** An {@link AuthStore} on Redis. Keys are prefixed with the app name. */
export class RedisStore implements AuthStore {
  /**
   * @param client - A connected node-redis client.
   * @param prefix - Key prefix, e.g. `myapp:`.
   * @param timeoutMs - Per-command timeout.
   */
  constructor(
    private readonly client: RedisLike,
    private readonly prefix: string,
    private readonly timeoutMs = REDIS_TIMEOUT_MS,
  ) {}

  get(key: string): Promise<string | null> {
    return withTimeout(this.client.get(this.prefix + key), this.timeoutMs, 'GET')
  }

  async set(key: string, value: string, ttl: number): Promise<void> {
    await withTimeout(this.client.set(this.prefix + key, value, { EX: Math.max(1, Math.ceil(ttl)) }), this.timeoutMs, 'SET')
  }

  async setIfAbsent(key: string, value: string, ttl: number): Promise<boolean> {
    const reply = await withTimeout(this.client.set(this.prefix + key, value, { EX: Math.max(1, Math.ceil(ttl)), NX: true }), this.timeoutMs, 'SET NX')
    return reply === 'OK'
  }

  async delete(key: string): Promise<void> {
    await withTimeout(this.client.del(this.prefix + key), this.timeoutMs, 'DEL')
  }

  getMany(keys: string[]): Promise<(string | null)[]> {
    return withTimeout(this.client.mGet(keys.map((k) => this.prefix + k)), this.timeoutMs, 'MGET')
  }
}

/**
 * node-redis options: commands fail at once while disconnected (no offline queue that would hold a
 * page request until Redis is back), and reconnects back off up to 2 s.
 */
export const REDIS_CLIENT_OPTIONS = {
  disableOfflineQueue: true,
  socket: { connectTimeout: 5000, reconnectStrategy: (retries: number) => Math.min(50 + retries * 100, 2000) },
}

type Client = RedisLike & { connect(): Promise<unknown>; destroy(): void; on(event: 'error', listener: (error: Error) => void): unknown }

/** One connection per Redis URL per process, shared by every context. */
const clients = processSingleton('redis-clients', () => new Map<string, Promise<Client>>())

async function connect(url: string): Promise<Client> {
  // Loaded at run time, not bundled: apps without Redis need neither the package nor the server.
  const { createClient } = (await import(/* webpackIgnore: true */ /* turbopackIgnore: true */ 'redis' as string)) as { createClient(options: object): Client }
  const client = createClient({ url, ...REDIS_CLIENT_OPTIONS })
  client.on('error', (error: Error) => console.error(`[auth] redis ${redactUrl(url)}: ${error.message}`))
  try {
    // node-redis retries a failed first connection forever; bound it so requests fail closed instead of hanging.
    await withTimeout(client.connect(), 5000, 'connect')
  } catch (error) {
    client.destroy()
    throw error
  }
  return client
}

/**
 * A lazily connected Redis store: the first command connects; a failed connection is retried on
 * the next command rather than cached.
 */
class LazyRedisStore implements AuthStore {
  constructor(
    private readonly url: string,
    private readonly prefix: string,
  ) {}

  private async store(): Promise<RedisStore> {
    let pending = clients.get(this.url)
    if (!pending) {
      pending = connect(this.url)
      clients.set(this.url, pending)
      pending.catch(() => clients.delete(this.url))
    }
    return new RedisStore(await pending, this.prefix)
  }

  async get(key: string) { return (await this.store()).get(key) }
  async set(key: string, value: string, ttl: number) { return (await this.store()).set(key, value, ttl) }
  async setIfAbsent(key: string, value: string, ttl: number) { return (await this.store()).setIfAbsent(key, value, ttl) }
  async delete(key: string) { return (await this.store()).delete(key) }
  async getMany(keys: string[]) { return (await this.store()).getMany(keys) }
}

/**
 * The app's memory store (shared by its route bundles), warning once that it does not survive a
 * restart or reach other instances.
 */
function memoryStore(appName: string): MemoryStore {
  return processSingleton(`memory-store:${appName}`, () => {
    warnIfMemoryStore(appName, 'memory')
    return new MemoryStore()
  })
}

/**
 * The store for `kind` under this configuration.
 *
 * @param config - The configuration.
 * @param kind - `revocation` (revocations, logout-token replay, refresh locks) or `session` (tokens).
 * @returns The store, or null for the cookie session store.
 */
export function storeFor(config: AuthConfig, kind: 'revocation' | 'session'): AuthStore | null {
  const choice = kind === 'revocation' ? config.revocationStore : config.sessionStore
  if (typeof choice === 'object') return choice
  if (choice === 'cookie') return null
  if (choice === 'redis') return new LazyRedisStore(config.redisUrl!, `${config.appName}:`)
  return memoryStore(config.appName)
}
