import { randomBytes } from 'node:crypto'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { parseCookies } from '@/lib/auth/cookies'
import type { LoginParams } from '@/lib/auth/login-params'
import { MAX_RETURN_TO } from '@/lib/auth/redirect'
import { seal } from '@/lib/auth/seal'
import {
  chooseSlot,
  isValidState,
  MAX_TRANSACTION_COOKIE,
  MAX_TRANSACTIONS,
  readTransaction,
  slotCookieName,
  staleTransactionCookies,
  transactionCookie,
  transactionCookieName,
  transactionCookieNames,
  TRANSACTION_TTL,
  type Transaction,
} from '@/lib/auth/transaction'
import { applySetCookies, cookieHeader, makeConfig, SECRET_3, setCookieName } from './fixtures'

const settings = makeConfig({ appName: 'myclinic' }).session
const PREFIX = '__Host-myclinic-txn.'

/** A state like oauth4webapi's: slot digit + 43 base64url characters. */
const stateFor = (slot: number) => `${slot}${randomBytes(32).toString('base64url')}`

function txn(slot = 0, extra: Partial<Transaction> = {}): Transaction {
  return {
    v: 1,
    state: stateFor(slot),
    nonce: randomBytes(32).toString('base64url'),
    codeVerifier: randomBytes(32).toString('base64url'),
    returnTo: '/patients',
    createdAt: Date.now(),
    params: {},
    ...extra,
  }
}

/** The cookie pair a browser would send back for a Set-Cookie header. */
const pair = (setCookie: string) => setCookie.split(';')[0]

async function cookiesWith(...transactions: Transaction[]): Promise<Map<string, string>> {
  const jar = new Map<string, string>()
  for (const t of transactions) applySetCookies(jar, [(await transactionCookie(t, settings))!])
  return jar
}

afterEach(() => {
  vi.restoreAllMocks()
})

describe('transaction constants', () => {
  it('keeps a login ten minutes, four per browser, 1800 bytes each', () => {
    expect(TRANSACTION_TTL).toBe(600)
    expect(MAX_TRANSACTIONS).toBe(4)
    expect(MAX_TRANSACTION_COOKIE).toBe(1800)
    expect(MAX_TRANSACTIONS * (MAX_TRANSACTION_COOKIE + 2)).toBeLessThan(8192)
  })
})

describe('isValidState (the state carries the slot digit)', () => {
  it.each([0, 1, 2, 3])('accepts slot %i followed by 43 base64url characters', (slot) => {
    expect(isValidState(stateFor(slot))).toBe(true)
  })

  it.each([
    ['slot 4', `4${'A'.repeat(43)}`],
    ['a letter as slot', `x${'A'.repeat(43)}`],
    ['42 characters after the slot', `0${'A'.repeat(42)}`],
    ['44 characters after the slot', `0${'A'.repeat(44)}`],
    ['a "+"', `0${'A'.repeat(42)}+`],
    ['a "="', `0${'A'.repeat(42)}=`],
    ['a newline at the end', `0${'A'.repeat(43)}\n`],
    ['the empty string', ''],
  ])('refuses %s', (_, state) => {
    expect(isValidState(state)).toBe(false)
  })

  it('refuses null and undefined', () => {
    expect(isValidState(null)).toBe(false)
    expect(isValidState(undefined)).toBe(false)
  })
})

describe('cookie names', () => {
  it('names a slot by its digit and a state by its first character', () => {
    expect(slotCookieName(2, settings)).toBe(`${PREFIX}2`)
    expect(transactionCookieName(stateFor(3), settings)).toBe(`${PREFIX}3`)
  })

  it('lists the cookies carrying the transaction prefix, and nothing else', () => {
    const cookies = parseCookies(`${PREFIX}0=a; ${PREFIX}legacy=b; __Host-myclinic-session=c; other=d`)
    expect(transactionCookieNames(cookies, settings)).toEqual([`${PREFIX}0`, `${PREFIX}legacy`])
  })
})

describe('transactionCookie', () => {
  it('seals the transaction into its slot cookie: Max-Age=600, HttpOnly, Secure, SameSite=Lax (the callback is a top-level GET)', async () => {
    const t = txn(2)
    const header = (await transactionCookie(t, settings))!
    expect(header).toMatch(new RegExp(`^__Host-myclinic-txn\\.2=Fe26\\.2\\*1\\*[^;]+; Path=/; Max-Age=600; HttpOnly; Secure; SameSite=Lax$`))
    for (const secret of [t.codeVerifier, t.nonce, t.state.slice(1)]) expect(header).not.toContain(secret)
  })

  it('is null when name=value would exceed MAX_TRANSACTION_COOKIE', async () => {
    expect(await transactionCookie(txn(0, { returnTo: `/${'a'.repeat(1500)}` }), settings)).toBeNull()
  })

  it('fits a MAX_RETURN_TO destination with ordinary login parameters', async () => {
    const header = await transactionCookie(txn(1, { returnTo: `/${'p'.repeat(MAX_RETURN_TO - 1)}`, params: { prompt: 'login', maxAge: 300 } }), settings)
    expect(header).not.toBeNull()
    expect(pair(header!).length).toBeLessThanOrEqual(MAX_TRANSACTION_COOKIE)
  })
})

