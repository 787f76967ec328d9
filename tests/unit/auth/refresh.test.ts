import { describe, expect, it } from 'vitest'
import { nowSeconds, type SessionRecord, type TokenSet } from '../../../lib/auth/session'
import type { StoredSession } from '../../../lib/auth/session-codec'
import { MemoryStore } from '../../../lib/auth/store'
import { refreshIfDue } from '../../../lib/auth/server/refresh'
import { latestTokens } from '../../../lib/auth/server/token-store'
import { createMockIs, ISSUER, type MockIs } from './mock-is'

let n = 0
function record(extra: Partial<SessionRecord> = {}): SessionRecord {
  return { v: 2, id: `s${++n}-${Date.now()}`, iss: ISSUER, sub: 'user-uuid-1', sid: 'sid-1', username: 'ada', createdAt: Date.now() - 100_000, writtenAt: Date.now() - 10_000, ...extra }
}

/** Tokens that are due: issued an hour ago, 30 s left (inside the 60 s buffer). */
function due(refreshToken: string, extra: Partial<TokenSet> = {}): StoredSession {
  const now = nowSeconds()
  return { tokens: { accessToken: 'old-at', idToken: 'old.id.token', refreshToken, expiresAt: now + 30, issuedAt: now - 3570, ...extra } }
}

const grants = (op: MockIs) => op.tokenCalls('refresh_token')

