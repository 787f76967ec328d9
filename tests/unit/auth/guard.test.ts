import { afterEach, describe, expect, it, vi } from 'vitest'
import { resolveConfig, type AuthConfig } from '@/lib/auth/config'
import { parseCookies } from '@/lib/auth/cookies'
import { evaluateGuard, misconfigured, pageContext, rejection, signInLocation, type GuardDecision } from '@/lib/auth/guard'
import type { ActivityRecord, SessionRecord } from '@/lib/auth/session'
import { activityCookie, clearSessionCookies, readCookieSession, sessionCookies } from '@/lib/auth/session-cookies'
import { APP, cookieHeader, makeConfig, nowSec, sessionRecord, setCookieName, thrown, tokenSet } from './fixtures'

const config = makeConfig({ appName: 'myclinic', routes: { signIn: '/signin' }, publicPaths: ['/health', '/docs/*'] })
const noSignIn = makeConfig({ appName: 'myclinic' })
const S = config.session

const DOC = { 'sec-fetch-dest': 'document', 'sec-fetch-mode': 'navigate', 'sec-fetch-site': 'same-origin', accept: 'text/html' }
const RSC = { rsc: '1', 'sec-fetch-dest': 'empty', 'sec-fetch-mode': 'cors', 'sec-fetch-site': 'same-origin' }

function request(path: string, headers: Record<string, string> = DOC, method = 'GET') {
  return new Request(`${APP}${path}`, { method, headers })
}

/** The Cookie header of a browser holding this session (and activity cookie). */
async function cookiesOf(record: SessionRecord, activity?: ActivityRecord, cfg: AuthConfig = config): Promise<string> {
  const jar = new Map((await sessionCookies(record, cfg.session)).chunks)
  if (activity) jar.set(cfg.session.activityCookieName, (await activityCookie(activity, cfg.session)).value)
  return cookieHeader(jar)
}

/** A session whose access token is due for refresh now (by the wall clock), written a moment ago. */
function dueRecord(extra: Partial<SessionRecord> = {}): SessionRecord {
  const now = nowSec()
  return sessionRecord({ id: 'due-session', tokens: tokenSet({ issuedAt: now - 3590, expiresAt: now + 10 }), ...extra })
}

const pass = (d: GuardDecision) => {
  expect(d.kind).toBe('pass')
  return d as Extract<GuardDecision, { kind: 'pass' }>
}

afterEach(() => {
  vi.restoreAllMocks()
})

describe('evaluateGuard: requests that always pass', () => {
  it.each(['/signin', '/signin/help', '/login', '/login?code=x&state=y', '/login/refresh?returnTo=/', '/logout', '/logout/backchannel', '/api/auth/session', '/health', '/docs', '/docs/a/b'])(
    'passes the public path %s untouched, without a session',
    async (path) => {
      expect(await evaluateGuard(request(path), config)).toEqual({ kind: 'pass', setCookies: [] })
    },
  )

  it('passes a public path untouched even with a broken session cookie (nothing cleared)', async () => {
    expect(await evaluateGuard(request('/health', { ...DOC, cookie: `${S.cookieName}=forged` }), config)).toEqual({ kind: 'pass', setCookies: [] })
  })

  it('passes OPTIONS (CORS preflight, Fetch 4.8) on a guarded path', async () => {
    expect(await evaluateGuard(request('/api/records', { origin: 'https://other.example' }, 'OPTIONS'), config)).toEqual({ kind: 'pass', setCookies: [] })
  })
})

