import * as oauth from 'oauth4webapi'
import { describe, expect, it } from 'vitest'
import { CLIENT_ID, corruptSignature, createMockOp, decoyJwk, ISSUER } from '../../tests/unit/mock-op'
import { checkIdTokenPolicy, completeLogin, displayUsername, startLogin, userAttributes } from './login'

describe('startLogin', () => {
  it('builds a PKCE S256 authorization request with fresh state and nonce (RFC 9700 2.1.1)', async () => {
    const op = await createMockOp()
    const a = await startLogin(op.ctx, '/patients')
    const b = await startLogin(op.ctx, '/')
    const p = a.authorizationUrl.searchParams
    expect(a.authorizationUrl.origin + a.authorizationUrl.pathname).toBe('https://is.test/oauth2/authorize')
    expect(p.get('response_type')).toBe('code')
    expect(p.get('client_id')).toBe(CLIENT_ID)
    expect(p.get('redirect_uri')).toBe('https://app.test/login')
    expect(p.get('scope')).toBe('openid profile email')
    expect(p.get('code_challenge_method')).toBe('S256')
    expect(p.get('code_challenge')).toBe(await oauth.calculatePKCECodeChallenge(a.transaction.codeVerifier))
    expect(p.get('state')).toBe(a.transaction.state)
    expect(p.get('nonce')).toBe(a.transaction.nonce)
    expect(a.transaction.returnTo).toBe('/patients')
    expect(a.transaction.state).not.toBe(b.transaction.state)
    expect(a.transaction.nonce).not.toBe(b.transaction.nonce)
    expect(a.transaction.state.length).toBeGreaterThanOrEqual(43)
    expect(a.authorizationUrl.href).not.toContain('secret')
  })
})

