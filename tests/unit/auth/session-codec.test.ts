import { randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { deflate } from '@/lib/auth/pack'
import { CHUNK_SIZE, seal } from '@/lib/auth/seal'
import { isSessionRecord, type SessionRecord } from '@/lib/auth/session'
import { compact, expand, isStoredSession, openSession, sealSession, type StoredSession } from '@/lib/auth/session-codec'
import { jwtTokenSet, makeConfig, SECRET, SECRET_2, SECRET_3, sessionRecord, tokenSet } from './fixtures'

const settings = makeConfig().session

describe('compact / expand', () => {
  it('round-trips a cookie-mode record with real JWTs exactly', async () => {
    const record = sessionRecord({ tokens: await jwtTokenSet({ roles: 20, attributes: 10 }), extras: { phone_number: '+1 555' } })
    expect(await expand(JSON.parse(JSON.stringify(await compact(record))))).toEqual(record)
  })

  it('round-trips a record with opaque tokens, a store-mode record and a stored session', async () => {
    const { tokens: _, ...rest } = sessionRecord()
    const stored: StoredSession = { tokens: await jwtTokenSet({ roles: 5 }), extras: { dept: 'ER' } }
    for (const data of [sessionRecord(), { ...rest, stored: true as const }, stored]) {
      expect(await expand(JSON.parse(JSON.stringify(await compact(data))))).toEqual(data)
    }
  })

  it('packs JWTs to their JSON and leaves a small record undeflated', async () => {
    const tokens = await jwtTokenSet()
    const record = sessionRecord({ tokens: { ...tokens, accessToken: 'opaque' } })
    const compacted = (await compact(record)) as SessionRecord & { tokens: { idToken: unknown } }
    expect(JSON.stringify(compacted).length).toBeGreaterThan(600)
    const small = (await compact(sessionRecord())) as Record<string, unknown>
    expect(small.v).toBe(2)
    expect(small).not.toHaveProperty('z')
  })

  it('deflates a large record into { z } when that is smaller', async () => {
    const compacted = (await compact(sessionRecord({ tokens: await jwtTokenSet({ roles: 150, attributes: 60 }) }))) as Record<string, unknown>
    expect(Object.keys(compacted)).toEqual(['z'])
  })

  it('stays uncompressed when deflating does not pay (random tokens)', async () => {
    const record = sessionRecord({ tokens: tokenSet({ accessToken: randomBytes(1500).toString('base64url') }) })
    const compacted = (await compact(record)) as Record<string, unknown>
    expect(compacted).not.toHaveProperty('z')
    expect(await expand(compacted)).toEqual(record)
  })

  it('expands an old record with plain string tokens unchanged', async () => {
    const record = sessionRecord()
    expect(await expand(JSON.parse(JSON.stringify(record)))).toEqual(record)
  })

  it('is undefined for a { z } that does not inflate or parse', async () => {
    expect(await expand({ z: 'not-deflate!' })).toBeUndefined()
    expect(await expand({ z: deflate('{not json') })).toBeUndefined()
  })

  it('treats { z } with other members as a plain object, not as compressed', async () => {
    const value = { z: deflate('{"v":2}'), v: 2 }
    expect(await expand(value)).toEqual(value)
  })

  it('drops tokens whose packed form is malformed, so the record fails its shape check', async () => {
    const bad = { ...sessionRecord(), tokens: { ...tokenSet(), accessToken: [1, 2, 3] } }
    const expanded = await expand(bad)
    expect((expanded as SessionRecord).tokens).toBeUndefined()
    expect(isSessionRecord(expanded)).toBe(false)
    expect(isSessionRecord(await expand({ ...sessionRecord(), tokens: { ...tokenSet(), idToken: ['a', 'b'] } }))).toBe(false)
  })
})

describe('sealed session size', () => {
  it('compresses an ~11 KB JWT token set (150 roles, 60 attributes) to well under half its plainly sealed size', async () => {
    const tokens = await jwtTokenSet({ roles: 150, attributes: 60 })
    const tokenBytes = tokens.accessToken.length + tokens.idToken.length
    expect(tokenBytes).toBeGreaterThan(9_500)
    expect(tokenBytes).toBeLessThan(12_500)
    const record = sessionRecord({ tokens })
    const plain = await seal(record, settings.secrets, settings.maxAge + 60)
    const compacted = await sealSession(record, settings)
    expect(compacted.length / plain.length).toBeLessThan(0.4)
  })

  it('keeps a sealed default session under 4 KB: one cookie (RFC 6265 6.1)', async () => {
    const value = await sealSession(sessionRecord({ tokens: await jwtTokenSet() }), settings)
    expect(value.length).toBeLessThan(4096)
    expect(value.length).toBeLessThanOrEqual(CHUNK_SIZE)
  })
})

describe('sealSession / openSession', () => {
  it('opens what it sealed', async () => {
    const record = sessionRecord({ tokens: await jwtTokenSet({ roles: 150, attributes: 60 }) })
    expect(await openSession(await sealSession(record, settings), settings, isSessionRecord)).toEqual(record)
  })

  it('opens again from the memo with the same result', async () => {
    const record = sessionRecord({ id: 'memo-1' })
    const value = await sealSession(record, settings)
    expect(await openSession(value, settings, isSessionRecord)).toEqual(record)
    expect(await openSession(value, settings, isSessionRecord)).toEqual(record)
  })

  it('is null for data of the wrong shape, also when remembered', async () => {
    const value = await sealSession(sessionRecord({ id: 'shape-1' }), settings)
    const otherId = (data: unknown): data is SessionRecord => isSessionRecord(data) && data.id === 'shape-2'
    expect(await openSession(value, settings, otherId)).toBeNull()
    expect(await openSession(value, settings, isSessionRecord)).not.toBeNull()
    expect(await openSession(value, settings, otherId)).toBeNull()
    const { tokens: _, ...storeMode } = sessionRecord({ id: 'shape-3' })
    expect(await openSession(await sealSession({ ...storeMode, stored: true }, settings), settings, isStoredSession)).toBeNull()
  })

  it('is null for garbage and for a seal made with another secret', async () => {
    expect(await openSession('garbage', settings, isSessionRecord)).toBeNull()
    const foreign = await sealSession(sessionRecord({ id: 'foreign-1' }), { secrets: [SECRET_3], maxAge: settings.maxAge })
    expect(await openSession(foreign, settings, isSessionRecord)).toBeNull()
  })

  it('opens a session sealed before a secret rotation, with the old secret still listed', async () => {
    const value = await sealSession(sessionRecord({ id: 'rotation-1' }), { secrets: [SECRET], maxAge: 3600 })
    expect(await openSession(value, { secrets: [SECRET_2, SECRET], maxAge: 3600 }, isSessionRecord)).not.toBeNull()
  })

  it('does not accept a remembered seal under a secret list that cannot open it (rotation, or a second app)', async () => {
    const value = await sealSession(sessionRecord({ id: 'memo-secrets-1' }), { secrets: [SECRET], maxAge: 3600 })
    expect(await openSession(value, { secrets: [SECRET], maxAge: 3600 }, isSessionRecord)).not.toBeNull()
    // The old secret was removed (or another app with its own secret reads the same value).
    expect(await openSession(value, { secrets: [SECRET_2], maxAge: 3600 }, isSessionRecord)).toBeNull()
  })

  it('seals a stored session for a session store', async () => {
    const stored: StoredSession = { tokens: await jwtTokenSet({ roles: 3 }), extras: { a: 'b' } }
    expect(await openSession(await sealSession(stored, settings), settings, isStoredSession)).toEqual(stored)
  })
})

describe('isStoredSession', () => {
  it('accepts tokens with and without extras', () => {
    expect(isStoredSession({ tokens: tokenSet() })).toBe(true)
    expect(isStoredSession({ tokens: tokenSet(), extras: { a: 'b' } })).toBe(true)
  })

  it.each([{}, { tokens: {} }, { tokens: tokenSet(), extras: [] }, { tokens: tokenSet(), extras: 'x' }, null, [{ tokens: tokenSet() }]])('refuses %j', (value) => {
    expect(isStoredSession(value)).toBe(false)
  })
})
