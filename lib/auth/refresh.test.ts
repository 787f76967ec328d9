import { beforeEach, describe, expect, it } from 'vitest'
import { createMockOp, ISSUER } from '../../tests/unit/mock-op'
import { refreshSession, resetRefreshStateForTests } from './refresh'
import { nowSeconds, type SessionData } from './session'

function session(refreshToken: string, extra: Partial<SessionData> = {}): SessionData {
  const now = nowSeconds()
  return {
    v: 1, id: 's1', iss: ISSUER, sub: 'user-uuid-1', sid: 'sid-1', username: 'ada', user: {}, accessToken: 'old-at',
    idToken: 'old.id.token', refreshToken, expiresAt: now + 30, tokenIssuedAt: now - 3570, createdAt: now - 100, lastSeen: now - 10, ...extra,
  }
}

const tokenCalls = (op: Awaited<ReturnType<typeof createMockOp>>) => op.log.filter((r) => r.path === '/oauth2/token').length

describe('refreshSession', () => {
  beforeEach(() => resetRefreshStateForTests())

  it('refreshes and rotates the tokens', async () => {
    const op = await createMockOp()
    const rt = op.issueRefreshToken()
    const outcome = await refreshSession(op.ctx, session(rt))
    expect(outcome.kind).toBe('refreshed')
    if (outcome.kind !== 'refreshed') return
    expect(outcome.session.accessToken).not.toBe('old-at')
    expect(outcome.session.refreshToken).not.toBe(rt)
    expect(outcome.session.expiresAt).toBeGreaterThan(nowSeconds() + 3000)
    expect(outcome.session.id).toBe('s1')
  })

  it('sends one request for ten parallel refreshes of the same token (single flight)', async () => {
    const op = await createMockOp()
    const rt = op.issueRefreshToken()
    const outcomes = await Promise.all(Array.from({ length: 10 }, () => refreshSession(op.ctx, session(rt))))
    expect(tokenCalls(op)).toBe(1)
    const tokens = new Set(outcomes.map((o) => (o.kind === 'refreshed' ? o.session.accessToken : 'x')))
    expect(tokens.size).toBe(1)
    expect(outcomes.every((o) => o.kind === 'refreshed')).toBe(true)
  })

  it('gives a latecomer with the just-rotated token the same new tokens', async () => {
    const op = await createMockOp()
    const rt = op.issueRefreshToken()
    const first = await refreshSession(op.ctx, session(rt))
    const late = await refreshSession(op.ctx, session(rt))
    expect(late).toEqual(first)
    expect(tokenCalls(op)).toBe(1)
  })

  it('keeps serving the current token when an early refresh loses a rotation race', async () => {
    const op = await createMockOp()
    const outcome = await refreshSession(op.ctx, session('rotated-elsewhere'))
    expect(outcome).toMatchObject({ kind: 'kept', reason: 'race', session: { accessToken: 'old-at' } })
  })

  it('ends the session on invalid_grant once the token has expired', async () => {
    const op = await createMockOp()
    const outcome = await refreshSession(op.ctx, session('dead', { expiresAt: nowSeconds() - 5 }))
    expect(outcome).toMatchObject({ kind: 'ended', error: { code: 'token_exchange_failed' } })
  })

  it.each([
    ['5xx', () => new Response('<html>', { status: 503 })],
    ['429', () => new Response(JSON.stringify({ error: 'slow_down' }), { status: 429, headers: { 'content-type': 'application/json' } })],
    ['network', () => Promise.reject(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }))],
  ])('keeps the session on a transient %s failure and backs off', async (_, respond) => {
    const op = await createMockOp()
    op.override.set('/oauth2/token', respond as () => Response)
    const outcome = await refreshSession(op.ctx, session(op.issueRefreshToken(), { expiresAt: nowSeconds() - 5 }))
    expect(outcome.kind).toBe('kept')
    if (outcome.kind === 'kept') expect(outcome.session.refreshRetryAt).toBeGreaterThan(nowSeconds())
  })

  it.each([
    ['sub', { sub: 'someone-else' }],
    ['iss', { iss: 'https://evil.example/oauth2/token' }],
  ])('ends the session when the refreshed ID token changes %s (OIDC Core 12.2)', async (_, claims) => {
    const op = await createMockOp()
    Object.assign(op.idTokenClaims, claims)
    const outcome = await refreshSession(op.ctx, session(op.issueRefreshToken()))
    expect(outcome.kind).toBe('ended')
  })

  it('keeps sessions without a refresh token as they are', async () => {
    const op = await createMockOp()
    const outcome = await refreshSession(op.ctx, { ...session('x'), refreshToken: undefined })
    expect(outcome).toMatchObject({ kind: 'kept', reason: 'no_refresh_token' })
    expect(tokenCalls(op)).toBe(0)
  })
})
