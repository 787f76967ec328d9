import * as oauth from 'oauth4webapi'
import { describe, expect, it } from 'vitest'
import { completeLogin, startLogin } from '../../../lib/auth/server/login'
import { checkAcr, checkIdTokenPolicy } from '../../../lib/auth/server/id-token'
import { CLIENT_ID, corruptSignature, createMockIs, decoyJwk, ISSUER, type MockIs } from './mock-is'

type Setup = (op: MockIs) => unknown

async function rewriteToken(op: MockIs, change: (body: Record<string, unknown>) => void) {
  const original = op.fetch
  op.override.set('/oauth2/token', async () => {
    op.override.delete('/oauth2/token')
    const response = await original('https://is.test/oauth2/token', { method: 'POST', body: op.log.at(-1)!.body.toString() })
    const body = await response.json()
    change(body)
    return new Response(JSON.stringify(body), { headers: { 'content-type': 'application/json' } })
  })
}

async function failure(setup: Setup, params?: Record<string, string>, txnParams = {}) {
  const op = await createMockIs()
  await setup(op)
  const { txn, url } = op.callback(params, { params: txnParams })
  const error = await completeLogin(op.ctx, url, txn).then(() => null, (e) => e)
  return { op, error, paths: op.log.map((r) => r.path) }
}

describe('startLogin (OIDC Core 3.1.2.1, RFC 9700 2.1.1)', () => {
  it('builds a PKCE S256 request with a fresh state (slot first) and nonce', async () => {
    const op = await createMockIs()
    const a = await startLogin(op.ctx, '/patients', {}, 2)
    const b = await startLogin(op.ctx, '/', {}, 2)
    const p = a.authorizationUrl.searchParams
    expect(a.authorizationUrl.origin + a.authorizationUrl.pathname).toBe('https://is.test/oauth2/authorize')
    expect(p.get('response_type')).toBe('code')
    expect(p.get('client_id')).toBe(CLIENT_ID)
    expect(p.get('redirect_uri')).toBe('https://app.test/login')
    expect(p.get('scope')).toBe('openid profile email internal_login')
    expect(p.get('code_challenge_method')).toBe('S256')
    expect(p.get('code_challenge')).toBe(await oauth.calculatePKCECodeChallenge(a.transaction.codeVerifier))
    expect(p.get('state')).toBe(a.transaction.state)
    expect(a.transaction.state).toMatch(/^2[A-Za-z0-9_-]{43}$/)
    expect(p.get('nonce')).toBe(a.transaction.nonce)
    expect(a.transaction.returnTo).toBe('/patients')
    expect(a.transaction.state).not.toBe(b.transaction.state)
    expect(a.transaction.nonce).not.toBe(b.transaction.nonce)
    expect(a.authorizationUrl.href).not.toContain('secret')
  })

  it('sends the login parameters; organization login becomes fidp=OrganizationSSO', async () => {
    const op = await createMockIs()
    const { authorizationUrl } = await startLogin(op.ctx, '/', { prompt: 'login', maxAge: 300, loginHint: 'alice', uiLocales: 'fr', acrValues: 'LOA2', orgId: 'org-1' }, 0)
    const p = authorizationUrl.searchParams
    expect([p.get('prompt'), p.get('max_age'), p.get('login_hint'), p.get('ui_locales'), p.get('acr_values'), p.get('fidp'), p.get('orgId')]).toEqual(['login', '300', 'alice', 'fr', 'LOA2', 'OrganizationSSO', 'org-1'])
  })

  it('pushes the request with PAR (RFC 9126): the browser URL carries only client_id and request_uri', async () => {
    const op = await createMockIs({ par: 'on' })
    const { authorizationUrl } = await startLogin(op.ctx, '/', { loginHint: 'alice' }, 1)
    expect([...authorizationUrl.searchParams.keys()].sort()).toEqual(['client_id', 'request_uri'])
    expect(authorizationUrl.searchParams.get('request_uri')).toMatch(/^urn:ietf:params:oauth:par:request_uri:/)
    const par = op.log.find((r) => r.path === '/oauth2/par')!
    expect(par.body.get('redirect_uri')).toBe('https://app.test/login')
    expect(par.body.get('login_hint')).toBe('alice')
    expect(par.headers.get('authorization')).toMatch(/^Basic /)
  })

  it('uses PAR with auto only when discovery advertises it, and refuses on without it', async () => {
    const auto = await createMockIs({ par: 'auto' })
    delete auto.discovery.pushed_authorization_request_endpoint
    expect((await startLogin(auto.ctx, '/', {}, 0)).authorizationUrl.searchParams.has('code_challenge')).toBe(true)
    const on = await createMockIs({ par: 'on' })
    delete on.discovery.pushed_authorization_request_endpoint
    await expect(startLogin(on.ctx, '/', {}, 0)).rejects.toMatchObject({ code: 'discovery_invalid' })
  })

  it('maps a refused PAR request to a coded error', async () => {
    const op = await createMockIs({ par: 'on' })
    op.override.set('/oauth2/par', () => new Response(JSON.stringify({ error: 'invalid_client', error_description: 'Client credentials are invalid.' }), { status: 401, headers: { 'content-type': 'application/json' } }))
    await expect(startLogin(op.ctx, '/', {}, 0)).rejects.toMatchObject({ code: expect.stringMatching(/idp_error|token_exchange_failed/) })
  })
})