describe('readTransaction (RFC 9700 4.7.1: the state must find its own transaction in this browser)', () => {
  it('reads the transaction of the callback state', async () => {
    const t = txn(1, { params: { prompt: 'login' } })
    expect(await readTransaction(await cookiesWith(t), t.state, settings)).toEqual(t)
  })

  it('refuses another state of the same slot', async () => {
    const t = txn(1)
    expect(await readTransaction(await cookiesWith(t), stateFor(1), settings)).toBeNull()
  })

  it('refuses a transaction copied under another slot', async () => {
    const t = txn(0)
    const cookies = await cookiesWith(t)
    const moved = new Map([[`${PREFIX}1`, cookies.get(`${PREFIX}0`)!]])
    const sameRest = `1${t.state.slice(1)}`
    expect(await readTransaction(moved, sameRest, settings)).toBeNull()
  })

  it('refuses a missing, invalid or absent state', async () => {
    const t = txn(0)
    const cookies = await cookiesWith(t)
    for (const state of [null, '', t.state.slice(0, -1), `${t.state}x`, `9${t.state.slice(1)}`]) {
      expect(await readTransaction(cookies, state, settings)).toBeNull()
    }
    expect(await readTransaction(new Map(), t.state, settings)).toBeNull()
  })

  it('refuses a garbled cookie and one sealed under another secret', async () => {
    const t = txn(3)
    const value = (await cookiesWith(t)).get(`${PREFIX}3`)!
    const i = value.length - 10
    const garbled = value.slice(0, i) + (value[i] === 'A' ? 'B' : 'A') + value.slice(i + 1)
    expect(await readTransaction(new Map([[`${PREFIX}3`, garbled]]), t.state, settings)).toBeNull()
    const foreign = makeConfig({ appName: 'myclinic', sessionSecret: SECRET_3 }).session
    const foreignValue = pair((await transactionCookie(t, foreign))!).split('=')[1]
    expect(await readTransaction(new Map([[`${PREFIX}3`, foreignValue]]), t.state, settings)).toBeNull()
  })

  it('refuses a genuine seal larger than MAX_TRANSACTION_COOKIE', async () => {
    const t = txn(0, { returnTo: `/${'a'.repeat(1500)}` })
    const big = await seal(t, settings.secrets, TRANSACTION_TTL)
    expect(big.length).toBeGreaterThan(MAX_TRANSACTION_COOKIE)
    expect(await readTransaction(new Map([[`${PREFIX}0`, big]]), t.state, settings)).toBeNull()
  })

  it('refuses sealed data that is not a transaction', async () => {
    const state = stateFor(0)
    const value = await seal({ v: 1, state }, settings.secrets, TRANSACTION_TTL)
    expect(await readTransaction(new Map([[`${PREFIX}0`, value]]), state, settings)).toBeNull()
  })
})

describe('chooseSlot', () => {
  it('picks a slot in range for a browser without transactions', async () => {
    const slot = await chooseSlot(new Map(), settings)
    expect(slot).toBeGreaterThanOrEqual(0)
    expect(slot).toBeLessThan(MAX_TRANSACTIONS)
  })

  it('prefers the one free slot', async () => {
    expect(await chooseSlot(await cookiesWith(txn(0), txn(1), txn(3)), settings)).toBe(2)
  })

  it('picks among the free slots at random', async () => {
    const cookies = await cookiesWith(txn(0), txn(2))
    vi.spyOn(Math, 'random').mockReturnValue(0)
    expect(await chooseSlot(cookies, settings)).toBe(1)
    vi.spyOn(Math, 'random').mockReturnValue(0.999)
    expect(await chooseSlot(cookies, settings)).toBe(3)
  })

  it('takes the oldest slot when all are in use', async () => {
    const now = Date.now()
    const cookies = await cookiesWith(txn(0, { createdAt: now - 40 }), txn(1, { createdAt: now - 10 }), txn(2, { createdAt: now - 90 }), txn(3, { createdAt: now - 20 }))
    expect(await chooseSlot(cookies, settings)).toBe(2)
  })

  it('treats a garbled, foreign or oversized slot cookie as free', async () => {
    const foreign = makeConfig({ appName: 'myclinic', sessionSecret: SECRET_3 }).session
    for (const value of ['garbage', pair((await transactionCookie(txn(1), foreign))!).split('=')[1], await seal(txn(1, { returnTo: `/${'a'.repeat(1500)}` }), settings.secrets, 600)]) {
      const cookies = await cookiesWith(txn(0), txn(2), txn(3))
      cookies.set(`${PREFIX}1`, value)
      expect(await chooseSlot(cookies, settings)).toBe(1)
    }
  })
})

