import { sealData } from 'iron-session'
import { describe, expect, it } from 'vitest'
import { parseSessionConfig } from './config'
import { parseCookies } from './cookies'
import {
  CHUNK_SIZE,
  MAX_CHUNKS,
  clearSessionCookieHeaders,
  nowSeconds,
  readSession,
  sealSession,
  sessionCookieHeaders,
  sessionExpiry,
  unsealSession,
  type SessionData,
} from './session'

const config = parseSessionConfig({ AUTH_SESSION_SECRET: 's'.repeat(32) })

function session(extra: Partial<SessionData> = {}): SessionData {
  const now = nowSeconds()
  return {
    v: 1, id: 'session-1', iss: 'https://localhost:9443/oauth2/token', sub: 'uuid-1', sid: 'sid-1', username: 'admin',
    user: { given_name: 'Admin' }, accessToken: 'at', idToken: 'a.b.c', refreshToken: 'rt',
    expiresAt: now + 3600, tokenIssuedAt: now, createdAt: now, lastSeen: now, ...extra,
  }
}

/** Turns Set-Cookie headers into the cookies a browser would send back. */
function asCookies(setCookies: string[]): Map<string, string> {
  return parseCookies(setCookies.filter((c) => !c.includes('Max-Age=0')).map((c) => c.split(';')[0]).join('; '))
}

describe('session', () => {
  it('round-trips through one cookie', async () => {
    const seal = await sealSession(session(), config)
    const headers = sessionCookieHeaders(seal, [], config)
    expect(headers).toHaveLength(1)
    expect(headers[0]).toMatch(/^__Host-myclinic-session=Fe26\.2\*/)
    expect(await readSession(asCookies(headers), config)).toMatchObject({ sub: 'uuid-1', username: 'admin' })
  })

  it('splits a large session into chunks and reads it back', async () => {
    const big = session({ accessToken: 'x'.repeat(9000) })
    const seal = await sealSession(big, config)
    const headers = sessionCookieHeaders(seal, [], config)
    expect(headers.length).toBe(Math.ceil(seal.length / CHUNK_SIZE))
    expect(headers.every((h) => h.split(';')[0].length <= 4000)).toBe(true)
    expect((await readSession(asCookies(headers), config))?.accessToken).toBe(big.accessToken)
  })

  it('deletes stale chunks when the session shrinks', async () => {
    const seal = await sealSession(session(), config)
    const existing = ['__Host-myclinic-session.0', '__Host-myclinic-session.1', '__Host-myclinic-session.2']
    const headers = sessionCookieHeaders(seal, existing, config)
    for (const name of existing) expect(headers).toContainEqual(expect.stringMatching(new RegExp(`^${name.replace('.', '\\.')}=; .*Max-Age=0`)))
  })

  it('refuses a session over budget before writing anything', async () => {
    const seal = 'x'.repeat(CHUNK_SIZE * MAX_CHUNKS + 1)
    expect(() => sessionCookieHeaders(seal, [], config)).toThrow(expect.objectContaining({ code: 'session_too_large' }))
  })

  it('treats tampered, foreign and malformed seals as no session (rp-security SC-04/05)', async () => {
    const seal = await sealSession(session(), config)
    const flipped = seal.slice(0, 40) + (seal[40] === 'A' ? 'B' : 'A') + seal.slice(41)
    const foreign = await sealData(session(), { password: 'f'.repeat(32) })
    const wrongShape = await sealData({ v: 1, sub: 5 }, { password: { [config.sealId]: config.passwords[config.sealId] } })
    const trailing = `${seal}x`
    const suffixed = `${seal}Fe26.2*1*a`
    for (const value of [flipped, foreign, wrongShape, trailing, suffixed, 'garbage', 'Fe26.2**', 'Fe26.2*1*a*b*c*d*e*f*g~x', 'Fe26.1*1*a*b*c*d*e*f~2', '']) {
      expect(await unsealSession(value, config)).toBeNull()
    }
  })

  it('enforces absolute and idle timeouts from inside the seal', () => {
    const now = nowSeconds()
    expect(sessionExpiry(session(), config, now)).toBeNull()
    expect(sessionExpiry(session({ createdAt: now - config.maxAge }), config, now)).toBe('absolute')
    expect(sessionExpiry(session({ lastSeen: now - config.idleTimeout }), config, now)).toBe('idle')
  })

  it('unseals cookies sealed with an older secret after rotation, not after removal', async () => {
    const old = parseSessionConfig({ AUTH_SESSION_SECRET: 'o'.repeat(32) })
    const rotated = parseSessionConfig({ AUTH_SESSION_SECRET: `${'n'.repeat(32)},${'o'.repeat(32)}` })
    const removed = parseSessionConfig({ AUTH_SESSION_SECRET: 'n'.repeat(32) })
    const seal = await sealSession(session(), old)
    expect(await unsealSession(seal, rotated)).not.toBeNull()
    expect(await unsealSession(seal, removed)).toBeNull()
    const resealed = await sealSession(session(), rotated)
    expect(await unsealSession(resealed, removed)).not.toBeNull()
  })

  it('clears every chunk on logout', () => {
    const cookies = parseCookies('__Host-myclinic-session.0=a; __Host-myclinic-session.1=b; other=1')
    const headers = clearSessionCookieHeaders(['__Host-myclinic-session.0', '__Host-myclinic-session.1'], config)
    expect(headers).toHaveLength(3)
    expect(cookies.get('other')).toBe('1')
  })
})

describe('needsRefresh', () => {
  it('refreshes AUTH_REFRESH_BUFFER seconds early, never before half the lifetime', async () => {
    const { needsRefresh } = await import('./session')
    const now = 10_000
    const base = { refreshToken: 'rt', tokenIssuedAt: now - 100 } as SessionData
    expect(needsRefresh({ ...base, expiresAt: now + 3500 }, config, now)).toBe(false)
    expect(needsRefresh({ ...base, expiresAt: now + 59 }, config, now)).toBe(true)
    // 5-second tokens: buffer capped at 2 s, so a fresh one is not refreshed at once.
    expect(needsRefresh({ ...base, tokenIssuedAt: now, expiresAt: now + 5 }, config, now)).toBe(false)
    expect(needsRefresh({ ...base, tokenIssuedAt: now - 3, expiresAt: now + 2 }, config, now)).toBe(true)
    expect(needsRefresh({ ...base, expiresAt: now - 1, refreshRetryAt: now + 10 }, config, now)).toBe(false)
    expect(needsRefresh({ ...base, refreshToken: undefined, expiresAt: now - 1 }, config, now)).toBe(false)
  })
})
