import { describe, expect, it } from 'vitest'
import { parseSessionConfig } from './config'
import { evaluateGuard, isDocumentRequest, rejectResponse, TOUCH_INTERVAL } from './guard'
import { nowSeconds, sealSession, sessionCookieHeaders, type SessionData } from './session'

const config = parseSessionConfig({ AUTH_SESSION_SECRET: 'g'.repeat(32) })
const APP = 'https://localhost:5000'

function session(extra: Partial<SessionData> = {}): SessionData {
  const now = nowSeconds()
  return {
    v: 1, id: 'session-1', iss: 'https://is/oauth2/token', sub: 'u', username: 'admin', user: {}, accessToken: 'at', idToken: 'a.b.c',
    expiresAt: now + 3600, tokenIssuedAt: now, createdAt: now, lastSeen: now, ...extra,
  }
}

async function cookieFor(data: SessionData) {
  const seal = await sealSession(data, config)
  return sessionCookieHeaders(seal, [], config).map((h) => h.split(';')[0]).join('; ')
}

const doc = { 'sec-fetch-dest': 'document', 'sec-fetch-mode': 'navigate', accept: 'text/html' }

describe('guard', () => {
  it('lets a valid session through', async () => {
    const result = await evaluateGuard(new Request(`${APP}/`, { headers: { ...doc, cookie: await cookieFor(session()) } }), config)
    expect(result.kind).toBe('pass')
  })

  it('sends documents without a session to /signin with returnTo', async () => {
    const result = await evaluateGuard(new Request(`${APP}/patients?id=3`, { headers: doc }), config)
    expect(result).toMatchObject({ kind: 'redirect', location: `${APP}/signin?returnTo=%2Fpatients%3Fid%3D3` })
  })

  it.each([
    ['RSC', { rsc: '1' }],
    ['prefetch', { 'next-router-prefetch': '1', rsc: '1' }],
    ['fetch', { 'sec-fetch-dest': 'empty', 'sec-fetch-mode': 'cors' }],
    ['plain API client', { accept: 'application/json' }],
  ])('answers %s requests with 401', async (_, headers) => {
    const result = await evaluateGuard(new Request(`${APP}/`, { headers }), config)
    expect(result.kind).toBe('unauthorized')
    const response = rejectResponse(result as never)
    expect(response.status).toBe(401)
    expect(response.headers.get('cache-control')).toContain('no-store')
  })

  it('answers server actions (POST with Next-Action) with 401', async () => {
    const result = await evaluateGuard(new Request(`${APP}/`, { method: 'POST', headers: { ...doc, 'next-action': 'abc' } }), config)
    expect(result.kind).toBe('unauthorized')
  })

  it.each(['/signin', '/login', '/logout', '/login?code=x'])('passes public path %s', async (path) => {
    expect((await evaluateGuard(new Request(`${APP}${path}`, { headers: doc }), config)).kind).toBe('pass')
  })

  it('does not treat look-alike paths as public', async () => {
    for (const path of ['/signinx', '/loginfoo', '/%2Fsignin', '/signin/../']) {
      const url = new URL(path, APP)
      const result = await evaluateGuard(new Request(url, { headers: doc }), config)
      if (url.pathname === '/') expect(result.kind).toBe('redirect')
      else expect(result.kind, path).toBe('redirect')
    }
  })

  it('passes OPTIONS preflights', async () => {
    expect((await evaluateGuard(new Request(`${APP}/`, { method: 'OPTIONS' }), config)).kind).toBe('pass')
  })

  it('treats forged, expired and idle sessions as anonymous and clears them', async () => {
    const now = nowSeconds()
    const cookies = [
      '__Host-myclinic-session=Fe26.2*1*forged',
      '__Host-myclinic-session=Fe26.2**x*y*z*w*v*u~2',
      await cookieFor(session({ createdAt: now - config.maxAge - 1 })),
      await cookieFor(session({ lastSeen: now - config.idleTimeout - 1 })),
    ]
    for (const cookie of cookies) {
      const result = await evaluateGuard(new Request(`${APP}/`, { headers: { ...doc, cookie } }), config)
      expect(result.kind).toBe('redirect')
      if (result.kind === 'redirect') expect(result.clearCookies.join()).toContain('Max-Age=0')
    }
  })

  it('re-seals lastSeen once a minute and forwards the new cookie to the request', async () => {
    const stale = session({ lastSeen: nowSeconds() - TOUCH_INTERVAL - 1 })
    const result = await evaluateGuard(new Request(`${APP}/`, { headers: { ...doc, cookie: `a=1; ${await cookieFor(stale)}` } }), config)
    expect(result.kind).toBe('pass')
    if (result.kind !== 'pass' || !result.touched) throw new Error('expected a touched session')
    expect(result.session!.lastSeen).toBeGreaterThan(stale.lastSeen)
    expect(result.touched.setCookies[0]).toMatch(/^__Host-myclinic-session=Fe26/)
    expect(result.touched.cookieHeader).toMatch(/^a=1; __Host-myclinic-session=Fe26/)
  })

  it('recognises document requests', () => {
    expect(isDocumentRequest(new Request(APP, { headers: doc }))).toBe(true)
    expect(isDocumentRequest(new Request(APP, { headers: { ...doc, rsc: '1' } }))).toBe(false)
    expect(isDocumentRequest(new Request(APP, { headers: { purpose: 'prefetch', accept: 'text/html' } }))).toBe(false)
  })
})
