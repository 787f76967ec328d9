import { describe, expect, it } from 'vitest'
import {
  DEFAULT_TOKEN_LIFETIME,
  isActivityRecord,
  isSessionRecord,
  isTokenSet,
  MAX_TOKEN_LIFETIME,
  MIN_REFRESH_INTERVAL,
  needsRefresh,
  nowSeconds,
  sessionExpiry,
  toSession,
  tokenLifetime,
  type SessionRecord,
  type TokenSet,
} from '@/lib/auth/session'
import { base64url, fromBase64url } from '@/lib/auth/pack'
import { ISSUER, sessionRecord, signJwt, tokenSet } from './fixtures'

const unsigned = (claims: Record<string, unknown>) =>
  `${base64url(new TextEncoder().encode('{"alg":"none"}'))}.${base64url(new TextEncoder().encode(JSON.stringify(claims)))}.`

describe('tokenLifetime (RFC 6749 5.1 expires_in)', () => {
  it('keeps ordinary lifetimes, given as number or numeric string', () => {
    expect(tokenLifetime(3600)).toBe(3600)
    expect(tokenLifetime('3600')).toBe(3600)
    expect(tokenLifetime(' 300 ')).toBe(300)
    expect(tokenLifetime(1)).toBe(1)
  })

  it('treats 0 as already expired', () => {
    expect(tokenLifetime(0)).toBe(0)
    expect(tokenLifetime('0')).toBe(0)
  })

  it('treats negative values as already expired', () => {
    expect(tokenLifetime(-5)).toBe(0)
    expect(tokenLifetime('-5')).toBe(0)
    expect(tokenLifetime(-Number.MAX_VALUE)).toBe(0)
  })

  it.each([undefined, null, '', 'abc', '1e3', '3600s', '0x10', '12.5', Number.NaN, Infinity, -Infinity, true, {}, []])('assumes the IS default of 3600 s for the unusable %j', (value) => {
    expect(DEFAULT_TOKEN_LIFETIME).toBe(3600)
    expect(tokenLifetime(value)).toBe(3600)
  })

  it('rounds fractional numbers down', () => {
    expect(tokenLifetime(59.9)).toBe(59)
  })

  it.each([86_401, 1e12, Number.MAX_SAFE_INTEGER, '99999999999999999999'])('caps the huge %j at 24 h so the session still refreshes', (value) => {
    expect(MAX_TOKEN_LIFETIME).toBe(86_400)
    expect(tokenLifetime(value)).toBe(86_400)
  })
})

describe('needsRefresh', () => {
  const settings = { refreshBuffer: 60 }
  const at = (issuedAt: number, lifetime: number, extra: Partial<TokenSet> = {}): TokenSet => tokenSet({ issuedAt, expiresAt: issuedAt + lifetime, ...extra })
  const T = 1_900_000_000

  it('is never true without a refresh token', () => {
    expect(needsRefresh(at(T, 3600, { refreshToken: undefined }), settings, T + 10_000)).toBe(false)
  })

  it('is due refreshBuffer seconds before expiry for a long-lived token', () => {
    const tokens = at(T, 3600)
    expect(needsRefresh(tokens, settings, T + 3600 - 61)).toBe(false)
    expect(needsRefresh(tokens, settings, T + 3600 - 60)).toBe(true)
    expect(needsRefresh(tokens, settings, T + 5000)).toBe(true)
  })

  it('is never due before half the lifetime (a 100 s token with a 60 s buffer is due at 50 s)', () => {
    const tokens = at(T, 100)
    expect(needsRefresh(tokens, settings, T + 49)).toBe(false)
    expect(needsRefresh(tokens, settings, T + 50)).toBe(true)
  })

  it('with a zero buffer is due exactly at expiry', () => {
    const tokens = at(T, 600)
    expect(needsRefresh(tokens, { refreshBuffer: 0 }, T + 599)).toBe(false)
    expect(needsRefresh(tokens, { refreshBuffer: 0 }, T + 600)).toBe(true)
  })

  it.each([0, 1, 2, 3])('is never true within MIN_REFRESH_INTERVAL of issue, even for expires_in=%i', (lifetime) => {
    expect(MIN_REFRESH_INTERVAL).toBe(2)
    const tokens = at(T, lifetime)
    for (let now = T - 5; now < T + MIN_REFRESH_INTERVAL; now++) expect(needsRefresh(tokens, settings, now), `now=T${now - T}`).toBe(false)
    expect(needsRefresh(tokens, settings, T + Math.max(MIN_REFRESH_INTERVAL, lifetime))).toBe(true)
  })

  it('waits MIN_REFRESH_INTERVAL when expiry lies before issue (a skewed IS)', () => {
    const tokens = tokenSet({ issuedAt: T, expiresAt: T - 100 })
    expect(needsRefresh(tokens, settings, T + 1)).toBe(false)
    expect(needsRefresh(tokens, settings, T + 2)).toBe(true)
  })

  it('uses the wall clock when no time is given', () => {
    const now = nowSeconds()
    expect(needsRefresh(tokenSet({ issuedAt: now - 4000, expiresAt: now - 400 }), settings)).toBe(true)
    expect(needsRefresh(tokenSet({ issuedAt: now, expiresAt: now + 3600 }), settings)).toBe(false)
  })
})

