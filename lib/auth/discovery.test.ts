import { describe, expect, it } from 'vitest'
import { createMockOp, ISSUER, ORIGIN } from '../../tests/unit/mock-op'
import { checkEndpoints, DiscoveryCache } from './discovery'

describe('discovery', () => {
  it('fetches WSO2 discovery at {tenant}/oauth2/token/.well-known/openid-configuration and checks the issuer', async () => {
    const op = await createMockOp()
    const as = await op.ctx.discovery.get()
    expect(as.issuer).toBe(ISSUER)
    expect(op.log[0].path).toBe('/oauth2/token/.well-known/openid-configuration')
  })

  it('uses the tenant path', async () => {
    const op = await createMockOp({ AUTH_TENANT_PATH: '/t/wso2.com' })
    const as = await op.ctx.discovery.get()
    expect(as.issuer).toBe(`${ORIGIN}/t/wso2.com/oauth2/token`)
    expect(op.log[0].path).toBe('/t/wso2.com/oauth2/token/.well-known/openid-configuration')
  })

  it('caches the document for the TTL and shares concurrent misses', async () => {
    const op = await createMockOp()
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

  it('rejects a document whose issuer differs (OIDC Discovery 4.3) and does not cache the failure', async () => {
    const op = await createMockOp()
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
    ['missing authorization_endpoint', { authorization_endpoint: undefined }],
    ['numeric jwks_uri', { jwks_uri: 42 }],
  ])('rejects %s (rp-security DK-03)', async (_, patch) => {
    const op = await createMockOp()
    Object.assign(op.discovery, patch)
    await expect(op.ctx.discovery.get()).rejects.toMatchObject({ code: expect.stringMatching(/discovery_invalid|idp_bad_response/) })
  })

  it('maps 5xx, HTML and non-JSON answers', async () => {
    const op = await createMockOp()
    op.override.set('/oauth2/token/.well-known/openid-configuration', () => new Response('<html>down</html>', { status: 503 }))
    await expect(op.ctx.discovery.get()).rejects.toMatchObject({ code: 'idp_error', status: 502 })
    op.override.set('/oauth2/token/.well-known/openid-configuration', () => new Response('<html>', { status: 200, headers: { 'content-type': 'text/html' } }))
    await expect(op.ctx.discovery.get()).rejects.toMatchObject({ status: 502 })
    op.override.set('/oauth2/token/.well-known/openid-configuration', () => new Response('[]', { status: 200 }))
    await expect(op.ctx.discovery.get()).rejects.toMatchObject({ status: 502 })
  })

  it('checkEndpoints accepts a WSO2 document', () => {
    expect(() =>
      checkEndpoints(
        {
          issuer: ISSUER,
          authorization_endpoint: `${ORIGIN}/oauth2/authorize`,
          token_endpoint: ISSUER,
          jwks_uri: `${ORIGIN}/oauth2/jwks`,
          end_session_endpoint: `${ORIGIN}/oidc/logout`,
        },
        ISSUER,
      ),
    ).not.toThrow()
  })
})
