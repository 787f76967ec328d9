import { SignJWT, UnsecuredJWT, generateKeyPair } from 'jose'
import { describe, expect, it } from 'vitest'
import { MemoryStore, getMany } from '../../../lib/auth/store'
import { BACKCHANNEL_EVENT, handleLogoutToken, MAX_LOGOUT_BODY, readSmallForm, validateLogoutToken } from '../../../lib/auth/server/backchannel'
import { keys, revocationKeys, revokedBy } from '../../../lib/auth/server/revocation'
import { CLIENT_ID, corruptSignature, createMockIs, ISSUER, type MockIs } from './mock-is'

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

const session = { v: 2 as const, id: 'x', iss: ISSUER, sub: 'user-uuid-1', sid: 'sid-1', username: 'u', createdAt: Date.now() - 1000, writtenAt: Date.now() - 1000 }

describe('back-channel logout token (OIDC BCL 1.0 2.6)', () => {
  it('accepts a WSO2-shaped logout token and revokes its sid', async () => {
    const op = await createMockIs()
    expect(await handleLogoutToken(op.ctx, await op.signIdToken(claims()))).toMatchObject({ sid: 'sid-1', sub: 'user-uuid-1' })
    expect(revokedBy(session, await getMany(op.ctx.state, revocationKeys(session)))).toBe(true)
  })

  it('accepts typ logout+jwt and application/logout+jwt', async () => {
    const op = await createMockIs()
    await expect(validateLogoutToken(op.ctx, await op.signIdToken(claims(), { typ: 'logout+jwt' }))).resolves.toBeTruthy()
    await expect(validateLogoutToken(op.ctx, await op.signIdToken(claims(), { typ: 'application/logout+jwt' }))).resolves.toBeTruthy()
  })

  const variants: [string, (op: MockIs) => Promise<string>][] = [
    ['alg none', async () => new UnsecuredJWT(claims()).encode()],
    ['HS256 with the client secret', async () => new SignJWT(claims()).setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode('secret:with%special+chars'))],
    ['another RSA key', async () => new SignJWT(claims()).setProtectedHeader({ alg: 'RS256', kid: 'ZmFrZS10aHVtYnByaW50_RS256' }).sign((await generateKeyPair('RS256')).privateKey)],
    ['bad signature', async (op) => corruptSignature(await op.signIdToken(claims()))],
    ['aud of another client', (op) => op.signIdToken(claims({ aud: 'other-client' }))],
    ['another issuer', (op) => op.signIdToken(claims({ iss: 'https://evil.example/oauth2/token' }))],
    ['no events', (op) => op.signIdToken(claims({ events: undefined }))],
    ['wrong event', (op) => op.signIdToken(claims({ events: { 'http://schemas.openid.net/event/other': {} } }))],
    ['event not an object', (op) => op.signIdToken(claims({ events: { [BACKCHANNEL_EVENT]: 'yes' } }))],
    ['events an array', (op) => op.signIdToken(claims({ events: [BACKCHANNEL_EVENT] }))],
    ['a nonce', (op) => op.signIdToken(claims({ nonce: 'n' }))],
    ['neither sub nor sid', (op) => op.signIdToken(claims({ sub: undefined, sid: undefined }))],
    ['expired', (op) => op.signIdToken(claims({ iat: now() - 900, exp: now() - 600 }))],
    ['iat far in the past', (op) => op.signIdToken(claims({ iat: now() - 3600, exp: now() + 60 }))],
    ['no jti', (op) => op.signIdToken(claims({ jti: undefined }))],
    ['an ID token typ', (op) => op.signIdToken(claims(), { typ: 'JWT+id' })],
    ['a numeric typ', (op) => op.signIdToken(claims(), { typ: 7 })],
    ['an object typ', (op) => op.signIdToken(claims(), { typ: { a: 1 } })],
    ['not a JWT', async () => 'not-a-jwt'],
  ]

  it.each(variants)('rejects a logout token with %s as logout_token_invalid (400)', async (_, make) => {
    const op = await createMockIs()
    await expect(handleLogoutToken(op.ctx, await make(op))).rejects.toMatchObject({ code: 'logout_token_invalid', status: 400 })
    expect(await op.ctx.state.get(keys.sid(ISSUER, 'sid-1'))).toBeNull()
  })

  it('rejects a replayed jti', async () => {
    const op = await createMockIs()
    const token = await op.signIdToken(claims())
    await handleLogoutToken(op.ctx, token)
    await expect(handleLogoutToken(op.ctx, token)).rejects.toMatchObject({ code: 'logout_token_invalid' })
  })

  it('records the revocation before the jti: a retry after a store failure is accepted, not a replay', async () => {
    const store = new MemoryStore()
    const op = await createMockIs({}, store)
    const token = await op.signIdToken(claims())
    const set = store.set.bind(store)
    store.set = async () => {
      throw new Error('redis down')
    }
    await expect(handleLogoutToken(op.ctx, token)).rejects.toMatchObject({ code: 'store_unavailable', status: 503 })
    store.set = set
    await expect(handleLogoutToken(op.ctx, token)).resolves.toMatchObject({ sid: 'sid-1' })
  })

  it.each([
    ['the JWKS cannot be fetched', (op: MockIs) => op.override.set('/oauth2/jwks', () => new Response('down', { status: 503 }))],
    ['the JWKS is not JSON', (op: MockIs) => op.override.set('/oauth2/jwks', () => new Response('<html>', { status: 200 }))],
    ['discovery is down', (op: MockIs) => op.override.set('/oauth2/token/.well-known/openid-configuration', () => new Response('down', { status: 500 }))],
    ['discovery is invalid', (op: MockIs) => Object.assign(op.discovery, { issuer: 'https://other.example/oauth2/token' })],
  ])('reports a transient failure when %s (the IS should retry: 503, not 400)', async (_, breakIt) => {
    const op = await createMockIs()
    const token = await op.signIdToken(claims(), { kid: 'unseen-kid_RS256' })
    breakIt(op)
    const error = await handleLogoutToken(op.ctx, token).then(() => null, (e) => e)
    expect(error.code).not.toBe('logout_token_invalid')
    expect(error.status).toBeGreaterThanOrEqual(502)
  })
})

