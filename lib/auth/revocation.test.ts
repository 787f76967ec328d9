import { describe, expect, it } from 'vitest'
import { isRevoked, keys, MemoryRevocationStore, RedisRevocationStore, revokeSession, type RedisLike } from './revocation'
import type { SessionData } from './session'

const session = { id: 'app-1', iss: 'https://is/oauth2/token', sub: 'u1', sid: 'sid-1', createdAt: 1000 } as SessionData

describe('revocation', () => {
  it('revokes by app session id and by IS session id', async () => {
    const store = new MemoryRevocationStore()
    expect(await isRevoked(store, session)).toBe(false)
    await revokeSession(store, session, 60)
    expect(await isRevoked(store, session)).toBe(true)
    expect(await isRevoked(store, { ...session, id: 'other-app-session' })).toBe(true)
    expect(await isRevoked(store, { ...session, id: 'x', sid: 'other-sid' })).toBe(false)
  })

  it('revokes sessions of a subject that started before the logout token', async () => {
    const store = new MemoryRevocationStore()
    await store.set(keys.sub(session.iss, 'u1'), '2000', 60)
    expect(await isRevoked(store, session)).toBe(true)
    expect(await isRevoked(store, { ...session, createdAt: 2001 })).toBe(false)
  })

  it('forgets entries after their ttl', async () => {
    let now = 0
    const store = new MemoryRevocationStore(() => now)
    await store.set('k', '1', 10)
    now = 10_001
    expect(await store.get('k')).toBeNull()
    expect(await store.setIfAbsent('j', '1', 10)).toBe(true)
    expect(await store.setIfAbsent('j', '1', 10)).toBe(false)
  })

  it('fails closed when the store is down', async () => {
    const broken = { get: async () => { throw new Error('down') }, set: async () => {}, setIfAbsent: async () => true }
    expect(await isRevoked(broken, session)).toBe(true)
  })

  it('maps onto Redis SET EX / NX and GET', async () => {
    const calls: unknown[] = []
    const data = new Map<string, string>()
    const fake: RedisLike = {
      async set(key, value, options) {
        calls.push([key, value, options])
        if (options.NX && data.has(key)) return null
        data.set(key, value)
        return 'OK'
      },
      async get(key) {
        return data.get(key) ?? null
      },
    }
    const store = new RedisRevocationStore(fake)
    expect(await store.setIfAbsent('jti:x', '1', 30)).toBe(true)
    expect(await store.setIfAbsent('jti:x', '1', 30)).toBe(false)
    await store.set('sid:y', '1', 0.5)
    expect(calls[2]).toEqual(['myclinic:revoked:sid:y', '1', { EX: 1 }])
    expect(await store.get('sid:y')).toBe('1')
  })
})

describe('RedisRevocationStore timeouts', () => {
  it('gives up on a hanging Redis and the check fails closed', async () => {
    const hanging: RedisLike = { set: () => new Promise(() => {}), get: () => new Promise(() => {}) }
    const store = new RedisRevocationStore(hanging, 'p:', 50)
    await expect(store.get('k')).rejects.toThrow(/no answer/)
    expect(await isRevoked(store, session)).toBe(true)
  })
})
