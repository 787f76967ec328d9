/**
 * The route handlers where no IS call is involved: configuration errors, the logout CSRF policy,
 * the back-channel request checks, and the refresh route's "only what is due, only for the app's
 * own navigations" rule. The flows that reach the IS are covered end to end in tests/e2e.
 */
import { describe, expect, it, vi } from 'vitest'
import { parseCookies } from '../../../lib/auth/cookies'
import { resolveConfig } from '../../../lib/auth/config'
import { nowSeconds, type SessionRecord } from '../../../lib/auth/session'
import { activityCookie, readCookieSession, sessionCookies } from '../../../lib/auth/session-cookies'
import { handleBackchannel } from '../../../lib/auth/server/api-routes'
import { handleLogin } from '../../../lib/auth/server/login-route'
import { logoutAllowed, logoutHandler } from '../../../lib/auth/server/logout-route'
import { handleRefresh } from '../../../lib/auth/server/refresh-route'
import { ISSUER, TEST_OPTIONS, testConfig } from './mock-is'

const APP = 'https://app.test'
const DOC = { 'sec-fetch-dest': 'document', 'sec-fetch-mode': 'navigate', accept: 'text/html' }
const config = testConfig()
const source = () => config

async function cookieHeader(tokens: { expiresIn: number; issuedAgo: number }) {
  const now = Date.now()
  const record: SessionRecord = {
    v: 2, id: `r${Math.random()}`, iss: ISSUER, sub: 'u1', sid: 's1', username: 'ada', createdAt: now - 60_000, writtenAt: now - 60_000,
    tokens: { accessToken: 'at', idToken: 'a.b.c', refreshToken: 'rt', issuedAt: nowSeconds() - tokens.issuedAgo, expiresAt: nowSeconds() - tokens.issuedAgo + tokens.expiresIn },
  }
  const { chunks } = await sessionCookies(record, config.session)
  const activity = await activityCookie({ v: 1, id: record.id, seen: now }, config.session)
  return [...chunks.map(([n, v]) => `${n}=${v}`), `${config.session.activityCookieName}=${activity.value}`].join('; ')
}

describe('configuration errors', () => {
  it('answer /login with the coded config page (503), naming the setting only in the log', async () => {
    const log = vi.spyOn(console, 'warn').mockImplementation(() => {})
    const broken = () => resolveConfig({ ...TEST_OPTIONS, serverOrigin: 'http://not-https.example' }, {})
    const response = await handleLogin(new Request(`${APP}/login`, { headers: DOC }), {}, broken)
    expect(response.status).toBe(503)
    const html = await response.text()
    expect(html).toContain('data-error-code="config_invalid"')
    expect(html).not.toContain('serverOrigin')
    expect(log.mock.calls.join(' ')).toContain('serverOrigin')
    expect(response.headers.get('cache-control')).toContain('no-store')
    log.mockRestore()
  })
})

describe('logout CSRF policy (Fetch Metadata, then Origin)', () => {
  it.each([
    ['GET', { 'sec-fetch-site': 'same-origin' }, true],
    ['GET', { 'sec-fetch-site': 'none' }, true],
    ['GET', { 'sec-fetch-site': 'cross-site' }, false],
    ['GET', { 'sec-fetch-site': 'same-site' }, false],
    ['GET', {}, false],
    ['GET', { origin: APP }, false],
    ['POST', { 'sec-fetch-site': 'same-origin' }, true],
    ['POST', { 'sec-fetch-site': 'cross-site', origin: APP }, false],
    ['POST', { origin: APP }, true],
    ['POST', { origin: 'https://evil.example' }, false],
    ['POST', { origin: 'null' }, false],
    ['POST', {}, false],
  ])('%s %o → %s', (method, headers, allowed) => {
    expect(logoutAllowed(new Request(`${APP}/logout`, { method, headers }), APP)).toBe(allowed)
  })

  it('a GET without Fetch Metadata shows the confirmation and keeps the session', async () => {
    const cookie = await cookieHeader({ expiresIn: 3600, issuedAgo: 10 })
    const response = await logoutHandler('GET')(new Request(`${APP}/logout`, { headers: { cookie } }), {}, source)
    expect(response.status).toBe(200)
    expect(await response.text()).toContain('Log out of test?')
    expect(response.headers.getSetCookie()).toEqual([])
  })

  it('a cross-site POST is refused with logout_forbidden (403)', async () => {
    const cookie = await cookieHeader({ expiresIn: 3600, issuedAgo: 10 })
    const response = await logoutHandler('POST')(new Request(`${APP}/logout`, { method: 'POST', headers: { cookie, 'sec-fetch-site': 'cross-site' } }), {}, source)
    expect(response.status).toBe(403)
    expect(await response.text()).toContain('data-error-code="logout_forbidden"')
  })

  it('without a session, logout lands on the built-in signed-out page', async () => {
    const response = await logoutHandler('GET')(new Request(`${APP}/logout`, { headers: { 'sec-fetch-site': 'cross-site' } }), {}, source)
    expect(response.status).toBe(200)
    expect(await response.text()).toContain('data-signed-out="true"')
  })
})

