import { decodeJwt, decodeProtectedHeader } from 'jose'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { parseCookies } from '@/lib/auth/cookies'
import { evaluateGuard } from '@/lib/auth/guard'
import { createAuth, type AuthOptions } from '@/lib/auth/index'
import { needsRefresh, toSession } from '@/lib/auth/session'
import { readCookieSession } from '@/lib/auth/session-cookies'
import { generateSessionCookie } from '@/lib/auth/testing'
import { CLIENT_ID, IS, ISSUER, SECRET } from './fixtures'

const OPTIONS: AuthOptions = { appName: 'myclinic', clientId: CLIENT_ID, serverOrigin: IS, sessionSecret: SECRET, clientHost: 'https://localhost:5000' }

const ENV_KEYS = [
  'AUTH_APP_NAME', 'AUTH_CLIENT_HOST', 'AUTH_LOGIN_CALLBACK_URL', 'AUTH_LOGOUT_CALLBACK_URL', 'AUTH_CLIENT_ID', 'AUTH_CLIENT_SECRET', 'AUTH_CLIENT_AUTH',
  'AUTH_CLIENT_KEY', 'AUTH_CLIENT_KEY_ID', 'AUTH_SERVER_ORIGIN', 'AUTH_TENANT_PATH', 'AUTH_TENANT', 'AUTH_ISSUER', 'AUTH_CERTIFICATE_PATH', 'AUTH_SCOPE',
  'AUTH_PAR', 'AUTH_SIGNUP', 'AUTH_SESSION_SECRET', 'AUTH_SESSION_MAX_AGE', 'AUTH_SESSION_IDLE_TIMEOUT', 'AUTH_REFRESH_BUFFER', 'AUTH_HTTP_TIMEOUT',
  'AUTH_DISCOVERY_TTL', 'REDIS_URL',
]

beforeEach(() => {
  // The helper reads the app's configuration, which falls back to process.env: keep the machine's environment out.
  for (const key of ENV_KEYS) vi.stubEnv(key, '')
})

afterEach(() => {
  vi.unstubAllEnvs()
})

