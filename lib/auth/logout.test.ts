import { describe, expect, it } from 'vitest'
import { createMockOp } from '../../tests/unit/mock-op'
import { endSessionUrl, revokeTokens } from './logout'
import type { SessionData } from './session'

const session = { refreshToken: 'rt-1', idToken: 'a.b.c' } as SessionData

describe('logout', () => {
  it('builds the end-session URL with id_token_hint, client_id, post_logout_redirect_uri and state', async () => {
    const op = await createMockOp()
    const url = await endSessionUrl(op.ctx, 'id.token.jwt', 'st')
    expect(url!.origin + url!.pathname).toBe('https://is.test/oidc/logout')
    expect(Object.fromEntries(url!.searchParams)).toEqual({
      id_token_hint: 'id.token.jwt',
      client_id: 'client-1',
      post_logout_redirect_uri: 'https://app.test/signin',
      state: 'st',
    })
  })

  it('returns null when the IS has no end_session_endpoint or is down', async () => {
    const op = await createMockOp()
    op.discovery.end_session_endpoint = undefined
    expect(await endSessionUrl(op.ctx, undefined, 's')).toBeNull()
    const down = await createMockOp()
    down.override.set('/oauth2/token/.well-known/openid-configuration', () => new Response('', { status: 503 }))
    expect(await endSessionUrl(down.ctx, undefined, 's')).toBeNull()
  })

  it('revokes the refresh token (RFC 7009) and accepts WSO2 empty 200 bodies', async () => {
    const op = await createMockOp()
    expect(await revokeTokens(op.ctx, session)).toBe(true)
    const call = op.log.find((r) => r.path === '/oauth2/revoke')!
    expect(call.body.get('token')).toBe('rt-1')
    expect(call.body.get('token_type_hint')).toBe('refresh_token')
  })

  it('never throws when revocation fails', async () => {
    const op = await createMockOp()
    op.override.set('/oauth2/revoke', () => new Response('x', { status: 500 }))
    expect(await revokeTokens(op.ctx, session)).toBe(false)
  })
})
