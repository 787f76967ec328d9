import { describe, expect, it } from 'vitest'
import { getMany, MemoryStore, type AuthStore } from '@/lib/auth/store'

/** A clock the test moves by hand (milliseconds). */
function clock(start = 1_900_000_000_000) {
  let now = start
  return { now: () => now, advance: (ms: number) => void (now += ms) }
}

const heapLength = (store: MemoryStore) => (store as unknown as { heap: unknown[] }).heap.length

describe('MemoryStore get / set / delete', () => {
  it('returns what was set and null for an unknown key', async () => {
    const store = new MemoryStore()
    await store.set('a', '1', 60)
    expect(await store.get('a')).toBe('1')
    expect(await store.get('b')).toBeNull()
  })

  it('overwrites a key with the new value and the new lifetime', async () => {
    const c = clock()
    const store = new MemoryStore(10, c.now)
    await store.set('a', '1', 10)
    await store.set('a', '2', 100)
    c.advance(50_000)
    expect(await store.get('a')).toBe('2')
    expect(store.size).toBe(1)
  })

  it('deletes a key, and deleting an unknown key is harmless', async () => {
    const store = new MemoryStore()
    await store.set('a', '1', 60)
    await store.delete('a')
    await store.delete('never-set')
    expect(await store.get('a')).toBeNull()
    expect(store.size).toBe(0)
  })

  it('stores the empty string as a value', async () => {
    const store = new MemoryStore()
    await store.set('a', '', 60)
    expect(await store.get('a')).toBe('')
  })
})

describe('MemoryStore expiry (injected clock)', () => {
  it('answers until the lifetime has passed, then null', async () => {
    const c = clock()
    const store = new MemoryStore(10, c.now)
    await store.set('a', '1', 30)
    c.advance(29_999)
    expect(await store.get('a')).toBe('1')
    c.advance(1)
    expect(await store.get('a')).toBeNull()
  })

  it('keeps a value at least one second, whatever the ttl', async () => {
    const c = clock()
    const store = new MemoryStore(10, c.now)
    await store.set('zero', 'z', 0)
    await store.set('negative', 'n', -5)
    c.advance(999)
    expect(await store.get('zero')).toBe('z')
    expect(await store.get('negative')).toBe('n')
    c.advance(1)
    expect(await store.get('zero')).toBeNull()
    expect(await store.get('negative')).toBeNull()
  })

  it('sweeps expired entries on the next write, without a read', async () => {
    const c = clock()
    const store = new MemoryStore(100, c.now)
    for (let i = 0; i < 20; i++) await store.set(`k${i}`, 'v', 10)
    expect(store.size).toBe(20)
    c.advance(10_000)
    await store.set('fresh', 'v', 10)
    expect(store.size).toBe(1)
  })

  it('does not count expired entries as evicted', async () => {
    const c = clock()
    const store = new MemoryStore(2, c.now)
    await store.set('a', '1', 1)
    await store.set('b', '1', 1)
    c.advance(1000)
    await store.set('c', '1', 60)
    await store.set('d', '1', 60)
    expect(store.evicted).toBe(0)
    expect(await store.get('c')).toBe('1')
    expect(await store.get('d')).toBe('1')
  })
})

describe('MemoryStore setIfAbsent (first writer wins)', () => {
  it('stores when absent and refuses while present', async () => {
    const store = new MemoryStore()
    expect(await store.setIfAbsent('lock', 'a', 60)).toBe(true)
    expect(await store.setIfAbsent('lock', 'b', 60)).toBe(false)
    expect(await store.get('lock')).toBe('a')
  })

  it('stores again once the key expired or was deleted', async () => {
    const c = clock()
    const store = new MemoryStore(10, c.now)
    await store.setIfAbsent('lock', 'a', 5)
    c.advance(5000)
    expect(await store.setIfAbsent('lock', 'b', 5)).toBe(true)
    expect(await store.get('lock')).toBe('b')
    await store.delete('lock')
    expect(await store.setIfAbsent('lock', 'c', 5)).toBe(true)
  })

  it('lets exactly one of many concurrent callers win', async () => {
    const store = new MemoryStore()
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => store.setIfAbsent('lock', String(i), 60)))
    expect(results.filter(Boolean)).toHaveLength(1)
  })
})