describe('readSmallForm (a 32 KB body limit, enforced before reading)', () => {
  const form = (body: BodyInit, headers: Record<string, string> = {}) =>
    new Request('https://app.test/logout/backchannel', { method: 'POST', body, headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, duplex: 'half' } as RequestInit)

  it('reads a normal body', async () => {
    expect((await readSmallForm(form('logout_token=abc'))).get('logout_token')).toBe('abc')
  })

  it('refuses a declared length over the limit without reading the body', async () => {
    let pulled = 0
    const stream = new ReadableStream({ pull(c) { pulled++; c.enqueue(new Uint8Array(1024)) } })
    await expect(readSmallForm(form(stream, { 'content-length': String(MAX_LOGOUT_BODY + 1) }))).rejects.toMatchObject({ code: 'request_too_large', status: 413 })
    expect(pulled).toBeLessThanOrEqual(1)
  })

  it('cuts a chunked body at the limit', async () => {
    let sent = 0
    const stream = new ReadableStream({ pull(c) { sent += 4096; c.enqueue(new TextEncoder().encode('a'.repeat(4096))); if (sent > 10 * MAX_LOGOUT_BODY) c.close() } })
    await expect(readSmallForm(form(stream))).rejects.toMatchObject({ code: 'request_too_large' })
    expect(sent).toBeLessThan(2 * MAX_LOGOUT_BODY)
  })

  it('refuses other content types', async () => {
    await expect(readSmallForm(form('{"logout_token":"x"}', { 'content-type': 'application/json' }))).rejects.toMatchObject({ code: 'logout_token_invalid' })
  })
})