describe('staleTransactionCookies', () => {
  it('deletes legacy per-state names and anything else under the prefix that is not a slot', () => {
    const legacy = `${PREFIX}${'S'.repeat(43)}`
    const cookies = parseCookies(`${legacy}=x; ${PREFIX}4=x; ${PREFIX}=x; ${PREFIX}0.0=x; ${PREFIX}0=ok; other=1; __Host-myclinic-session=s`)
    const deletions = staleTransactionCookies(cookies, settings)
    expect(deletions.map(setCookieName).sort()).toEqual([legacy, `${PREFIX}4`, PREFIX, `${PREFIX}0.0`].sort())
    for (const d of deletions) expect(d).toMatch(/=; Path=\/; Max-Age=0; .*HttpOnly; Secure; SameSite=Lax$/)
  })

  it('deletes a slot cookie too large to be ours, and keeps slots of a normal size', () => {
    const cookies = new Map([[`${PREFIX}0`, 'x'.repeat(MAX_TRANSACTION_COOKIE + 1)], [`${PREFIX}1`, 'x'.repeat(MAX_TRANSACTION_COOKIE)], [`${PREFIX}2`, 'y']])
    expect(staleTransactionCookies(cookies, settings).map(setCookieName)).toEqual([`${PREFIX}0`])
  })

  it('deletes nothing for a browser without stale cookies', () => {
    expect(staleTransactionCookies(parseCookies('a=1; __Host-myclinic-session=x'), settings)).toEqual([])
  })
})

describe('parallel logins (cookies never pile up)', () => {
  const bigParams: LoginParams = { prompt: 'select_account', maxAge: 3600, loginHint: 'h'.repeat(256), uiLocales: 'en-GB de-DE fr-FR', acrValues: 'urn:mace:incommon:iap:silver' }

  /** What /login does: stale deletions, a slot, a transaction cookie (retried without returnTo when over budget). */
  async function login(header: string, returnTo: string, params: LoginParams): Promise<string[]> {
    const cookies = parseCookies(header)
    const stale = staleTransactionCookies(cookies, settings)
    const slot = await chooseSlot(cookies, settings)
    let cookie = await transactionCookie(txn(slot, { returnTo, params }), settings)
    if (!cookie) cookie = await transactionCookie(txn(slot, { returnTo: '/', params }), settings)
    expect(cookie).not.toBeNull()
    return [...stale, cookie!]
  }

  it('20 logins from the same Cookie header use at most MAX_TRANSACTIONS names and stay under 8 KB', async () => {
    const jar = new Map([['theme', 'dark'], [`${PREFIX}${'L'.repeat(43)}`, 'legacy'.repeat(100)]])
    const header = cookieHeader(jar)
    const responses = await Promise.all(Array.from({ length: 20 }, (_, i) => login(header, `/${'r'.repeat(MAX_RETURN_TO - 2)}${i % 10}`, bigParams)))
    const names = new Set(responses.flat().filter((c) => !c.includes('Max-Age=0')).map(setCookieName))
    expect(names.size).toBeLessThanOrEqual(MAX_TRANSACTIONS)
    for (const name of names) expect(name).toMatch(/^__Host-myclinic-txn\.[0-3]$/)
    for (const response of responses) applySetCookies(jar, response)
    expect(transactionCookieNames(jar, settings).length).toBeLessThanOrEqual(MAX_TRANSACTIONS)
    expect(Buffer.byteLength(cookieHeader(jar))).toBeLessThan(8192)
  })

  it('20 sequential logins, each seeing the cookies of the one before, never exceed MAX_TRANSACTIONS either', async () => {
    const jar = new Map<string, string>()
    for (let i = 0; i < 20; i++) applySetCookies(jar, await login(cookieHeader(jar), `/${'q'.repeat(MAX_RETURN_TO - 1)}`, bigParams))
    expect(transactionCookieNames(jar, settings)).toHaveLength(MAX_TRANSACTIONS)
    expect(Buffer.byteLength(cookieHeader(jar))).toBeLessThan(8192)
  })

  it('keeps every transaction cookie within MAX_TRANSACTION_COOKIE', async () => {
    for (const c of await login('', `/${'z'.repeat(MAX_RETURN_TO - 1)}`, bigParams)) expect(pair(c).length).toBeLessThanOrEqual(MAX_TRANSACTION_COOKIE)
  })
})
