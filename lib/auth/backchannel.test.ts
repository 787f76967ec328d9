import { SignJWT, UnsecuredJWT, generateKeyPair } from 'jose'
import { describe, expect, it } from 'vitest'
import { CLIENT_ID, corruptSignature, createMockOp, ISSUER } from '../../tests/unit/mock-op'
import { BACKCHANNEL_EVENT, handleLogoutToken, validateLogoutToken } from './backchannel'
import { isRevoked, keys, MemoryRevocationStore } from './revocation'
import type { SessionData } from './session'

const now = () => Math.floor(Date.now() / 1000)

function claims(extra: Record<string, unknown> = {}) {
  const base: Record<string, unknown> = {
    iss: ISSUER, sub: 'user-uuid-1', aud: CLIENT_ID, iat: now(), exp: now() + 120, jti: crypto.randomUUID(),
    sid: 'sid-1', events: { [BACKCHANNEL_EVENT]: {} }, unknown_extra: 'ignored',
  }
  for (const [k, v] of Object.entries(extra)) {
    if (v === undefined) delete base[k]
    else base[k] = v
  }
  return base
}

describe('back-channel logout token (OIDC BCL 1.0 2.6)', () => {
  it('accepts a WSO2-shaped logout token and revokes its sid', async () => {
    const op = await createMockOp()
    const store = new MemoryRevocationStore()
    const token = await op.signIdToken(claims())
    const result = await handleLogoutToken(op.ctx, store, token, 3600)
    expect(result).toMatchObject({ sid: 'sid-1', sub: 'user-uuid-1' })
    const session = { id: 'x', iss: ISSUER, sub: 'user-uuid-1', sid: 'sid-1', createdAt: now() } as SessionData
    expect(await isRevoked(store, session)).toBe(true)
  })

  it('accepts typ logout+jwt', async () => {
    const op = await createMockOp()
    await expect(validateLogoutToken(op.ctx, await op.signIdToken(claims(), { typ: 'logout+jwt' }))).resolves.toBeTruthy()
  })

  it('revokes every session of sub before iat when there is no sid', async () => {
    const op = await createMockOp()
    const store = new MemoryRevocationStore()
    await handleLogoutToken(op.ctx, store, await op.signIdToken(claims({ sid: undefined })), 3600)
    expect(await store.get(keys.sub(ISSUER, 'user-uuid-1'))).not.toBeNull()
  })

  const variants: [string, (op: Awaited<ReturnType<typeof createMockOp>>) => Promise<string>][] = [
    ['alg none', async () => new UnsecuredJWT(claims()).encode()],
    ['HS256 with the client secret', async () => new SignJWT(claims()).setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode('secret:with%special+chars'))],
    ['another RSA key', async () => new SignJWT(claims()).setProtectedHeader({ alg: 'RS256', kid: 'ZmFrZS10aHVtYnByaW50_RS256' }).sign((await generateKeyPair('RS256')).privateKey)],
    ['bad signature', async (op) => corruptSignature(await op.signIdToken(claims()))],
    ['aud of another client', (op) => op.signIdToken(claims({ aud: 'other-client' }))],
    ['another issuer', (op) => op.signIdToken(claims({ iss: 'https://evil.example/oauth2/token' }))],
    ['no events', (op) => op.signIdToken(claims({ events: undefined }))],
    ['wrong event', (op) => op.signIdToken(claims({ events: { 'http://schemas.openid.net/event/other': {} } }))],
    ['event not an object', (op) => op.signIdToken(claims({ events: { [BACKCHANNEL_EVENT]: 'yes' } }))],
    ['a nonce', (op) => op.signIdToken(claims({ nonce: 'n' }))],
    ['neither sub nor sid', (op) => op.signIdToken(claims({ sub: undefined, sid: undefined }))],
    ['expired', (op) => op.signIdToken(claims({ iat: now() - 900, exp: now() - 600 }))],
    ['iat far in the past', (op) => op.signIdToken(claims({ iat: now() - 3600, exp: now() + 60 }))],
    ['no jti', (op) => op.signIdToken(claims({ jti: undefined }))],
    ['an ID token typ', (op) => op.signIdToken(claims(), { typ: 'JWT+id' })],
    ['not a JWT', async () => 'not-a-jwt'],
  ]

  it.each(variants)('rejects a logout token with %s', async (_, make) => {
    const op = await createMockOp()
    const store = new MemoryRevocationStore()
    await expect(handleLogoutToken(op.ctx, store, await make(op), 3600)).rejects.toMatchObject({ status: 400 })
    expect(await store.get(keys.sid(ISSUER, 'sid-1'))).toBeNull()
  })

  it('rejects a replayed jti', async () => {
    const op = await createMockOp()
    const store = new MemoryRevocationStore()
    const token = await op.signIdToken(claims())
    await handleLogoutToken(op.ctx, store, token, 3600)
    await expect(handleLogoutToken(op.ctx, store, token, 3600)).rejects.toMatchObject({ message: expect.stringContaining('replayed') })
  })
})
