import { randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { parseCookies } from '@/lib/auth/cookies'
import { isAuthError } from '@/lib/auth/errors'
import { allChunkNames, CHUNK_SIZE } from '@/lib/auth/seal'
import type { ActivityRecord, SessionRecord } from '@/lib/auth/session'
import {
  activityCookie,
  chunkChanges,
  clearSessionCookies,
  forwardedCookieHeader,
  hasSessionCookies,
  readCookieSession,
  sessionCookies,
  TOUCH_INTERVAL,
  touchInterval,
} from '@/lib/auth/session-cookies'
import { applySetCookies, cookieHeader, makeConfig, rejected, SECRET_3, sessionRecord, setCookieName, tokenSet } from './fixtures'

const settings = makeConfig({ appName: 'myclinic' }).session
const IDLE = settings.idleTimeout * 1000
const MAX = settings.maxAge * 1000

/** The cookies a browser holds after login wrote `record` (and optionally an activity cookie). */
async function browser(record: SessionRecord, activity?: ActivityRecord, s = settings): Promise<Map<string, string>> {
  const jar = applySetCookies(new Map(), (await sessionCookies(record, s)).setCookies)
  if (activity) applySetCookies(jar, [(await activityCookie(activity, s)).setCookie])
  return jar
}

const noise = (n: number) => randomBytes(n).toString('base64url').slice(0, n)

describe('readCookieSession', () => {
  it('reads a session without an activity cookie: last seen is when the cookie was written', async () => {
    const now = Date.now()
    const record = sessionRecord({ id: 'read-1', createdAt: now - 5000, writtenAt: now - 5000 })
    const current = await readCookieSession(await browser(record), settings, now)
    expect(current).toEqual({ record, activity: null, lastSeen: now - 5000 })
  })

  it('reads the activity cookie of the same session: last seen is its time', async () => {
    const now = Date.now()
    const record = sessionRecord({ id: 'read-2', createdAt: now - 600_000, writtenAt: now - 600_000 })
    const activity: ActivityRecord = { v: 1, id: 'read-2', seen: now - 1000, holdUntil: now + 5000 }
    const current = await readCookieSession(await browser(record, activity), settings, now)
    expect(current?.activity).toEqual(activity)
    expect(current?.lastSeen).toBe(now - 1000)
  })

  it('keeps the later of writtenAt and the activity time', async () => {
    const now = Date.now()
    const record = sessionRecord({ id: 'read-3', createdAt: now - 60_000, writtenAt: now - 1000 })
    const current = await readCookieSession(await browser(record, { v: 1, id: 'read-3', seen: now - 50_000 }), settings, now)
    expect(current?.lastSeen).toBe(now - 1000)
  })

  it('ignores the activity cookie of another session', async () => {
    const now = Date.now()
    const record = sessionRecord({ id: 'read-4', createdAt: now - 60_000, writtenAt: now - 60_000 })
    const current = await readCookieSession(await browser(record, { v: 1, id: 'other-session', seen: now }), settings, now)
    expect(current?.activity).toBeNull()
    expect(current?.lastSeen).toBe(now - 60_000)
  })

  it('does not let another session\'s activity keep an idle session alive', async () => {
    const now = Date.now()
    const record = sessionRecord({ id: 'read-5', createdAt: now - IDLE - 1000, writtenAt: now - IDLE - 1000 })
    expect(await readCookieSession(await browser(record, { v: 1, id: 'other-session', seen: now }), settings, now)).toBeNull()
  })

  it('lets its own activity keep a session alive past the idle timeout since it was written', async () => {
    const now = Date.now()
    const record = sessionRecord({ id: 'read-6', createdAt: now - IDLE - 1000, writtenAt: now - IDLE - 1000 })
    expect(await readCookieSession(await browser(record, { v: 1, id: 'read-6', seen: now - 10_000 }), settings, now)).not.toBeNull()
  })

  it('enforces the idle timeout from the times inside the seals', async () => {
    const now = Date.now()
    const record = sessionRecord({ id: 'read-7', createdAt: now - IDLE - 1, writtenAt: now - IDLE - 1 })
    const jar = await browser(record, { v: 1, id: 'read-7', seen: now - IDLE })
    expect(await readCookieSession(jar, settings, now)).toBeNull()
    expect(await readCookieSession(jar, settings, now - 1)).not.toBeNull()
  })

  it('enforces the absolute timeout from createdAt, whatever the activity', async () => {
    const now = Date.now()
    const record = sessionRecord({ id: 'read-8', createdAt: now - MAX, writtenAt: now - 1000 })
    expect(await readCookieSession(await browser(record, { v: 1, id: 'read-8', seen: now }), settings, now)).toBeNull()
  })

  it('reads a chunked session', async () => {
    const record = sessionRecord({ id: 'read-9', tokens: tokenSet({ accessToken: noise(CHUNK_SIZE * 2) }) })
    const jar = await browser(record)
    expect([...jar.keys()]).toEqual([`${settings.cookieName}.0`, `${settings.cookieName}.1`, `${settings.cookieName}.2`])
    expect((await readCookieSession(jar, settings))?.record).toEqual(record)
  })

  it('is null without a session cookie, with garbage, or with a cookie sealed under another secret', async () => {
    expect(await readCookieSession(new Map(), settings)).toBeNull()
    expect(await readCookieSession(new Map([[settings.cookieName, 'Fe26.2*1*forged']]), settings)).toBeNull()
    const foreign = makeConfig({ appName: 'myclinic', sessionSecret: SECRET_3 }).session
    expect(await readCookieSession(await browser(sessionRecord({ id: 'read-10' }), undefined, foreign), settings)).toBeNull()
  })

  it('ignores a garbled activity cookie', async () => {
    const jar = await browser(sessionRecord({ id: 'read-11' }))
    jar.set(settings.activityCookieName, 'garbage')
    const current = await readCookieSession(jar, settings)
    expect(current?.activity).toBeNull()
  })

  it('ignores an activity cookie that is a session seal (wrong shape)', async () => {
    const record = sessionRecord({ id: 'read-12' })
    const jar = await browser(record)
    jar.set(settings.activityCookieName, jar.get(settings.cookieName)!)
    expect((await readCookieSession(jar, settings))?.activity).toBeNull()
  })
})

describe('sessionCookies', () => {
  it('writes one cookie with the session lifetime and deletes every chunk name', async () => {
    const { setCookies, chunks } = await sessionCookies(sessionRecord({ id: 'write-1' }), settings)
    expect(setCookies[0]).toMatch(new RegExp(`^${settings.cookieName}=Fe26\\.2\\*1\\*[^;]+; Path=/; Max-Age=${settings.maxAge}; HttpOnly; Secure; SameSite=Lax$`))
    expect(setCookies.slice(1).map(setCookieName)).toEqual(allChunkNames(settings.cookieName).slice(1))
    expect(setCookies.slice(1).every((c) => c.includes('Max-Age=0'))).toBe(true)
    expect(chunks).toHaveLength(1)
    expect(chunks[0][0]).toBe(settings.cookieName)
    expect(setCookies[0]).toContain(`=${chunks[0][1]};`)
  })

  it('splits a large session into chunks and deletes the plain name and the unused chunks', async () => {
    const { setCookies, chunks } = await sessionCookies(sessionRecord({ id: 'write-2', tokens: tokenSet({ accessToken: noise(CHUNK_SIZE * 2) }) }), settings)
    const name = settings.cookieName
    expect(chunks.map(([n]) => n)).toEqual([`${name}.0`, `${name}.1`, `${name}.2`])
    expect(setCookies.filter((c) => c.includes('Max-Age=0')).map(setCookieName).sort()).toEqual([name, `${name}.3`, `${name}.4`, `${name}.5`].sort())
    for (const c of setCookies) expect(Buffer.byteLength(c)).toBeLessThan(4096)
  })

  it('refuses a session too large for six cookies with session_too_large (507) before writing anything', async () => {
    const error = await rejected(sessionCookies(sessionRecord({ id: 'write-3', tokens: tokenSet({ accessToken: noise(CHUNK_SIZE * 6) }) }), settings))
    expect(isAuthError(error)).toBe(true)
    expect(error.code).toBe('session_too_large')
    expect(error.status).toBe(507)
  })

  it('writes no Secure attribute on a plain-http localhost app', async () => {
    const http = makeConfig({ appName: 'myclinic', clientHost: 'http://localhost:3000' }).session
    const { setCookies } = await sessionCookies(sessionRecord({ id: 'write-4' }), http)
    expect(setCookies[0]).toMatch(/^myclinic-session=/)
    for (const c of setCookies) expect(c).not.toContain('Secure')
  })
})

describe('activityCookie', () => {
  it('seals the activity into the activity cookie with the session lifetime', async () => {
    const activity: ActivityRecord = { v: 1, id: 'act-1', seen: Date.now() }
    const { setCookie, value } = await activityCookie(activity, settings)
    expect(setCookie).toBe(`${settings.activityCookieName}=${value}; Path=/; Max-Age=${settings.maxAge}; HttpOnly; Secure; SameSite=Lax`)
    expect(value).not.toContain('act-1')
    const record = sessionRecord({ id: 'act-1', createdAt: activity.seen - IDLE * 2, writtenAt: activity.seen - IDLE * 2 })
    const jar = applySetCookies(await browser(record), [setCookie])
    expect((await readCookieSession(jar, settings, activity.seen))?.activity).toEqual(activity)
  })
})

describe('clearSessionCookies', () => {
  it('deletes the session cookie, every chunk and the activity cookie', () => {
    const headers = clearSessionCookies(settings)
    expect(headers.map(setCookieName)).toEqual([...allChunkNames(settings.cookieName), settings.activityCookieName])
    for (const h of headers) expect(h).toContain('Max-Age=0')
  })
})

describe('hasSessionCookies', () => {
  it.each([
    [`${settings.cookieName}=x`, true],
    [`${settings.cookieName}.3=x`, true],
    [`${settings.activityCookieName}=x`, true],
    [`other=1; ${settings.cookieName}.0=x`, true],
    ['other=1', false],
    [`${settings.cookieName}x=1`, false],
    [`__Host-myclinic-txn.0=x`, false],
    ['', false],
  ])('%s → %s', (header, expected) => {
    expect(hasSessionCookies(parseCookies(header), settings)).toBe(expected)
  })
})

describe('forwardedCookieHeader (vercel/next.js#49442)', () => {
  it('replaces changed cookies in place, removes deleted ones and keeps the others', () => {
    const cookies = parseCookies('a=1; s=old; b=2; s.0=stale')
    const header = forwardedCookieHeader(cookies, new Map<string, string | null>([['s', 'new'], ['s.0', null], ['c', '3']]))
    expect(header).toBe('a=1; s=new; b=2; c=3')
  })

  it('is the same header when nothing changed', () => {
    expect(forwardedCookieHeader(parseCookies('a=1; b=2'), new Map())).toBe('a=1; b=2')
  })

  it('with chunkChanges, hands the handler exactly the session the browser will hold', async () => {
    const name = settings.cookieName
    const old = await browser(sessionRecord({ id: 'fwd-1', tokens: tokenSet({ accessToken: noise(CHUNK_SIZE * 2) }) }))
    old.set('theme', 'dark')
    const record = sessionRecord({ id: 'fwd-2' })
    const { chunks, setCookies } = await sessionCookies(record, settings)
    const header = forwardedCookieHeader(parseCookies(cookieHeader(old)), chunkChanges(settings, chunks))
    const forwarded = parseCookies(header)
    expect([...forwarded.keys()].sort()).toEqual([name, 'theme'].sort())
    expect(forwarded).toEqual(applySetCookies(new Map(old), setCookies))
    expect((await readCookieSession(forwarded, settings))?.record).toEqual(record)
  })
})

describe('chunkChanges', () => {
  it('removes every chunk name and sets the new chunks', () => {
    const changes = chunkChanges(settings, [[`${settings.cookieName}.0`, 'a'], [`${settings.cookieName}.1`, 'b']])
    expect([...changes]).toEqual([
      [settings.cookieName, null],
      [`${settings.cookieName}.0`, 'a'],
      [`${settings.cookieName}.1`, 'b'],
      [`${settings.cookieName}.2`, null],
      [`${settings.cookieName}.3`, null],
      [`${settings.cookieName}.4`, null],
      [`${settings.cookieName}.5`, null],
    ])
  })
})

describe('touchInterval', () => {
  it('re-seals the idle timer at most once a minute, and a quarter of a short idle timeout', () => {
    expect(TOUCH_INTERVAL).toBe(60)
    expect(touchInterval({ idleTimeout: 1800 })).toBe(60)
    expect(touchInterval({ idleTimeout: 240 })).toBe(60)
    expect(touchInterval({ idleTimeout: 100 })).toBe(25)
    expect(touchInterval({ idleTimeout: 5 })).toBe(1)
    expect(touchInterval({ idleTimeout: 2 })).toBe(1)
  })
})