describe('MemoryStore capacity', () => {
  it('never holds more than maxEntries keys', async () => {
    const store = new MemoryStore(5, clock().now)
    for (let i = 0; i < 50; i++) await store.set(`k${i}`, 'v', 60 + i)
    expect(store.size).toBe(5)
  })

  it('evicts the entry that expires soonest first, and counts it', async () => {
    const store = new MemoryStore(3, clock().now)
    await store.set('a', '1', 100)
    await store.set('b', '1', 5)
    await store.set('c', '1', 200)
    await store.set('d', '1', 300)
    expect(await store.get('b')).toBeNull()
    for (const key of ['a', 'c', 'd']) expect(await store.get(key)).toBe('1')
    expect(store.evicted).toBe(1)
    await store.set('e', '1', 400)
    expect(await store.get('a')).toBeNull()
    expect(store.evicted).toBe(2)
  })

  it('evicts by the current lifetime of an overwritten key, not its old one', async () => {
    const store = new MemoryStore(2, clock().now)
    await store.set('a', '1', 5)
    await store.set('b', '1', 100)
    await store.set('a', '2', 1000) // a now expires last; its stale heap item must be skipped
    await store.set('c', '1', 500)
    expect(await store.get('b')).toBeNull()
    expect(await store.get('a')).toBe('2')
    expect(await store.get('c')).toBe('1')
    expect(store.evicted).toBe(1)
  })

  it('does not evict anything for a deleted key\'s stale heap item', async () => {
    const store = new MemoryStore(2, clock().now)
    await store.set('a', '1', 5)
    await store.delete('a')
    await store.set('b', '1', 100)
    await store.set('c', '1', 200)
    expect(await store.get('b')).toBe('1')
    expect(await store.get('c')).toBe('1')
    expect(store.evicted).toBe(0)
  })
})

describe('MemoryStore memory', () => {
  it('keeps its heap proportional to the live entries when one key is overwritten 100,000 times', async () => {
    const store = new MemoryStore(100, clock().now)
    for (let i = 0; i < 100_000; i++) await store.set('hot', String(i), 60)
    expect(store.size).toBe(1)
    expect(heapLength(store)).toBeLessThanOrEqual(4 * store.size + 1025)
    expect(await store.get('hot')).toBe('99999')
  })

  it('keeps its heap proportional when many keys are overwritten round-robin', async () => {
    const store = new MemoryStore(1000, clock().now)
    for (let i = 0; i < 60_000; i++) await store.set(`k${i % 500}`, String(i), 60 + (i % 7))
    expect(store.size).toBe(500)
    expect(heapLength(store)).toBeLessThanOrEqual(4 * 500 + 1025)
  })

  it('keeps its heap bounded when keys are set and deleted over and over', async () => {
    const store = new MemoryStore(1000, clock().now)
    for (let i = 0; i < 50_000; i++) {
      await store.set(`k${i}`, 'v', 60)
      await store.delete(`k${i}`)
    }
    expect(store.size).toBe(0)
    expect(heapLength(store)).toBeLessThanOrEqual(1025)
  })

  it('still expires in order after rebuilding its heap', async () => {
    const c = clock()
    const store = new MemoryStore(100, c.now)
    await store.set('short', '1', 10)
    await store.set('long', '1', 1000)
    for (let i = 0; i < 5000; i++) await store.set('hot', String(i), 500)
    c.advance(10_000)
    await store.set('tick', '1', 1000)
    expect(await store.get('short')).toBeNull()
    expect(await store.get('long')).toBe('1')
    expect(await store.get('hot')).toBe('4999')
  })
})

describe('getMany', () => {
  it('uses the store\'s own getMany when it has one (one round trip)', async () => {
    const calls: string[][] = []
    const store: AuthStore = {
      get: async () => { throw new Error('get must not be called') },
      set: async () => {},
      setIfAbsent: async () => true,
      delete: async () => {},
      getMany: async (keys) => { calls.push(keys); return keys.map((k) => `v:${k}`) },
    }
    expect(await getMany(store, ['a', 'b'])).toEqual(['v:a', 'v:b'])
    expect(calls).toEqual([['a', 'b']])
  })

  it('falls back to get for each key, in order', async () => {
    const store = new MemoryStore()
    await store.set('a', '1', 60)
    await store.set('c', '3', 60)
    expect(await getMany(store, ['a', 'b', 'c'])).toEqual(['1', null, '3'])
  })
})
