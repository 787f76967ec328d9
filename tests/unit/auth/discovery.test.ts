import { describe, expect, it } from 'vitest'
import { checkEndpoints, DiscoveryCache } from '../../../lib/auth/server/discovery'
import { createMockIs, ISSUER, ORIGIN } from './mock-is'

describe('discovery (OIDC Discovery 4)', () => {
  it('fetches WSO2 discovery at {tenant}/oauth2/token/.well-known/openid-configuration and checks the issuer', async () => {
    const op = await createMockIs()
    expect((await op.ctx.discovery.get()).issuer).toBe(ISSUER)
    expect(op.log[0].path).toBe('/oauth2/token/.well-known/openid-configuration')
  })

  it('uses the tenant path in both the URL and the issuer', async () => {
    const op = await createMockIs({ tenantPath: '/t/wso2.com' })
    expect((await op.ctx.discovery.get()).issuer).toBe(`${ORIGIN}/t/wso2.com/oauth2/token`)
    expect(op.log[0].path).toBe('/t/wso2.com/oauth2/token/.well-known/openid-configuration')
  })

  it('caches the document for the TTL and shares concurrent misses', async () => {
    const op = await createMockIs()
    await Promise.all([op.ctx.discovery.get(), op.ctx.discovery.get(), op.ctx.discovery.get()])
    await op.ctx.discovery.get()
    expect(op.log).toHaveLength(1)
    let now = 0
    const cache = new DiscoveryCache(op.config, op.fetch, () => now)
    await cache.get()
    now += op.config.discoveryTtl * 1000 + 1
    await cache.get()
    expect(op.log).toHaveLength(3)
  })

  it('rejects a document whose issuer differs (4.3) and does not cache the failure', async () => {
    const op = await createMockIs()
    op.discovery.issuer = 'https://evil.example/oauth2/token'
    await expect(op.ctx.discovery.get()).rejects.toMatchObject({ code: 'discovery_invalid', status: 502 })
    op.discovery.issuer = ISSUER
    await expect(op.ctx.discovery.get()).resolves.toMatchObject({ issuer: ISSUER })
  })

  it.each([
    ['http authorization_endpoint', { authorization_endpoint: 'http://is.test/oauth2/authorize' }],
    ['foreign authorization_endpoint', { authorization_endpoint: 'https://evil.example/authorize' }],
    ['javascript end_session_endpoint', { end_session_endpoint: 'javascript:alert(1)' }],
    ['foreign token_endpoint', { token_endpoint: 'https://evil.example/token' }],
    ['foreign PAR endpoint', { pushed_authorization_request_endpoint: 'https://evil.example/par' }],
    ['credentials in the userinfo URL', { userinfo_endpoint: 'https://u:p@is.test/oauth2/userinfo' }],
    ['missing authorization_endpoint', { authorization_endpoint: undefined }],
    ['numeric jwks_uri', { jwks_uri: 42 }],
  ])('rejects %s (RFC 9700 4.11)', async (_, patch) => {
    const op = await createMockIs()
    Object.assign(op.discovery, patch)
    await expect(op.ctx.discovery.get()).rejects.toMatchObject({ code: expect.stringMatching(/discovery_invalid|idp_bad_response/) })
  })

  it('maps 5xx, HTML and non-JSON answers to 502-class codes', async () => {
    const op = await createMockIs()
    const path = '/oauth2/token/.well-known/openid-configuration'
    op.override.set(path, () => new Response('<html>down</html>', { status: 503 }))
    await expect(op.ctx.discovery.get()).rejects.toMatchObject({ code: 'idp_error', status: 502 })
    op.override.set(path, () => new Response('<html>', { status: 200, headers: { 'content-type': 'text/html' } }))
    await expect(op.ctx.discovery.get()).rejects.toMatchObject({ status: 502 })
    op.override.set(path, () => new Response('[]', { status: 200 }))
    await expect(op.ctx.discovery.get()).rejects.toMatchObject({ status: 502 })
  })

  it('checkEndpoints accepts a WSO2 document', () => {
    expect(() => checkEndpoints({ issuer: ISSUER, authorization_endpoint: `${ORIGIN}/oauth2/authorize`, token_endpoint: ISSUER, jwks_uri: `${ORIGIN}/oauth2/jwks`, end_session_endpoint: `${ORIGIN}/oidc/logout`, pushed_authorization_request_endpoint: `${ORIGIN}/oauth2/par` }, ISSUER)).not.toThrow()
  })
})
