/**
 * The Redis store against a real redis-server (started here on a free loopback port), and the
 * lazy connection. Under CI a missing redis-server is a failure: .ci/run installs it.
 */
import { createClient } from 'redis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
// @ts-expect-error plain ESM helper without types
import { hasRedisServer, startRedis } from '../../support/redis-server.mjs'
import { REDIS_CLIENT_OPTIONS, RedisStore, storeFor, type RedisLike } from '../../../lib/auth/server/stores'
import { revocationKeys, revokeAppSession, revokedBy } from '../../../lib/auth/server/revocation'
import { getMany } from '../../../lib/auth/store'
import { createMockIs, ISSUER, testConfig } from './mock-is'

const available = hasRedisServer()
if (!available && process.env.CI) throw new Error('redis-server is not installed (apt-get install redis-server)')

const record = { v: 2 as const, id: 'app-1', iss: ISSUER, sub: 'u1', sid: 'sid-1', username: 'u', createdAt: Date.now() - 1000, writtenAt: Date.now() - 1000 }

describe.skipIf(!available)('RedisStore with a real redis-server', () => {
  let redis: { url: string; stop(): Promise<void> }
  const clients: ReturnType<typeof createClient>[] = []

  async function store() {
    const client = createClient({ url: redis.url, ...REDIS_CLIENT_OPTIONS })
    client.on('error', () => {})
    await client.connect()
    clients.push(client)
    return new RedisStore(client as unknown as RedisLike, 'test:')
  }

  beforeAll(async () => {
    redis = await startRedis()
  })
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.destroy()))
    await redis?.stop()
  })

  it('shares revocations between instances', async () => {
    const a = await createMockIs({}, await store())
    const b = await store()
    expect(revokedBy(record, await getMany(b, revocationKeys(record)))).toBe(false)
    await revokeAppSession(a.ctx, record)
    expect(revokedBy(record, await getMany(b, revocationKeys(record)))).toBe(true)
  })

  it('setIfAbsent has one winner across instances, and entries expire', async () => {
    const a = await store()
    const b = await store()
    expect(await a.setIfAbsent('jti-1', '1', 60)).toBe(true)
    expect(await b.setIfAbsent('jti-1', '1', 60)).toBe(false)
    await a.set('short', '1', 1)
    expect(await a.get('short')).toBe('1')
    await new Promise((r) => setTimeout(r, 1200))
    expect(await a.get('short')).toBeNull()
  })

  it('fails fast with store_unavailable when Redis goes away (no offline queue)', async () => {
    const a = await store()
    await a.get('x')
    await redis.stop()
    const started = Date.now()
    await expect(a.get('x')).rejects.toMatchObject({ code: 'store_unavailable', status: 503 })
    expect(Date.now() - started).toBeLessThan(3000)
  })
})

describe('storeFor', () => {
  it('gives the app one memory store per process, and none for cookie sessions', () => {
    const config = testConfig()
    expect(storeFor(config, 'revocation')).toBe(storeFor(config, 'revocation'))
    expect(storeFor(config, 'session')).toBeNull()
  })

  it('fails closed within the connect timeout when Redis cannot be reached, and never logs its password', async () => {
    const config = testConfig({ redisUrl: 'redis://:s3cret-pass@127.0.0.1:1' })
    const lines: string[] = []
    const original = console.error
    console.error = (...args: unknown[]) => void lines.push(args.join(' '))
    try {
      const started = Date.now()
      await expect(storeFor(config, 'revocation')!.get('x')).rejects.toMatchObject({ code: 'store_unavailable' })
      expect(Date.now() - started).toBeLessThan(7000)
    } finally {
      console.error = original
    }
    expect(lines.join('\n')).not.toContain('s3cret-pass')
  })
})