describe('generateSessionCookie', () => {
  it('mints cookies that readCookieSession accepts, in cookie mode', async () => {
    const auth = createAuth(OPTIONS)
    const config = auth.checkConfig()
    expect(config.sessionStore).toBe('cookie')
    const { cookies, header } = await generateSessionCookie(auth, { sub: 'u-1', user: { given_name: 'Ada', email: 'ada@myclinic.example' } })
    expect(cookies.map((c) => c.name)).toEqual(['__Host-myclinic-session', '__Host-myclinic-activity'])
    expect(header).toBe(cookies.map((c) => `${c.name}=${c.value}`).join('; '))
    const current = await readCookieSession(parseCookies(header), config.session)
    expect(current).not.toBeNull()
    expect(current!.record).toMatchObject({ v: 2, iss: ISSUER, sub: 'u-1', username: 'ada@myclinic.example' })
    expect(current!.record.tokens).toBeDefined()
    expect(current!.activity?.id).toBe(current!.record.id)
  })

  it('puts the user into an unsigned ID token with the issuer, sub and client as audience', async () => {
    const auth = createAuth(OPTIONS)
    const { header } = await generateSessionCookie(auth, { sub: 'u-2', user: { given_name: 'Ada', roles: ['nurse'] } })
    const { record } = (await readCookieSession(parseCookies(header), auth.checkConfig().session))!
    const idToken = record.tokens!.idToken
    expect(decodeProtectedHeader(idToken)).toEqual({ alg: 'none' })
    expect(idToken.endsWith('.')).toBe(true)
    expect(decodeJwt(idToken)).toMatchObject({ iss: ISSUER, sub: 'u-2', aud: CLIENT_ID, given_name: 'Ada', roles: ['nurse'] })
    expect(toSession(record, record.tokens!, record.extras).user).toEqual({ given_name: 'Ada', roles: ['nurse'] })
  })

  it('is let through by the guard', async () => {
    const auth = createAuth(OPTIONS)
    const { header } = await generateSessionCookie(auth, { sub: 'u-3' })
    const decision = await evaluateGuard(new Request('https://localhost:5000/patients', { headers: { 'sec-fetch-dest': 'document', cookie: header } }), auth.checkConfig())
    expect(decision.kind).toBe('pass')
  })

  it('takes the given username, tokens, lifetime, sid, auth_time and acr', async () => {
    const auth = createAuth(OPTIONS)
    const { header } = await generateSessionCookie(auth, {
      sub: 'u-4',
      username: 'admin',
      accessToken: 'at-fixed',
      refreshToken: 'rt-fixed',
      expiresIn: 30,
      sid: 'sid-9',
      authTime: 1_700_000_000,
      acr: 'urn:mfa',
    })
    const { record } = (await readCookieSession(parseCookies(header), auth.checkConfig().session))!
    expect(record).toMatchObject({ username: 'admin', sid: 'sid-9', authTime: 1_700_000_000, acr: 'urn:mfa' })
    expect(record.tokens).toMatchObject({ accessToken: 'at-fixed', refreshToken: 'rt-fixed' })
    expect(record.tokens!.expiresAt - record.tokens!.issuedAt).toBe(30)
    expect(needsRefresh(record.tokens!, { refreshBuffer: 60 }, record.tokens!.issuedAt + 15)).toBe(true)
  })

  it('falls back to sub as the username, and omits the refresh token unless asked', async () => {
    const auth = createAuth(OPTIONS)
    const { header } = await generateSessionCookie(auth, { sub: 'u-5' })
    const { record } = (await readCookieSession(parseCookies(header), auth.checkConfig().session))!
    expect(record.username).toBe('u-5')
    expect(record.tokens!.refreshToken).toBeUndefined()
  })

  it('mints a fresh session id each time', async () => {
    const auth = createAuth(OPTIONS)
    const settings = auth.checkConfig().session
    const a = (await readCookieSession(parseCookies((await generateSessionCookie(auth, { sub: 'u' })).header), settings))!
    const b = (await readCookieSession(parseCookies((await generateSessionCookie(auth, { sub: 'u' })).header), settings))!
    expect(a.record.id).not.toBe(b.record.id)
    expect(a.record.id).toMatch(/^[0-9a-f]{32}$/)
  })

  it('chunks a large session and it is still accepted', async () => {
    const auth = createAuth(OPTIONS)
    const user = Object.fromEntries(Array.from({ length: 90 }, (_, i) => [`attr${i}`, `${crypto.randomUUID()}${crypto.randomUUID()}`]))
    const { cookies, header } = await generateSessionCookie(auth, { sub: 'u-6', user })
    expect(cookies.map((c) => c.name)).toContain('__Host-myclinic-session.0')
    expect(await readCookieSession(parseCookies(header), auth.checkConfig().session)).not.toBeNull()
  })

  it('uses plain cookie names for a plain-http localhost app', async () => {
    const auth = createAuth({ ...OPTIONS, clientHost: 'http://localhost:3000' })
    const { cookies, header } = await generateSessionCookie(auth, { sub: 'u-7' })
    expect(cookies.map((c) => c.name)).toEqual(['myclinic-session', 'myclinic-activity'])
    expect(await readCookieSession(parseCookies(header), auth.checkConfig().session)).not.toBeNull()
  })

  it('mints cookies another app (another secret) does not accept', async () => {
    const auth = createAuth(OPTIONS)
    const other = createAuth({ ...OPTIONS, sessionSecret: 'NNktqkm2K74N4MToCNhELunofQzMSCLODAs6Dx2ow/w=' })
    const { header } = await generateSessionCookie(auth, { sub: 'u-8' })
    expect(await readCookieSession(parseCookies(header), other.checkConfig().session)).toBeNull()
  })
})