describe('sessionExpiry (OWASP session management: absolute and idle timeouts)', () => {
  const settings = { maxAge: 8 * 3600, idleTimeout: 1800 }
  const T = 1_900_000_000_000
  const record = sessionRecord({ createdAt: T, writtenAt: T })

  it('is null for a fresh, active session', () => {
    expect(sessionExpiry(record, T, settings, T + 1000)).toBeNull()
  })

  it('ends the session maxAge after sign-in, however active it was', () => {
    expect(sessionExpiry(record, T + 8 * 3600 * 1000 - 1, settings, T + 8 * 3600 * 1000 - 1)).toBeNull()
    expect(sessionExpiry(record, T + 8 * 3600 * 1000, settings, T + 8 * 3600 * 1000)).toBe('absolute')
  })

  it('ends the session idleTimeout after the last activity', () => {
    expect(sessionExpiry(record, T, settings, T + 1800 * 1000 - 1)).toBeNull()
    expect(sessionExpiry(record, T, settings, T + 1800 * 1000)).toBe('idle')
  })

  it('reports absolute before idle when both apply', () => {
    expect(sessionExpiry(record, T, settings, T + 9 * 3600 * 1000)).toBe('absolute')
  })
})

describe('isTokenSet', () => {
  it('accepts a token set with and without the optional members', () => {
    expect(isTokenSet(tokenSet())).toBe(true)
    expect(isTokenSet({ accessToken: 'a', idToken: 'i', expiresAt: 1, issuedAt: 0 })).toBe(true)
  })

  it.each([
    ['accessToken missing', { accessToken: undefined }],
    ['idToken a number', { idToken: 1 }],
    ['refreshToken null', { refreshToken: null }],
    ['expiresAt a string', { expiresAt: '1' }],
    ['issuedAt NaN', { issuedAt: Number.NaN }],
    ['scope an array', { scope: ['openid'] }],
  ])('refuses %s', (_, patch) => {
    expect(isTokenSet({ ...tokenSet(), ...patch })).toBe(false)
  })

  it('refuses arrays and non-objects', () => {
    expect(isTokenSet([])).toBe(false)
    expect(isTokenSet(null)).toBe(false)
    expect(isTokenSet('tokens')).toBe(false)
  })
})

describe('isSessionRecord', () => {
  it('accepts a cookie-mode record and a store-mode record', () => {
    expect(isSessionRecord(sessionRecord())).toBe(true)
    const { tokens: _, ...rest } = sessionRecord()
    expect(isSessionRecord({ ...rest, stored: true })).toBe(true)
    expect(isSessionRecord(sessionRecord({ authTime: 1, acr: 'urn:x', amr: ['pwd', 'otp'], extras: { phone: '1' } }))).toBe(true)
  })

  it.each<[string, Record<string, unknown>]>([
    ['version 1', { v: 1 }],
    ['version "2"', { v: '2' }],
    ['no id', { id: undefined }],
    ['a numeric id', { id: 1 }],
    ['no iss', { iss: undefined }],
    ['an empty sub', { sub: '' }],
    ['a numeric sub', { sub: 1 }],
    ['a numeric sid', { sid: 1 }],
    ['a null username', { username: null }],
    ['createdAt as a string', { createdAt: String(Date.now()) }],
    ['createdAt Infinity', { createdAt: Infinity }],
    ['no writtenAt', { writtenAt: undefined }],
    ['authTime as a string', { authTime: '1' }],
    ['acr as a number', { acr: 1 }],
    ['amr as a string', { amr: 'pwd' }],
    ['amr with a number', { amr: ['pwd', 1] }],
    ['tokens of the wrong shape', { tokens: { accessToken: 'a' } }],
    ['no tokens and no stored flag', { tokens: undefined }],
    ['no tokens and stored: "true"', { tokens: undefined, stored: 'true' }],
    ['extras as an array', { extras: ['x'] }],
    ['extras as a string', { extras: 'x' }],
  ])('refuses a record with %s', (_, patch) => {
    expect(isSessionRecord({ ...sessionRecord(), ...patch })).toBe(false)
  })

  it('refuses non-objects and arrays', () => {
    for (const value of [null, undefined, 'record', 2, [sessionRecord()]]) expect(isSessionRecord(value)).toBe(false)
  })
})