describe('back-channel logout request checks (BCL 1.0 2.8)', () => {
  it.each([
    ['a JSON body', { 'content-type': 'application/json' }, '{"logout_token":"x"}', 400],
    ['no logout_token', { 'content-type': 'application/x-www-form-urlencoded' }, 'foo=bar', 400],
    ['two logout_tokens', { 'content-type': 'application/x-www-form-urlencoded' }, 'logout_token=a&logout_token=b', 400],
    ['an empty logout_token', { 'content-type': 'application/x-www-form-urlencoded' }, 'logout_token=', 400],
    ['a 40 KB body', { 'content-type': 'application/x-www-form-urlencoded' }, `logout_token=${'a'.repeat(40 * 1024)}`, 413],
  ])('answers %s with %d and no-store', async (_, headers, body, status) => {
    const response = await handleBackchannel(new Request(`${APP}/logout/backchannel`, { method: 'POST', headers, body }), {}, source)
    expect(response.status).toBe(status)
    expect(response.headers.get('cache-control')).toBe('no-store')
  })
})

describe('the refresh route refreshes only what is due, for the app itself', () => {
  const request = (cookie: string, site?: string) => new Request(`${APP}/login/refresh?returnTo=%2Frecords`, { headers: { ...DOC, cookie, ...(site ? { 'sec-fetch-site': site } : {}) } })

  it('goes straight back without an IS call when nothing is due, and holds the guard off', async () => {
    const fetchSpy = vi.spyOn(globalThis, 'fetch')
    const response = await handleRefresh(request(await cookieHeader({ expiresIn: 3600, issuedAgo: 10 }), 'same-origin'), {}, source)
    expect(response.status).toBe(303)
    expect(response.headers.get('location')).toBe(`${APP}/records`)
    expect(fetchSpy).not.toHaveBeenCalled()
    const setCookies = response.headers.getSetCookie()
    expect(setCookies.some((c) => c.startsWith(config.session.cookieName))).toBe(false)
    const activity = setCookies.find((c) => c.startsWith(config.session.activityCookieName))!
    const cookies = parseCookies(`${(await cookieHeader({ expiresIn: 3600, issuedAgo: 10 })).split('; ')[0]}; ${activity.split(';')[0]}`)
    expect(cookies.size).toBe(2)
    fetchSpy.mockRestore()
  })

  it.each(['cross-site', 'same-site'])('does not refresh a due session for a %s navigation (no IS call)', async (site) => {
    const cookie = await cookieHeader({ expiresIn: 3600, issuedAgo: 3590 })
    const response = await handleRefresh(request(cookie, site), {}, source)
    expect(response.status).toBe(303)
    expect(response.headers.get('location')).toBe(`${APP}/records`)
    expect(response.headers.getSetCookie().some((c) => c.startsWith(`${config.session.cookieName}=`) || c.startsWith(`${config.session.cookieName}.`))).toBe(false)
    // The session still reads back unchanged.
    expect(await readCookieSession(parseCookies(cookie), config.session)).not.toBeNull()
  })

  it('sends a browser without a session to sign-in and clears what it carried', async () => {
    const response = await handleRefresh(request('__Host-test-session=garbage'), {}, source)
    expect(response.headers.get('location')).toMatch(/\/login\?returnTo=%2Frecords$/)
    expect(response.headers.getSetCookie().some((c) => c.startsWith('__Host-test-session=;') && /Max-Age=0/.test(c))).toBe(true)
  })
})
