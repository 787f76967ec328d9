/**
 * The small key-value interface behind every piece of server-side state: revocations, replayed
 * logout tokens, refresh locks and results, and (with a session store) the tokens themselves.
 * Implement it to plug in any store; lib/auth ships one in process memory and one on Redis.
 *
 * Values are strings; lib/auth seals anything sensitive before it reaches a store, so a store
 * only ever holds ciphertext, times and flags.
 *
 * Edge-safe.
 */

/**
 * A key-value store with expiry.
 *
 * @example
 * ```ts
 * // A store over any client with get/set/del and expiry, e.g. Upstash or Memcached.
 * const store: AuthStore = {
 *   get: (key) => client.get(key),
 *   set: async (key, value, ttl) => { await client.set(key, value, { ex: ttl }) },
 *   setIfAbsent: async (key, value, ttl) => (await client.set(key, value, { ex: ttl, nx: true })) === 'OK',
 *   delete: async (key) => { await client.del(key) },
 * }
 * export const auth = createAuth({ revocationStore: store })
 * ```
 */
export interface AuthStore {
  /** The value under `key`, or null when absent or expired. */
  get(key: string): Promise<string | null>
  /** Stores `value` under `key` for `ttl` seconds (at least 1). */
  set(key: string, value: string, ttl: number): Promise<void>
  /** Stores only if `key` is absent; resolves true when it stored (first writer wins). */
  setIfAbsent(key: string, value: string, ttl: number): Promise<boolean>
  /** Removes `key`. */
  delete(key: string): Promise<void>
  /** Optional: several values in one round trip (Redis MGET). */
  getMany?(keys: string[]): Promise<(string | null)[]>
}

/**
 * Says once per app and process that revocations kept in memory do not last: a restart forgets
 * every logout, and other instances never see them. Called at start-up (`checkConfig()`) and when
 * the memory store is first used.
 *
 * @param appName - The app.
 * @param store - The configured revocation store.
 */
export function warnIfMemoryStore(appName: string, store: unknown): void {
  if (store !== 'memory' || process.env.NODE_ENV !== 'production') return
  const warned = ((globalThis as Record<symbol, Set<string> | undefined>)[Symbol.for('lib-auth.memory-warned')] ??= new Set())
  if (warned.has(appName)) return
  warned.add(appName)
  console.warn('[auth] revocations and refresh locks are kept in process memory: a restart forgets logouts, and other instances never see them. Set REDIS_URL for production.')
}

/** Several values, with one round trip when the store supports it. */
export async function getMany(store: AuthStore, keys: string[]): Promise<(string | null)[]> {
  if (store.getMany) return store.getMany(keys)
  return Promise.all(keys.map((key) => store.get(key)))
}

interface Entry {
  value: string
  expires: number
  seq: number
}

/**
 * An {@link AuthStore} in process memory, bounded: at most `maxEntries` keys, and when full the
 * entry that expires soonest is evicted first. Expired entries are dropped from a min-heap ordered
 * by expiry as writes happen, so no operation scans the whole store.
 *
 * It lives as long as the process: a restart forgets every revocation. Use Redis in production.
 */
export class MemoryStore implements AuthStore {
  private readonly entries = new Map<string, Entry>()
  /** [expires, seq, key], a binary min-heap by expiry. Stale items (overwritten keys) are skipped. */
  private readonly heap: [number, number, string][] = []
  private seq = 0
  /** Entries evicted before they expired (the store was full). */
  evicted = 0

  /**
   * @param maxEntries - Capacity.
   * @param now - Clock in milliseconds (tests).
   */
  constructor(
    private readonly maxEntries = 100_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** Number of live entries (including not yet swept expired ones). */
  get size(): number {
    return this.entries.size
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

  async set(key: string, value: string, ttl: number): Promise<void> {
    this.put(key, value, ttl)
  }

  async setIfAbsent(key: string, value: string, ttl: number): Promise<boolean> {
    // Synchronous check and write: no await between them, so concurrent callers cannot both win.
    const entry = this.entries.get(key)
    if (entry && entry.expires > this.now()) return false
    this.put(key, value, ttl)
    return true
  }

  async delete(key: string): Promise<void> {
    this.entries.delete(key)
  }

  private put(key: string, value: string, ttl: number): void {
    const now = this.now()
    this.sweep(now)
    const entry: Entry = { value, expires: now + Math.max(1, ttl) * 1000, seq: ++this.seq }
    this.entries.set(key, entry)
    this.push([entry.expires, entry.seq, key])
    while (this.entries.size > this.maxEntries) this.evictSoonest(now)
    // Overwritten keys leave stale heap items behind; rebuild once they outnumber live entries
    // four to one, so the heap stays proportional to the store (amortised constant time).
    if (this.heap.length > 4 * this.entries.size + 1024) this.rebuild()
  }

  private rebuild(): void {
    this.heap.length = 0
    for (const [key, entry] of this.entries) this.push([entry.expires, entry.seq, key])
  }

  /** Drops expired entries from the top of the heap. */
  private sweep(now: number): void {
    while (this.heap.length && this.heap[0][0] <= now) {
      const [, seq, key] = this.pop()!
      if (this.entries.get(key)?.seq === seq) this.entries.delete(key)
    }
  }

  private evictSoonest(now: number): void {
    for (;;) {
      const top = this.pop()
      if (!top) return
      const [expires, seq, key] = top
      if (this.entries.get(key)?.seq !== seq) continue
      this.entries.delete(key)
      if (expires > now) this.evicted++
      return
    }
  }

  private push(item: [number, number, string]): void {
    const heap = this.heap
    heap.push(item)
    let i = heap.length - 1
    while (i > 0) {
      const parent = (i - 1) >> 1
      if (heap[parent][0] <= heap[i][0]) break
      ;[heap[parent], heap[i]] = [heap[i], heap[parent]]
      i = parent
    }
  }

  private pop(): [number, number, string] | undefined {
    const heap = this.heap
    if (!heap.length) return undefined
    const top = heap[0]
    const last = heap.pop()!
    if (heap.length) {
      heap[0] = last
      let i = 0
      for (;;) {
        const l = 2 * i + 1
        const r = l + 1
        let m = i
        if (l < heap.length && heap[l][0] < heap[m][0]) m = l
        if (r < heap.length && heap[r][0] < heap[m][0]) m = r
        if (m === i) break
        ;[heap[m], heap[i]] = [heap[i], heap[m]]
        i = m
      }
    }
    return top
  }
}