describe('completeLogin', () => {
  it('exchanges the code, verifies the ID token and merges userinfo', async () => {
    const op = await createMockOp()
    const { txn, url } = op.callback()
    const session = await completeLogin(op.ctx, url, txn)
    expect(session).toMatchObject({ iss: ISSUER, sub: 'user-uuid-1', sid: 'sid-1', username: 'ada' })
    expect(session.user).toMatchObject({ given_name: 'Ada', email: 'ada@example.com' })
    expect(session.user).not.toHaveProperty('nonce')
    expect(session.refreshToken).toBeTruthy()
    const token = op.log.find((r) => r.path === '/oauth2/token')!
    expect(token.body.get('code_verifier')).toBe(txn.codeVerifier)
    expect(token.body.get('redirect_uri')).toBe('https://app.test/login')
    expect(token.body.get('grant_type')).toBe('authorization_code')
    // client_secret_basic: id and secret are form-urlencoded before base64 (RFC 6749 2.3.1).
    const basic = atob(token.headers.get('authorization')!.replace(/^Basic /, ''))
    expect(basic).toMatch(/^client(-|%2D)1:secret%3Awith%25special%2Bchars$/)
    expect(basic.split(':').map(decodeURIComponent)).toEqual([CLIENT_ID, 'secret:with%special+chars'])
    const userinfo = op.log.find((r) => r.path === '/oauth2/userinfo')!
    expect(userinfo.headers.get('authorization')).toMatch(/^Bearer /)
  })

  async function failure(setup: (op: Awaited<ReturnType<typeof createMockOp>>) => unknown, params?: Record<string, string>) {
    const op = await createMockOp()
    await setup(op)
    const { txn, url } = op.callback(params)
    const error = await completeLogin(op.ctx, url, txn).then(() => null, (e) => e)
    return { op, error, paths: op.log.map((r) => r.path) }
  }

  it('rejects a wrong state without calling the token endpoint', async () => {
    const { error, paths } = await failure(() => {}, { state: 'W'.repeat(43) })
    expect(error.code).toBe('state_mismatch')
    expect(paths).not.toContain('/oauth2/token')
  })

  it('rejects a wrong iss in the authorization response (RFC 9207)', async () => {
    const { error, paths } = await failure(() => {}, { iss: 'https://evil.example' })
    expect(error.code).toBe('issuer_mismatch')
    expect(paths).not.toContain('/oauth2/token')
  })

  it('shows IS errors as coded errors, never a new login', async () => {
    const op = await createMockOp()
    const { txn } = op.callback()
    const url = new URL(`https://app.test/login?error=access_denied&error_description=User+denied+the+consent&state=${txn.state}`)
    await expect(completeLogin(op.ctx, url, txn)).rejects.toMatchObject({ code: 'access_denied', status: 403 })
  })

  it.each([
    ['wrong nonce', { nonce: 'other' }],
    ['missing nonce', { nonce: undefined }],
    ['wrong aud', { aud: 'other-client' }],
    ['several audiences without azp', { aud: [CLIENT_ID, 'other'], azp: undefined }],
    ['azp of another client', { aud: [CLIENT_ID, 'other'], azp: 'other' }],
    ['wrong iss', { iss: 'https://evil.example/oauth2/token' }],
    ['expired', { exp: Math.floor(Date.now() / 1000) - 600 }],
    ['future nbf', { nbf: Math.floor(Date.now() / 1000) + 600 }],
    ['missing sub', { sub: undefined }],
    ['numeric sub', { sub: 12345 }],
    ['empty sub', { sub: '' }],
    ['old iat', { iat: Math.floor(Date.now() / 1000) - 7 * 86400 }],
    ['future iat', { iat: Math.floor(Date.now() / 1000) + 3600 }],
  ])('rejects an ID token with %s and never calls userinfo', async (_, claims) => {
    const { error, paths } = await failure((op) => { Object.assign(op.idTokenClaims, claims) })
    expect(error?.code).toBe('id_token_invalid')
    expect(paths).not.toContain('/oauth2/userinfo')
  })

  it('rejects an ID token with a bad signature (defence in depth beyond oauth4webapi)', async () => {
    const { error, paths } = await failure((op) => {
      const original = op.fetch
      op.override.set('/oauth2/token', async () => {
        op.override.delete('/oauth2/token')
        const response = await original('https://is.test/oauth2/token', { method: 'POST', body: op.log.at(-1)!.body.toString() })
        const body = await response.json()
        body.id_token = corruptSignature(body.id_token)
        return new Response(JSON.stringify(body), { headers: { 'content-type': 'application/json' } })
      })
    })
    expect(error?.code).toBe('id_token_invalid')
    expect(paths).not.toContain('/oauth2/userinfo')
  })

  it('rejects alg none even when the discovery document lists "none" (rp-security ID-08, alg pinned)', async () => {
    const { error, paths } = await failure((op) => {
      op.discovery.id_token_signing_alg_values_supported = ['none', 'RS256']
      const original = op.fetch
      op.override.set('/oauth2/token', async () => {
        op.override.delete('/oauth2/token')
        const response = await original('https://is.test/oauth2/token', { method: 'POST', body: op.log.at(-1)!.body.toString() })
        const body = await response.json()
        const [, payload] = body.id_token.split('.')
        body.id_token = `${btoa(JSON.stringify({ alg: 'none' })).replace(/=+$/, '')}.${payload}.`
        return new Response(JSON.stringify(body), { headers: { 'content-type': 'application/json' } })
      })
    })
    expect(error?.code).toBe('id_token_invalid')
    expect(paths).not.toContain('/oauth2/userinfo')
  })

  it('tries each key when the token has no kid and the JWKS has several (rp-security DK-05 b)', async () => {
    const op = await createMockOp()
    const { kid: _kid, ...kidless } = op.jwksKeys[0]
    op.jwksKeys = [await decoyJwk(), kidless, await decoyJwk()]
    op.idTokenHeader = { kid: undefined }
    const { txn, url } = op.callback()
    await expect(completeLogin(op.ctx, url, txn)).resolves.toMatchObject({ sub: 'user-uuid-1' })
  })

  it('refuses a kid-less token that none of several keys verifies', async () => {
    const { error, paths } = await failure(async (op) => {
      op.jwksKeys = [await decoyJwk(), await decoyJwk()]
      op.idTokenHeader = { kid: undefined }
    })
    expect(error?.code).toBe('id_token_invalid')
    expect(paths).not.toContain('/oauth2/userinfo')
  })

  it('rejects an unknown kid after one JWKS refetch', async () => {
    const { error, paths } = await failure((op) => Object.assign(op.idTokenHeader, { kid: 'unknown_RS256' }))
    expect(error?.code).toBe('id_token_invalid')
    expect(paths.filter((p) => p === '/oauth2/jwks').length).toBeLessThanOrEqual(2)
  })

  it('rejects a userinfo response for another subject (OIDC Core 5.3.2)', async () => {
    const { error } = await failure((op) => Object.assign(op.userinfo, { sub: 'someone-else' }))
    expect(error?.code).toBe('userinfo_invalid')
  })

  it('maps invalid_grant to token_exchange_failed (400) and 5xx to idp_error (502)', async () => {
    const a = await failure((op) => op.override.set('/oauth2/token', () => new Response(JSON.stringify({ error: 'invalid_grant', error_description: 'Inactive authorization code received from token request' }), { status: 400, headers: { 'content-type': 'application/json' } })))
    expect(a.error).toMatchObject({ code: 'token_exchange_failed', status: 400 })
    const b = await failure((op) => op.override.set('/oauth2/token', () => new Response('<html>oops</html>', { status: 500 })))
    expect(b.error).toMatchObject({ code: 'idp_error', status: 502 })
    const c = await failure((op) => op.override.set('/oauth2/token', () => new Response('{"access_token":"x",', { status: 200 })))
    expect(c.error.status).toBeGreaterThanOrEqual(400)
    expect(c.error.code).not.toBe('internal_error')
  })

  it('never retries the code redemption', async () => {
    const { paths } = await failure((op) => op.override.set('/oauth2/token', () => new Response('busy', { status: 503 })))
    expect(paths.filter((p) => p === '/oauth2/token')).toHaveLength(1)
  })
})

describe('policies', () => {
  it('checkIdTokenPolicy accepts a fresh token', () => {
    const now = 1_000_000
    expect(() => checkIdTokenPolicy({ iss: 'i', sub: 's', aud: 'a', iat: now, exp: now + 60 }, now)).not.toThrow()
    expect(() => checkIdTokenPolicy({ iss: 'i', sub: 'x'.repeat(256), aud: 'a', iat: now, exp: now + 60 }, now)).toThrow()
  })

  it('userinfo never overrides protocol claims and usernames prefer the WSO2 username claim', () => {
    const user = userAttributes({ iss: 'i', sub: 's', aud: 'a', iat: 1, exp: 2, given_name: 'A' }, { sub: 'evil', iss: 'evil', email: 'e@x' })
    expect(user).toEqual({ given_name: 'A', email: 'e@x' })
    expect(displayUsername('uuid', { username: 'admin', email: 'a@b' })).toBe('admin')
    expect(displayUsername('uuid', {})).toBe('uuid')
  })
})