describe('evaluateGuard: anonymous requests', () => {
  it('sends a document to the sign-in page with returnTo', async () => {
    expect(await evaluateGuard(request('/patients?id=3'), config)).toEqual({ kind: 'redirect', location: `${APP}/signin?returnTo=%2Fpatients%3Fid%3D3`, setCookies: [] })
  })

  it('sends a document to the login route when the app has no sign-in page', async () => {
    expect(await evaluateGuard(request('/patients'), noSignIn)).toMatchObject({ kind: 'redirect', location: `${APP}/login?returnTo=%2Fpatients` })
  })

  it('adds no returnTo for / and for a path that is not a safe destination', async () => {
    expect(await evaluateGuard(request('/'), config)).toMatchObject({ location: `${APP}/signin` })
    expect(await evaluateGuard(request(`/${'x'.repeat(600)}`), config)).toMatchObject({ location: `${APP}/signin` })
  })

  it('builds the location on the configured origin, never the request host', async () => {
    const decision = await evaluateGuard(new Request('https://evil.example/patients', { headers: { ...DOC, host: 'evil.example' } }), config)
    expect(decision).toMatchObject({ kind: 'redirect', location: `${APP}/signin?returnTo=%2Fpatients` })
  })

  it.each([
    ['a fetch', { 'sec-fetch-dest': 'empty', 'sec-fetch-mode': 'cors', accept: 'application/json' }, 'GET'],
    ['an RSC request', RSC, 'GET'],
    ['a router prefetch', { ...DOC, 'next-router-prefetch': '1', rsc: '1' }, 'GET'],
    ['a server action', { ...DOC, 'next-action': 'abc' }, 'POST'],
    ['an API client without Fetch Metadata', { accept: 'application/json' }, 'GET'],
    ['a form POST', DOC, 'POST'],
  ])('answers %s with unauthorized (a redirect to the IS would be followed cross-origin)', async (_, headers, method) => {
    expect(await evaluateGuard(request('/patients', headers, method), config)).toEqual({ kind: 'unauthorized', setCookies: [] })
  })

  it.each([
    ['a forged session cookie', () => Promise.resolve(`${S.cookieName}=Fe26.2*1*forged`)],
    ['a garbled chunk', () => Promise.resolve(`${S.cookieName}.0=Fe26.2*1*abc`)],
    ['an activity cookie alone', async () => `${S.activityCookieName}=${(await activityCookie({ v: 1, id: 'x', seen: Date.now() }, S)).value}`],
    ['an absolutely expired session', () => cookiesOf(sessionRecord({ id: 'old', createdAt: Date.now() - S.maxAge * 1000 }))],
    ['an idle session', () => cookiesOf(sessionRecord({ id: 'idle', createdAt: Date.now() - S.idleTimeout * 1000 - 5000, writtenAt: Date.now() - S.idleTimeout * 1000 - 5000 }))],
  ])('clears the session cookies of %s, for documents and other requests', async (_, cookie) => {
    const header = await cookie()
    expect(await evaluateGuard(request('/patients', { ...DOC, cookie: header }), config)).toEqual({ kind: 'redirect', location: `${APP}/signin?returnTo=%2Fpatients`, setCookies: clearSessionCookies(S) })
    expect(await evaluateGuard(request('/patients', { ...RSC, cookie: header }), config)).toEqual({ kind: 'unauthorized', setCookies: clearSessionCookies(S) })
  })

  it('clears nothing when the request carries only unrelated cookies', async () => {
    expect(await evaluateGuard(request('/patients', { ...DOC, cookie: 'theme=dark; __Host-myclinic-txn.0=x' }), config)).toMatchObject({ setCookies: [] })
  })
})

describe('evaluateGuard: signed-in requests', () => {
  it('passes a valid session without writing anything when it was seen within the touch interval', async () => {
    const record = sessionRecord({ id: 'fresh' })
    const decision = pass(await evaluateGuard(request('/patients', { ...DOC, cookie: await cookiesOf(record) }), config))
    expect(decision.setCookies).toEqual([])
    expect(decision.cookieHeader).toBeUndefined()
    expect(decision.session?.record).toEqual(record)
  })

  it('passes RSC and fetch requests with a valid session', async () => {
    const cookie = await cookiesOf(sessionRecord({ id: 'fresh-rsc' }))
    expect((await evaluateGuard(request('/patients', { ...RSC, cookie }), config)).kind).toBe('pass')
    expect((await evaluateGuard(request('/api/x', { accept: 'application/json', cookie }, 'POST'), config)).kind).toBe('pass')
  })
})

describe('evaluateGuard: touching the idle timer', () => {
  const now = Date.now()
  const record = sessionRecord({ id: 'touch-1', createdAt: now - 600_000, writtenAt: now - 120_000 })

  it('writes only the activity cookie, never the session cookie', async () => {
    const decision = pass(await evaluateGuard(request('/patients', { ...DOC, cookie: await cookiesOf(record) }), config, now))
    expect(decision.setCookies).toHaveLength(1)
    expect(setCookieName(decision.setCookies[0])).toBe(S.activityCookieName)
    expect(decision.setCookies[0]).toMatch(new RegExp(`; Path=/; Max-Age=${S.maxAge}; HttpOnly; Secure; SameSite=Lax$`))
    expect(decision.session).toMatchObject({ record, activity: { v: 1, id: 'touch-1', seen: now }, lastSeen: now })
  })

  it('forwards the new activity cookie in cookieHeader, with the session cookie and other cookies unchanged', async () => {
    const original = `theme=dark; ${await cookiesOf(record)}`
    const decision = pass(await evaluateGuard(request('/patients', { ...DOC, cookie: original }), config, now))
    const before = parseCookies(original)
    const after = parseCookies(decision.cookieHeader)
    expect(after.get('theme')).toBe('dark')
    expect(after.get(S.cookieName)).toBe(before.get(S.cookieName))
    expect(after.get(S.activityCookieName)).toBe(decision.setCookies[0].split(';')[0].split('=')[1])
    const seen = await readCookieSession(after, S, now)
    expect(seen?.activity).toEqual({ v: 1, id: 'touch-1', seen: now })
  })

  it('replaces an older activity cookie and keeps a hold that is still running', async () => {
    const cookie = await cookiesOf(record, { v: 1, id: 'touch-1', seen: now - 90_000, holdUntil: now + 30_000 })
    const decision = pass(await evaluateGuard(request('/patients', { ...DOC, cookie }), config, now))
    expect(decision.session?.activity).toEqual({ v: 1, id: 'touch-1', seen: now, holdUntil: now + 30_000 })
    expect([...parseCookies(decision.cookieHeader).keys()].filter((n) => n === S.activityCookieName)).toHaveLength(1)
  })

  it('touches on RSC requests too', async () => {
    expect(pass(await evaluateGuard(request('/patients', { ...RSC, cookie: await cookiesOf(record) }), config, now)).setCookies).toHaveLength(1)
  })

  it('does not touch again within the touch interval after the last activity', async () => {
    const cookie = await cookiesOf(record, { v: 1, id: 'touch-1', seen: now - 30_000 })
    expect(pass(await evaluateGuard(request('/patients', { ...DOC, cookie }), config, now)).setCookies).toEqual([])
  })
})