describe('completeLogin (OIDC Core 3.1.3)', () => {
  it('exchanges the code, verifies the ID token and keeps userinfo extras only', async () => {
    const op = await createMockIs()
    const { txn, url } = op.callback()
    const result = await completeLogin(op.ctx, url, txn)
    expect(result.record).toMatchObject({ v: 2, iss: ISSUER, sub: 'user-uuid-1', sid: 'sid-1', username: 'ada', amr: ['BasicAuthenticator'] })
    expect(result.extras).toEqual({ email: 'ada@example.com' })
    expect(result.tokens.refreshToken).toBeTruthy()
    expect(result.tokens.expiresAt - result.tokens.issuedAt).toBe(3600)
    const token = op.log.find((r) => r.path === '/oauth2/token')!
    expect(token.body.get('code_verifier')).toBe(txn.codeVerifier)
    expect(token.body.get('redirect_uri')).toBe('https://app.test/login')
    // client_secret_basic: id and secret are form-urlencoded before base64 (RFC 6749 2.3.1).
    const basic = atob(token.headers.get('authorization')!.replace(/^Basic /, ''))
    expect(basic.split(':').map(decodeURIComponent)).toEqual([CLIENT_ID, 'secret:with%special+chars'])
    expect(op.log.find((r) => r.path === '/oauth2/userinfo')!.headers.get('authorization')).toMatch(/^Bearer /)
  })

  it('with userinfo off, takes the attributes from the verified ID token and makes no userinfo call', async () => {
    const op = await createMockIs({ userinfo: false })
    const { txn, url } = op.callback()
    const result = await completeLogin(op.ctx, url, txn)
    expect(result.record).toMatchObject({ sub: 'user-uuid-1', username: 'ada' })
    expect(result.extras).toEqual({})
    expect(op.log.map((r) => r.path)).not.toContain('/oauth2/userinfo')
  })

  it('sends client_secret_post when configured', async () => {
    const op = await createMockIs({ clientAuth: 'client_secret_post' })
    const { txn, url } = op.callback()
    await completeLogin(op.ctx, url, txn)
    const token = op.log.find((r) => r.path === '/oauth2/token')!
    expect(token.body.get('client_secret')).toBe('secret:with%special+chars')
    expect(token.headers.get('authorization')).toBeNull()
  })

  it.each([
    ['a wrong state', { state: `0${'W'.repeat(43)}` }, 'state_mismatch'],
    ['an iss of another issuer (RFC 9207)', { iss: 'https://evil.example' }, 'issuer_mismatch'],
    ['a repeated parameter', {}, 'callback_invalid'],
    ['an empty error', { error: '' }, 'callback_invalid'],
    ['an id_token parameter', { id_token: 'x' }, 'callback_invalid'],
  ])('refuses %s before any token call', async (name, params, code) => {
    const op = await createMockIs()
    const { txn, url } = op.callback(params)
    if (name === 'a repeated parameter') url.searchParams.append('code', 'other')
    await expect(completeLogin(op.ctx, url, txn)).rejects.toMatchObject({ code })
    expect(op.log.map((r) => r.path)).not.toContain('/oauth2/token')
  })

  it('refuses a missing iss when the IS advertises it (RFC 9207 2.4)', async () => {
    const { error } = await failure((op) => Object.assign(op.discovery, { authorization_response_iss_parameter_supported: true }))
    expect(error?.code).toBe('issuer_mismatch')
  })

  it.each([
    ['access_denied', 'access_denied', 403],
    ['login_required', 'login_required', 401],
    ['consent_required', 'login_required', 401],
    ['interaction_required', 'login_required', 401],
    ['server_error', 'idp_error', 502],
  ])('shows error=%s as %s, never a new login', async (error, code, status) => {
    const op = await createMockIs()
    const { txn } = op.callback()
    const url = new URL(`https://app.test/login?error=${error}&error_description=x&state=${txn.state}`)
    await expect(completeLogin(op.ctx, url, txn)).rejects.toMatchObject({ code, status })
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
    ['string iat', { iat: String(Math.floor(Date.now() / 1000)) }],
    ['auth_time in the future', { auth_time: Math.floor(Date.now() / 1000) + 3600 }],
  ])('rejects an ID token with %s and never calls userinfo', async (_, claims) => {
    const { error, paths } = await failure((op) => Object.assign(op.idTokenClaims, claims))
    expect(error?.code).toBe('id_token_invalid')
    expect(paths).not.toContain('/oauth2/userinfo')
  })

  it.each([
    ['a bad signature', (b: Record<string, unknown>) => (b.id_token = corruptSignature(String(b.id_token)))],
    ['alg none', (b: Record<string, unknown>) => (b.id_token = `${btoa('{"alg":"none"}').replace(/=+$/, '')}.${String(b.id_token).split('.')[1]}.`)],
    ['no id_token', (b: Record<string, unknown>) => delete b.id_token],
    ['an id_token that is not a JWT', (b: Record<string, unknown>) => (b.id_token = 'abc')],
    ['token_type mac', (b: Record<string, unknown>) => (b.token_type = 'mac')],
  ])('rejects a token response with %s as id_token_invalid (400), without userinfo', async (_, change) => {
    const { error, paths } = await failure((op) => {
      op.discovery.id_token_signing_alg_values_supported = ['none', 'RS256']
      return rewriteToken(op, change)
    })
    expect(error).toMatchObject({ code: 'id_token_invalid', status: 400 })
    expect(paths).not.toContain('/oauth2/userinfo')
  })

  it('maps a token response without access_token to idp_bad_response (502)', async () => {
    const { error } = await failure((op) => rewriteToken(op, (b) => delete b.access_token))
    expect(error).toMatchObject({ code: 'idp_bad_response', status: 502 })
  })

  it('tries each key when the token has no kid and the JWKS has several', async () => {
    const op = await createMockIs()
    const { kid: _kid, ...kidless } = op.jwksKeys[0]
    op.jwksKeys = [await decoyJwk(), kidless, await decoyJwk()]
    op.idTokenHeader = { kid: undefined }
    const { txn, url } = op.callback()
    await expect(completeLogin(op.ctx, url, txn)).resolves.toMatchObject({ record: { sub: 'user-uuid-1' } })
  })

  it('refuses a kid-less token none of several keys verifies, and an unknown kid after one refetch', async () => {
    const a = await failure(async (op) => {
      op.jwksKeys = [await decoyJwk(), await decoyJwk()]
      op.idTokenHeader = { kid: undefined }
    })
    expect(a.error?.code).toBe('id_token_invalid')
    const b = await failure((op) => Object.assign(op.idTokenHeader, { kid: 'unknown_RS256' }))
    expect(b.error?.code).toBe('id_token_invalid')
    expect(b.paths.filter((p) => p === '/oauth2/jwks').length).toBeLessThanOrEqual(2)
  })

  it('reports a JWKS that answers 500 as the IS failing, not a bad token', async () => {
    const { error } = await failure((op) => op.override.set('/oauth2/jwks', () => new Response('down', { status: 500 })))
    expect(error).toMatchObject({ code: 'idp_error', status: 502 })
  })

  it('rejects a userinfo response for another subject (OIDC Core 5.3.2)', async () => {
    const { error } = await failure((op) => Object.assign(op.userinfo, { sub: 'someone-else' }))
    expect(error?.code).toBe('userinfo_invalid')
  })

  it('maps invalid_grant to token_exchange_failed (400), 5xx to idp_error (502) and never retries the code', async () => {
    const a = await failure((op) => op.override.set('/oauth2/token', () => new Response(JSON.stringify({ error: 'invalid_grant' }), { status: 400, headers: { 'content-type': 'application/json' } })))
    expect(a.error).toMatchObject({ code: 'token_exchange_failed', status: 400 })
    const b = await failure((op) => op.override.set('/oauth2/token', () => new Response('<html>oops</html>', { status: 500 })))
    expect(b.error).toMatchObject({ code: 'idp_error', status: 502 })
    expect(b.paths.filter((p) => p === '/oauth2/token')).toHaveLength(1)
  })

  it('step-up: refuses an auth_time older than the max_age asked for (OIDC Core 3.1.2.1)', async () => {
    const { error } = await failure((op) => Object.assign(op.idTokenClaims, { auth_time: Math.floor(Date.now() / 1000) - 3600 }), {}, { maxAge: 300 })
    expect(error).toMatchObject({ code: 'step_up_failed', status: 403 })
    const missing = await failure(() => {}, {}, { maxAge: 300 })
    expect(missing.error?.code).toMatch(/step_up_failed|id_token_invalid/)
  })

  it('step-up: refuses an acr other than the ones asked for, and keeps auth_time and acr', async () => {
    const weak = await failure((op) => Object.assign(op.idTokenClaims, { acr: 'LOA1' }), {}, { acrValues: 'LOA2 LOA3' })
    expect(weak.error?.code).toBe('step_up_failed')
    const op = await createMockIs()
    const now = Math.floor(Date.now() / 1000)
    Object.assign(op.idTokenClaims, { acr: 'LOA2', auth_time: now - 10 })
    const { txn, url } = op.callback({}, { params: { acrValues: 'LOA2', maxAge: 300 } })
    expect((await completeLogin(op.ctx, url, txn)).record).toMatchObject({ acr: 'LOA2', authTime: now - 10 })
  })

  it('plans with tokenLifetime: expires_in 0 and absurd values', async () => {
    for (const [value, lifetime] of [[0, 0], [1e12, 24 * 3600], ['3600', 3600]] as const) {
      const op = await createMockIs()
      op.tokenResponse.expires_in = value
      const { txn, url } = op.callback()
      const { tokens } = await completeLogin(op.ctx, url, txn)
      expect(tokens.expiresAt - tokens.issuedAt).toBe(lifetime)
    }
  })
})

describe('ID token policies', () => {
  it('checkIdTokenPolicy accepts a fresh token and refuses a 256-character sub', () => {
    const now = 1_000_000
    expect(() => checkIdTokenPolicy({ iss: 'i', sub: 's', aud: 'a', iat: now, exp: now + 60 }, now)).not.toThrow()
    expect(() => checkIdTokenPolicy({ iss: 'i', sub: 'x'.repeat(256), aud: 'a', iat: now, exp: now + 60 }, now)).toThrow()
  })

  it('checkAcr passes without acr_values and requires one of them otherwise', () => {
    const claims = { iss: 'i', sub: 's', aud: 'a', iat: 1, exp: 2 }
    expect(() => checkAcr(claims, undefined)).not.toThrow()
    expect(() => checkAcr({ ...claims, acr: 'LOA2' }, 'LOA1 LOA2')).not.toThrow()
    expect(() => checkAcr(claims, 'LOA2')).toThrow(expect.objectContaining({ code: 'step_up_failed' }))
  })
})
