import { describe, expect, it } from 'vitest'
import { MemoryStore } from '../../../lib/auth/store'
import type { SessionRecord } from '../../../lib/auth/session'
import { keys, revocationKeys, revokeAppSession, revokedBy, revokeIsSession } from '../../../lib/auth/server/revocation'
import { getMany } from '../../../lib/auth/store'
import { createMockIs, ISSUER } from './mock-is'

function record(createdAt: number, extra: Partial<SessionRecord> = {}): SessionRecord {
  return { v: 2, id: `id-${createdAt}-${Math.random()}`, iss: ISSUER, sub: 'u1', sid: 'sid-1', username: 'u', createdAt, writtenAt: createdAt, ...extra }
}

async function isRevoked(store: MemoryStore, r: SessionRecord) {
  return revokedBy(r, await getMany(store, revocationKeys(r)))
}

describe('revocation never locks anyone out (OIDC BCL 1.0 2.7)', () => {
  it('logout ends this session, its copies and older sessions of its IS session, but not a later login with the same sid', async () => {
    const op = await createMockIs()
    const t0 = Date.now()
    const before = record(t0 - 5000)
    const sibling = record(t0 - 4000)
    await revokeAppSession(op.ctx, before, {}, t0)
    expect(await isRevoked(op.ctx.state as MemoryStore, before)).toBe(true)
    expect(await isRevoked(op.ctx.state as MemoryStore, sibling)).toBe(true)
    // The user answered "No" at the IS: the IS session (same sid) lives on, and the next login works.
    expect(await isRevoked(op.ctx.state as MemoryStore, record(t0 + 1))).toBe(false)
  })

  it('a login replacing a session ends only that session, not its IS session', async () => {
    const op = await createMockIs()
    const t0 = Date.now()
    const old = record(t0 - 5000)
    await revokeAppSession(op.ctx, old, { isSession: false }, t0)
    expect(await isRevoked(op.ctx.state as MemoryStore, old)).toBe(true)
    expect(await isRevoked(op.ctx.state as MemoryStore, record(t0 - 4000))).toBe(false)
  })

  it('a back-channel logout by sid ends sessions of that sid created before it arrived', async () => {
    const op = await createMockIs()
    const t0 = Date.now()
    await revokeIsSession(op.ctx, { iss: ISSUER, sid: 'sid-1', iat: Math.floor(t0 / 1000) }, 60, t0)
    expect(await isRevoked(op.ctx.state as MemoryStore, record(t0 - 1))).toBe(true)
    expect(await isRevoked(op.ctx.state as MemoryStore, record(t0 - 1, { sid: 'sid-2' }))).toBe(false)
    expect(await isRevoked(op.ctx.state as MemoryStore, record(t0 + 10))).toBe(false)
  })

  it('a back-channel logout by sub uses the token iat plus skew, capped at now, and keeps the latest time', async () => {
    const op = await createMockIs()
    const store = op.ctx.state as MemoryStore
    const now = Date.now()
    const iat = Math.floor(now / 1000) - 600
    // Delivered ten minutes late: a session the user started after logging out at the IS survives.
    await revokeIsSession(op.ctx, { iss: ISSUER, sub: 'u1', iat }, 60, now)
    expect(await isRevoked(store, record(iat * 1000 + 30_000, { sid: undefined }))).toBe(true)
    expect(await isRevoked(store, record(iat * 1000 + 120_000, { sid: undefined }))).toBe(false)
    // An older logout token arriving later never lowers the stored time.
    await revokeIsSession(op.ctx, { iss: ISSUER, sub: 'u1', iat: iat - 3000 }, 60, now)
    expect(Number(await store.get(keys.sub(ISSUER, 'u1')))).toBe((iat + 60) * 1000)
    // An IS clock ahead of the app cannot revoke the future.
    await revokeIsSession(op.ctx, { iss: ISSUER, sub: 'u2', iat: Math.floor(now / 1000) + 3600 }, 60, now)
    expect(Number(await store.get(keys.sub(ISSUER, 'u2')))).toBe(now)
  })

  it('revocation entries outlive the session they revoke', async () => {
    let clock = Date.now()
    const store = new MemoryStore(100, () => clock)
    const op = await createMockIs({ sessionMaxAge: 60, sessionIdleTimeout: 10 }, store)
    const r = record(clock)
    await revokeAppSession(op.ctx, r, {}, clock)
    clock += 59_000
    expect(await isRevoked(store, r)).toBe(true)
  })
})