describe('evaluateGuard: the refresh detour of a due cookie-mode session', () => {
  it.each([
    ['same-origin', { ...DOC, 'sec-fetch-site': 'same-origin' }],
    ['none (typed or bookmarked)', { ...DOC, 'sec-fetch-site': 'none' }],
    ['absent (no Fetch Metadata)', { accept: 'text/html' }],
  ])('sends a document with Sec-Fetch-Site %s through the refresh route with returnTo', async (_, headers) => {
    const decision = await evaluateGuard(request('/patients?id=3', { ...headers, cookie: await cookiesOf(dueRecord()) }), config)
    expect(decision).toEqual({ kind: 'redirect', location: `${APP}/login/refresh?returnTo=%2Fpatients%3Fid%3D3`, setCookies: [] })
  })

  it.each(['cross-site', 'same-site'])('does not detour a %s navigation (the page refreshes inline)', async (site) => {
    const decision = await evaluateGuard(request('/patients', { ...DOC, 'sec-fetch-site': site, cookie: await cookiesOf(dueRecord()) }), config)
    expect(decision.kind).toBe('pass')
  })

  it('never detours an RSC request', async () => {
    expect((await evaluateGuard(request('/patients', { ...RSC, cookie: await cookiesOf(dueRecord()) }), config)).kind).toBe('pass')
  })

  it('does not detour while an activity hold runs, and detours again once it ended', async () => {
    const now = Date.now()
    const held = await cookiesOf(dueRecord(), { v: 1, id: 'due-session', seen: now, holdUntil: now + 30_000 })
    expect((await evaluateGuard(request('/patients', { ...DOC, cookie: held }), config, now)).kind).toBe('pass')
    const ended = await cookiesOf(dueRecord(), { v: 1, id: 'due-session', seen: now, holdUntil: now - 1 })
    expect((await evaluateGuard(request('/patients', { ...DOC, cookie: ended }), config, now)).kind).toBe('redirect')
  })

  it('ignores a hold written for another session', async () => {
    const now = Date.now()
    const cookie = await cookiesOf(dueRecord(), { v: 1, id: 'other-session', seen: now, holdUntil: now + 30_000 })
    expect((await evaluateGuard(request('/patients', { ...DOC, cookie }), config, now)).kind).toBe('redirect')
  })

  it('does not detour a session without a refresh token, or with tokens in a session store', async () => {
    const noRefresh = dueRecord({ tokens: { ...dueRecord().tokens!, refreshToken: undefined } })
    expect((await evaluateGuard(request('/patients', { ...DOC, cookie: await cookiesOf(noRefresh) }), config)).kind).toBe('pass')
    const { tokens: _, ...rest } = dueRecord()
    expect((await evaluateGuard(request('/patients', { ...DOC, cookie: await cookiesOf({ ...rest, stored: true }) }), config)).kind).toBe('pass')
  })

  it('does not detour a session whose token is not due', async () => {
    expect((await evaluateGuard(request('/patients', { ...DOC, cookie: await cookiesOf(sessionRecord({ id: 'not-due' })) }), config)).kind).toBe('pass')
  })

  it('decides "due" by the clock it is given, like the timeouts', async () => {
    const cfg = makeConfig({ appName: 'myclinic', routes: { signIn: '/signin' }, sessionIdleTimeout: 7200 })
    const wall = Date.now()
    const issued = Math.floor(wall / 1000)
    const record = sessionRecord({ id: 'clock-1', createdAt: wall, writtenAt: wall, tokens: tokenSet({ issuedAt: issued, expiresAt: issued + 3600 }) })
    const cookie = await cookiesOf(record, undefined, cfg)
    // 3590 s later by the injected clock the token is 10 s from expiry: inside the 60 s buffer.
    const later = wall + 3590 * 1000
    expect(await readCookieSession(parseCookies(cookie), cfg.session, later)).not.toBeNull() // still valid then (idle 2 h)
    const decision = await evaluateGuard(request('/patients', { ...DOC, cookie }), cfg, later)
    expect(decision).toMatchObject({ kind: 'redirect', location: `${APP}/login/refresh?returnTo=%2Fpatients` })
  })
})

