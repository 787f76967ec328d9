/**
 * The Redis revocation store against a real redis-server (started here on a free loopback port).
 * Under CI a missing redis-server is a failure: .ci/run installs it.
 */
import { createClient } from 'redis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
// @ts-expect-error plain ESM helper without types
import { hasRedisServer, startRedis } from '../../tests/support/redis-server.mjs'
import { isRevoked, keys, REDIS_CLIENT_OPTIONS, RedisRevocationStore, revokeSession, type RedisLike } from './revocation'
import type { SessionData } from './session'

const available = hasRedisServer()
if (!available && process.env.CI) throw new Error('redis-server is not installed (apt-get install redis-server)')

describe.skipIf(!available)('RedisRevocationStore with a real redis-server', () => {
  let redis: { url: string; stop(): Promise<void> }
  let clients: ReturnType<typeof createClient>[] = []

  async function store() {
    const client = createClient({ url: redis.url, ...REDIS_CLIENT_OPTIONS })
    client.on('error', () => {})
    await client.connect()
    clients.push(client)
    return new RedisRevocationStore(client as unknown as RedisLike)
  }

  beforeAll(async () => {
    redis = await startRedis()
  })
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.destroy()))
    clients = []
    await redis?.stop()
  })

  const session = { id: 'app-1', iss: 'https://is/oauth2/token', sub: 'u1', sid: 'sid-1', createdAt: 1000 } as SessionData

  it('shares revocations between instances', async () => {
    const a = await store()
    const b = await store()
    expect(await isRevoked(b, session)).toBe(false)
    await revokeSession(a, session, 60)
    expect(await isRevoked(b, session)).toBe(true)
    expect(await isRevoked(b, { ...session, id: 'app-2' })).toBe(true)
  })

  it('records a logout-token jti once across instances', async () => {
    const a = await store()
    const b = await store()
    expect(await a.setIfAbsent(keys.jti('iss', 'jti-1'), '1', 60)).toBe(true)
    expect(await b.setIfAbsent(keys.jti('iss', 'jti-1'), '1', 60)).toBe(false)
  })

  it('lets entries expire', async () => {
    const a = await store()
    await a.set('short', '1', 1)
    expect(await a.get('short')).toBe('1')
    await new Promise((r) => setTimeout(r, 1_200))
    expect(await a.get('short')).toBeNull()
  })

  it('fails closed, and fast, when Redis goes away', async () => {
    const a = await store()
    expect(await isRevoked(a, { ...session, id: 'x', sid: 'y' })).toBe(false)
    await redis.stop()
    const started = Date.now()
    expect(await isRevoked(a, { ...session, id: 'x', sid: 'y' })).toBe(true)
    expect(Date.now() - started).toBeLessThan(3_000)
  })
})

describe('a Redis that cannot be reached at start', () => {
  it('fails closed within the connect timeout instead of hanging requests', async () => {
    const { isActive } = await import('./revocation')
    const started = Date.now()
    const session = { id: 'a', iss: 'i', sub: 's', createdAt: 0 } as SessionData
    expect(await isActive('redis://127.0.0.1:1', session)).toBe(false)
    expect(Date.now() - started).toBeLessThan(7_000)
  })
})