describe('refreshIfDue (RFC 6749 6, OIDC Core 12)', () => {
  it('leaves tokens that are not due alone, without an IS call', async () => {
    const op = await createMockIs()
    const now = nowSeconds()
    const current = { tokens: { accessToken: 'at', idToken: 'it', refreshToken: 'rt', expiresAt: now + 3000, issuedAt: now - 600 } }
    expect(await refreshIfDue(op.ctx, record(), current)).toMatchObject({ kind: 'current' })
    expect(grants(op)).toBe(0)
  })

  it('refreshes, rotates and saves the result server-side before returning', async () => {
    const op = await createMockIs()
    const r = record()
    const rt = op.issueRefreshToken()
    const outcome = await refreshIfDue(op.ctx, r, due(rt))
    expect(outcome.kind).toBe('refreshed')
    if (outcome.kind !== 'refreshed') return
    expect(outcome.current.tokens.accessToken).not.toBe('old-at')
    expect(outcome.current.tokens.refreshToken).not.toBe(rt)
    expect(outcome.current.tokens.expiresAt - outcome.current.tokens.issuedAt).toBe(3600)
    // A Server Component that cannot write cookies loses nothing: the overlay holds the new tokens.
    expect((await latestTokens(op.ctx, r, due(rt))).tokens.accessToken).toBe(outcome.current.tokens.accessToken)
  })

  it('sends one grant for ten parallel refreshes of one session (single flight)', async () => {
    const op = await createMockIs()
    const r = record()
    const rt = op.issueRefreshToken()
    const outcomes = await Promise.all(Array.from({ length: 10 }, () => refreshIfDue(op.ctx, r, due(rt))))
    expect(grants(op)).toBe(1)
    expect(new Set(outcomes.map((o) => (o.kind === 'refreshed' ? o.current.tokens.accessToken : o.kind))).size).toBe(1)
  })

  it('two instances sharing one store send one grant, and a latecomer with the old tokens gets the new ones', async () => {
    const shared = new MemoryStore()
    const a = await createMockIs({}, shared)
    const b = await createMockIs({}, shared)
    // Both instances talk to one IS: route b's calls to a's mock.
    b.ctx.fetch = a.fetch
    ;(b.ctx as { discovery: unknown }).discovery = a.ctx.discovery
    ;(b.ctx as { jwks: unknown }).jwks = a.ctx.jwks
    const r = record()
    const rt = a.issueRefreshToken()
    const [x, y] = await Promise.all([refreshIfDue(a.ctx, r, due(rt)), refreshIfDue(b.ctx, r, due(rt))])
    expect(grants(a)).toBe(1)
    expect(x.kind).toBe('refreshed')
    expect(y.kind).toBe('refreshed')
    if (x.kind === 'refreshed' && y.kind === 'refreshed') expect(y.current.tokens.accessToken).toBe(x.current.tokens.accessToken)
    const late = await refreshIfDue(b.ctx, r, due(rt))
    expect(grants(a)).toBe(1)
    expect(late.kind === 'refreshed' || late.kind === 'current').toBe(true)
  })

  it('a refresh result keeps its own issue time when served to a latecomer', async () => {
    const op = await createMockIs()
    const r = record()
    const rt = op.issueRefreshToken()
    const first = await refreshIfDue(op.ctx, r, due(rt))
    await new Promise((resolve) => setTimeout(resolve, 1100))
    const late = await refreshIfDue(op.ctx, r, due(rt))
    if (first.kind !== 'refreshed' || late.kind !== 'refreshed') throw new Error(`unexpected ${first.kind}/${late.kind}`)
    expect(late.current.tokens.issuedAt).toBe(first.current.tokens.issuedAt)
    expect(late.current.tokens.expiresAt).toBe(first.current.tokens.expiresAt)
  })

  it('keeps serving the current token when an early refresh loses a rotation race', async () => {
    const op = await createMockIs()
    expect(await refreshIfDue(op.ctx, record(), due('rotated-elsewhere'))).toMatchObject({ kind: 'kept', reason: 'race', current: { tokens: { accessToken: 'old-at' } } })
  })

  it('ends the session on invalid_grant once the token has expired', async () => {
    const op = await createMockIs()
    const outcome = await refreshIfDue(op.ctx, record(), due('dead', { expiresAt: nowSeconds() - 5 }))
    expect(outcome).toMatchObject({ kind: 'ended', error: { code: 'token_exchange_failed' } })
  })

  it.each([
    ['5xx', () => new Response('<html>', { status: 503 })],
    ['429', () => new Response(JSON.stringify({ error: 'slow_down' }), { status: 429, headers: { 'content-type': 'application/json' } })],
    ['network', () => Promise.reject(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }))],
  ])('keeps the session on a transient %s failure and backs off without calling again', async (_, respond) => {
    const op = await createMockIs()
    op.override.set('/oauth2/token', respond as () => Response)
    const r = record()
    const current = due(op.issueRefreshToken(), { expiresAt: nowSeconds() - 5 })
    expect(await refreshIfDue(op.ctx, r, current)).toMatchObject({ kind: 'kept', reason: 'transient' })
    const calls = op.log.filter((l) => l.path === '/oauth2/token').length
    expect(await refreshIfDue(op.ctx, r, current)).toMatchObject({ kind: 'kept', reason: 'transient' })
    expect(op.log.filter((l) => l.path === '/oauth2/token').length).toBe(calls)
  })

  it.each([
    ['sub', { sub: 'someone-else' }],
    ['iss', { iss: 'https://evil.example/oauth2/token' }],
  ])('ends the session when the refreshed ID token changes %s (OIDC Core 12.2)', async (_, claims) => {
    const op = await createMockIs()
    Object.assign(op.idTokenClaims, claims)
    expect((await refreshIfDue(op.ctx, record(), due(op.issueRefreshToken(), { expiresAt: nowSeconds() - 5 }))).kind).toBe('ended')
  })

  it('does not refresh a session without a refresh token', async () => {
    const op = await createMockIs()
    const current = due('x')
    delete current.tokens.refreshToken
    expect(await refreshIfDue(op.ctx, record(), current)).toMatchObject({ kind: 'current' })
    expect(grants(op)).toBe(0)
  })

  it('expires_in 0 from the IS: one grant, then nothing due for MIN_REFRESH_INTERVAL', async () => {
    const op = await createMockIs()
    op.tokenResponse.expires_in = 0
    const r = record()
    const first = await refreshIfDue(op.ctx, r, due(op.issueRefreshToken()))
    if (first.kind !== 'refreshed') throw new Error(first.kind)
    expect(first.current.tokens.expiresAt).toBe(first.current.tokens.issuedAt)
    expect(await refreshIfDue(op.ctx, r, first.current)).toMatchObject({ kind: 'current' })
    expect(grants(op)).toBe(1)
  })

  it('treats a store that cannot be reached as transient (the session is kept)', async () => {
    const broken = new MemoryStore()
    broken.setIfAbsent = async () => {
      throw new Error('down')
    }
    const op = await createMockIs({}, broken)
    expect(await refreshIfDue(op.ctx, record(), due(op.issueRefreshToken()))).toMatchObject({ kind: 'kept', reason: 'transient' })
  })
})