describe('isActivityRecord', () => {
  it('accepts the activity cookie with and without a hold', () => {
    expect(isActivityRecord({ v: 1, id: 'x', seen: 1 })).toBe(true)
    expect(isActivityRecord({ v: 1, id: 'x', seen: 1, holdUntil: 2 })).toBe(true)
  })

  it.each([{ v: 2, id: 'x', seen: 1 }, { v: 1, seen: 1 }, { v: 1, id: 'x', seen: '1' }, { v: 1, id: 'x', seen: 1, holdUntil: '2' }, [], null])('refuses %j', (value) => {
    expect(isActivityRecord(value)).toBe(false)
  })
})

describe('toSession', () => {
  it('builds the public session: identity from the record, user from the ID token plus extras, the current tokens', async () => {
    const idToken = await signJwt({ iss: ISSUER, sub: 'u-1', aud: 'c', exp: 2, iat: 1, nonce: 'n', sid: 's', given_name: 'Ada', email: 'ada@example.com' })
    const record = sessionRecord({ sub: 'u-1', authTime: 5, acr: 'urn:acr', amr: ['pwd'] })
    const tokens = tokenSet({ idToken, accessToken: 'at-2', refreshToken: 'rt-2', scope: 'openid' })
    expect(toSession(record, tokens, { phone_number: '+1 555' })).toEqual({
      id: record.id,
      iss: ISSUER,
      sub: 'u-1',
      sid: 'sid-1',
      username: 'admin',
      user: { given_name: 'Ada', email: 'ada@example.com', phone_number: '+1 555' },
      accessToken: 'at-2',
      idToken,
      refreshToken: 'rt-2',
      expiresAt: tokens.expiresAt,
      scope: 'openid',
      createdAt: record.createdAt,
      authTime: 5,
      acr: 'urn:acr',
      amr: ['pwd'],
    })
  })

  it('takes the tokens passed in, not those of the record (store mode, or after a refresh)', () => {
    const record = sessionRecord({ tokens: tokenSet({ accessToken: 'old' }) })
    expect(toSession(record, tokenSet({ accessToken: 'new' }), undefined).accessToken).toBe('new')
  })

  it('drops protocol claims and sanitises both sources', () => {
    const idToken = unsigned(JSON.parse('{"iss":"x","sub":"u","aud":"a","exp":1,"iat":1,"at_hash":"h","__proto__":{"admin":true},"role":"nurse"}'))
    expect(new TextDecoder().decode(fromBase64url(idToken.split('.')[1]))).toContain('"__proto__":{"admin":true}')
    const session = toSession(sessionRecord(), tokenSet({ idToken }), JSON.parse('{"constructor":{"x":1},"iss":"evil","dept":"ER"}'))
    expect(session.user).toEqual({ role: 'nurse', dept: 'ER' })
    expect(Object.getPrototypeOf(session.user)).toBe(Object.prototype)
  })

  it('falls back to the extras alone when the ID token cannot be decoded', () => {
    expect(toSession(sessionRecord(), tokenSet({ idToken: 'not-a-jwt' }), { email: 'a@b' }).user).toEqual({ email: 'a@b' })
    expect(toSession(sessionRecord(), tokenSet({ idToken: 'not-a-jwt' }), undefined).user).toEqual({})
  })

  it('lets userinfo extras update a claim the ID token carries with an older value', () => {
    const session = toSession(sessionRecord(), tokenSet({ idToken: unsigned({ sub: 'u', email: 'old@x' }) }), { email: 'new@x' })
    expect(session.user.email).toBe('new@x')
  })

  it('exposes no record internals: v, writtenAt, tokens, extras and stored are not part of the view', () => {
    const session = toSession({ ...sessionRecord(), extras: { a: '1' }, stored: true } as SessionRecord, tokenSet(), undefined) as unknown as Record<string, unknown>
    for (const key of ['v', 'writtenAt', 'tokens', 'extras', 'stored']) expect(session).not.toHaveProperty(key)
  })
})