describe('rejection', () => {
  it('answers a redirect decision with 307, the location, no-store, Vary: Cookie and the cookies to clear', async () => {
    const response = rejection({ kind: 'redirect', location: `${APP}/signin`, setCookies: clearSessionCookies(S) }, config)
    expect(response.status).toBe(307)
    expect(response.headers.get('location')).toBe(`${APP}/signin`)
    expect(response.headers.get('cache-control')).toBe('private, no-store, max-age=0')
    expect(response.headers.get('vary')).toBe('Cookie')
    expect(response.headers.getSetCookie()).toEqual(clearSessionCookies(S))
    expect(await response.text()).toBe('')
  })

  it('answers an unauthorized decision with 401 JSON naming the sign-in path', async () => {
    const response = rejection({ kind: 'unauthorized', setCookies: [] }, config)
    expect(response.status).toBe(401)
    expect(response.headers.get('content-type')).toBe('application/json')
    expect(response.headers.get('cache-control')).toContain('no-store')
    expect(await response.json()).toEqual({ error: 'unauthenticated', signin: '/signin' })
    expect(await rejection({ kind: 'unauthorized', setCookies: [] }, noSignIn).json()).toEqual({ error: 'unauthenticated', signin: '/login' })
  })
})

describe('signInLocation / pageContext', () => {
  it('builds the sign-in URL on the app origin, with returnTo unless it is /', () => {
    expect(signInLocation(config, '/x?y=1').href).toBe(`${APP}/signin?returnTo=%2Fx%3Fy%3D1`)
    expect(signInLocation(config, '/').href).toBe(`${APP}/signin`)
    expect(signInLocation(noSignIn, '/').href).toBe(`${APP}/login`)
  })

  it('gives the built-in pages the app name and the sign-in link', () => {
    expect(pageContext(config)).toEqual({ appName: 'myclinic', signInHref: '/signin' })
    expect(pageContext(noSignIn)).toEqual({ appName: 'myclinic', signInHref: '/login' })
  })
})

describe('misconfigured', () => {
  const configError = () => thrown(() => resolveConfig({ clientId: 'x', sessionSecret: config.session.secrets }, { AUTH_SERVER_ORIGIN: 'http://is.example.com' }))

  it('answers documents with the coded config_invalid page (503), naming no setting', async () => {
    const log = vi.spyOn(console, 'error').mockImplementation(() => {})
    const response = misconfigured(request('/patients'), configError(), 'myclinic')
    expect(response.status).toBe(503)
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8')
    expect(response.headers.get('cache-control')).toContain('no-store')
    const html = await response.text()
    expect(html).toContain('data-error-code="config_invalid"')
    expect(html).toContain('myclinic')
    expect(html).not.toContain('AUTH_SERVER_ORIGIN')
    expect(html).not.toContain('is.example.com')
    expect(log.mock.calls.flat().join(' ')).toContain('AUTH_SERVER_ORIGIN (serverOrigin)')
  })

  it.each([['an RSC request', RSC, 'GET'], ['a fetch', { accept: 'application/json' }, 'GET'], ['a server action', { ...DOC, 'next-action': 'x' }, 'POST']])('answers %s with 503 JSON', async (_, headers, method) => {
    vi.spyOn(console, 'error').mockImplementation(() => {})
    const response = misconfigured(request('/patients', headers, method), configError())
    expect(response.status).toBe(503)
    expect(response.headers.get('content-type')).toBe('application/json')
    expect(response.headers.get('cache-control')).toContain('no-store')
    expect(await response.json()).toEqual({ error: 'config_invalid' })
  })

  it('logs each distinct problem once, not once per request', () => {
    const log = vi.spyOn(console, 'error').mockImplementation(() => {})
    const error = new Error('Invalid auth configuration: a problem only this test has')
    for (let i = 0; i < 5; i++) misconfigured(request('/'), error)
    expect(log.mock.calls.filter((call) => String(call[0]).includes('a problem only this test has'))).toHaveLength(1)
  })
})
