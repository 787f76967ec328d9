import { describe, expect, it } from 'vitest'
import { displayUsername, LIMITS, PROTOCOL_CLAIMS, sanitizeClaims, userAttributes, userinfoExtras, type Claims } from '@/lib/auth/claims'

const PROTOTYPE_KEYS = [...Object.getOwnPropertyNames(Object.prototype), '__proto__', 'prototype']

/** An object with `key` as an own property, as JSON.parse makes it (an object literal would set the prototype). */
const own = (key: string, value: unknown) => JSON.parse(`{${JSON.stringify(key)}:${JSON.stringify(value)}}`)

/** `levels` nested objects around a leaf: {n:{n:...'leaf'}}. */
const nested = (levels: number): unknown => (levels === 0 ? 'leaf' : { n: nested(levels - 1) })
const nestedArray = (levels: number): unknown => (levels === 0 ? 'leaf' : [nestedArray(levels - 1)])

function everyPrototypeIsPlain(value: unknown): boolean {
  if (value === null || typeof value !== 'object') return true
  const proto = Object.getPrototypeOf(value)
  if (proto !== Object.prototype && proto !== Array.prototype) return false
  return Object.values(value).every(everyPrototypeIsPlain)
}

describe('sanitizeClaims: prototype keys', () => {
  it('covers every Object.prototype member', () => {
    expect(PROTOTYPE_KEYS).toEqual(expect.arrayContaining(['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', 'isPrototypeOf', 'propertyIsEnumerable', 'toLocaleString', '__defineGetter__', '__lookupSetter__']))
  })

  it.each(PROTOTYPE_KEYS)('drops %s at the top level', (key) => {
    const claims = { ...own(key, { admin: true }), name: 'Ada' }
    expect(Object.keys(claims)).toContain(key)
    const clean = sanitizeClaims(claims)
    expect(Object.keys(clean)).toEqual(['name'])
    expect(Object.getPrototypeOf(clean)).toBe(Object.prototype)
  })

  it.each(PROTOTYPE_KEYS)('drops %s inside nested objects and objects in arrays', (key) => {
    const claims = { address: { ...own(key, 'x'), street: 'Main', geo: { ...own(key, 1), lat: 1 } }, list: [{ ...own(key, 'x'), ok: 1 }] }
    expect(sanitizeClaims(claims)).toEqual({ address: { street: 'Main', geo: { lat: 1 } }, list: [{ ok: 1 }] })
  })

  it('never changes a prototype: no pollution of Object.prototype, no replaced prototype of the result', () => {
    const payload = JSON.parse('{"__proto__":{"polluted":true},"a":{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}}},"b":[{"__proto__":{"polluted":true}}]}')
    const clean = sanitizeClaims(payload)
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
    expect(Object.prototype).not.toHaveProperty('polluted')
    expect(everyPrototypeIsPlain(clean)).toBe(true)
    expect((clean as Record<string, Record<string, unknown>>).a.polluted).toBeUndefined()
    expect(clean).toEqual({ a: {}, b: [{}] })
  })

  it('keeps toString working on the result (no shadowing own property)', () => {
    const clean = sanitizeClaims(own('toString', 'gotcha'))
    expect(Object.hasOwn(clean, 'toString')).toBe(false)
    expect(String(clean)).toBe('[object Object]')
  })

  it('does not count dropped keys toward the claim limit', () => {
    const claims = JSON.parse(`{${PROTOTYPE_KEYS.map((k) => `${JSON.stringify(k)}:1`).join(',')},${Array.from({ length: 100 }, (_, i) => `"c${i}":1`).join(',')}}`)
    expect(Object.keys(sanitizeClaims(claims))).toHaveLength(100)
  })
})

describe('sanitizeClaims: bounds', () => {
  it('publishes its limits', () => {
    expect(LIMITS).toEqual({ depth: 4, claims: 100, entries: 200, keyLength: 128, stringLength: 2048 })
  })

  it('keeps objects nested 4 levels inside a claim and drops the 5th', () => {
    expect(sanitizeClaims({ a: nested(4) })).toEqual({ a: nested(4) })
    expect(sanitizeClaims({ a: nested(5) })).toEqual({ a: { n: { n: { n: {} } } } })
  })

  it('counts arrays as levels too', () => {
    expect(sanitizeClaims({ a: nestedArray(4) })).toEqual({ a: nestedArray(4) })
    expect(sanitizeClaims({ a: nestedArray(5) })).toEqual({ a: [[[[]]]] })
  })

  it('survives very deep input without recursion trouble', () => {
    let deep: unknown = 'leaf'
    for (let i = 0; i < 10_000; i++) deep = { n: deep }
    expect(sanitizeClaims({ a: deep })).toEqual({ a: { n: { n: { n: {} } } } })
  })

  it('keeps at most 100 claims, the first ones', () => {
    const claims = Object.fromEntries(Array.from({ length: 150 }, (_, i) => [`c${i}`, i]))
    const clean = sanitizeClaims(claims)
    expect(Object.keys(clean)).toHaveLength(100)
    expect(clean.c0).toBe(0)
    expect(clean.c99).toBe(99)
    expect(clean).not.toHaveProperty('c100')
  })

  it('keeps at most 200 entries of a nested array or object', () => {
    const clean = sanitizeClaims({
      roles: Array.from({ length: 250 }, (_, i) => `r${i}`),
      map: Object.fromEntries(Array.from({ length: 250 }, (_, i) => [`k${i}`, i])),
    })
    expect(clean.roles).toHaveLength(200)
    expect((clean.roles as string[])[199]).toBe('r199')
    expect(Object.keys(clean.map as object)).toHaveLength(200)
  })

  it('cuts strings to 2048 characters, also inside arrays and objects', () => {
    const long = 'x'.repeat(3000)
    const clean = sanitizeClaims({ s: long, a: [long], o: { s: long } }) as { s: string; a: string[]; o: { s: string } }
    expect(clean.s).toHaveLength(2048)
    expect(clean.a[0]).toHaveLength(2048)
    expect(clean.o.s).toHaveLength(2048)
    expect(sanitizeClaims({ s: 'y'.repeat(2048) }).s).toHaveLength(2048)
  })

  it('drops keys that are empty or longer than 128 characters', () => {
    const claims = { '': 1, ['k'.repeat(128)]: 2, ['k'.repeat(129)]: 3, nested: { ['n'.repeat(129)]: 4, ok: 5 } }
    expect(sanitizeClaims(claims)).toEqual({ ['k'.repeat(128)]: 2, nested: { ok: 5 } })
  })

  it('drops non-finite numbers everywhere and keeps finite ones', () => {
    const clean = sanitizeClaims({ nan: Number.NaN, inf: Infinity, ninf: -Infinity, zero: 0, neg: -1.5, big: Number.MAX_VALUE, list: [1, Number.NaN, Infinity, 2], o: { x: Number.NaN, y: 3 } })
    expect(clean).toEqual({ zero: 0, neg: -1.5, big: Number.MAX_VALUE, list: [1, 2], o: { y: 3 } })
  })

  it('keeps only JSON data: strings, numbers, booleans, arrays and objects', () => {
    const clean = sanitizeClaims({ n: null, u: undefined, f: () => 1, sym: Symbol('x'), big: BigInt(1), t: true, fl: false, arr: [null, 'a', undefined, () => 2] })
    expect(clean).toEqual({ t: true, fl: false, arr: ['a'] })
  })

  it.each([null, undefined, 'claims', 42, ['a'], true])('is {} for the non-object %j', (value) => {
    expect(sanitizeClaims(value)).toEqual({})
  })

  it('copies: changing the result does not change the input', () => {
    const input = { roles: ['a'], address: { city: 'X' } }
    const clean = sanitizeClaims(input) as { roles: string[]; address: { city: string } }
    clean.roles.push('b')
    clean.address.city = 'Y'
    expect(input).toEqual({ roles: ['a'], address: { city: 'X' } })
  })
})

describe('userAttributes', () => {
  it('keeps user claims of the ID token and userinfo, never protocol claims (OIDC Core 5.1, 2)', () => {
    const user = userAttributes({ iss: 'i', sub: 's', aud: 'a', iat: 1, exp: 2, nonce: 'n', at_hash: 'h', sid: 'x', auth_time: 1, given_name: 'A' }, { sub: 'evil', iss: 'evil', email: 'e@x' })
    expect(user).toEqual({ given_name: 'A', email: 'e@x' })
  })

  it('lists every protocol claim of OIDC Core and WSO2 as protocol', () => {
    for (const claim of ['iss', 'sub', 'aud', 'azp', 'exp', 'iat', 'nbf', 'jti', 'nonce', 'at_hash', 'c_hash', 's_hash', 'auth_time', 'acr', 'amr', 'sid', 'isk', 'realm', 'typ', 'cnf']) {
      expect(PROTOCOL_CLAIMS.has(claim), claim).toBe(true)
    }
  })

  it('lets userinfo update a claim of the ID token', () => {
    expect(userAttributes({ email: 'old@x' }, { email: 'new@x' })).toEqual({ email: 'new@x' })
  })

  it('keeps at most 100 attributes across both sources', () => {
    const a = Object.fromEntries(Array.from({ length: 80 }, (_, i) => [`a${i}`, i]))
    const b = Object.fromEntries(Array.from({ length: 80 }, (_, i) => [`b${i}`, i]))
    expect(Object.keys(userAttributes(a, b))).toHaveLength(100)
  })

  it('sanitises both sources', () => {
    expect(userAttributes(own('__proto__', { admin: true }), own('constructor', 'x'))).toEqual({})
  })

  it('works without userinfo', () => {
    expect(userAttributes({ sub: 's', name: 'Ada' })).toEqual({ name: 'Ada' })
  })
})

describe('userinfoExtras', () => {
  it('stores only what userinfo adds: new claims and changed values', () => {
    const idToken = { sub: 's', email: 'a@x', name: 'Ada', roles: ['a', 'b'], address: { city: 'X' } }
    const userinfo = { sub: 's', email: 'a@x', name: 'Ada L.', roles: ['a', 'b'], address: { city: 'X' }, phone_number: '1' }
    expect(userinfoExtras(idToken, userinfo)).toEqual({ name: 'Ada L.', phone_number: '1' })
  })

  it('never stores protocol claims', () => {
    expect(userinfoExtras({ sub: 's' }, { sub: 's2', iss: 'x', aud: 'y', email: 'a@x' })).toEqual({ email: 'a@x' })
  })

  it('stores nothing when userinfo repeats the ID token', () => {
    const claims = { sub: 's', email: 'a@x', email_verified: true, roles: ['a'], address: { street: 'Main 1', city: 'X' } }
    expect(userinfoExtras(claims, structuredClone(claims))).toEqual({})
  })

  it('does not store an object twice because its members come in another order (RFC 8259 4: members are unordered)', () => {
    const fromToken = { address: { street: 'Main 1', city: 'X' } }
    const fromUserinfo = { address: { city: 'X', street: 'Main 1' } }
    expect(userinfoExtras(fromToken, fromUserinfo)).toEqual({})
  })

  it('compares sanitised values: a long string cut to the same 2048 characters is not stored twice', () => {
    const long = 'x'.repeat(3000)
    expect(userinfoExtras({ bio: long }, { bio: `${long}y` })).toEqual({})
  })

  it('drops prototype keys from userinfo', () => {
    expect(userinfoExtras({}, JSON.parse('{"__proto__":{"a":1},"toString":"x","ok":1}'))).toEqual({ ok: 1 })
  })
})

describe('displayUsername (WSO2: the username claim; sub is a UUID)', () => {
  const sub = '4b8f3a2e-1d7c-4f7a-9c1e-2a6b5d8e9f01'

  it('prefers username, then preferred_username, then email', () => {
    expect(displayUsername(sub, { username: 'admin', preferred_username: 'p', email: 'e@x' })).toBe('admin')
    expect(displayUsername(sub, { preferred_username: 'p', email: 'e@x' })).toBe('p')
    expect(displayUsername(sub, { email: 'e@x' })).toBe('e@x')
  })

  it('falls back to sub', () => {
    expect(displayUsername(sub, {})).toBe(sub)
  })

  it.each<[string, Claims]>([
    ['an empty username', { username: '' }],
    ['a numeric username', { username: 42 }],
    ['a username over 256 characters', { username: 'u'.repeat(257) }],
    ['an array', { username: ['admin'] }],
  ])('skips %s', (_, user) => {
    expect(displayUsername(sub, { ...user, email: 'e@x' })).toBe('e@x')
  })

  it('accepts a username of exactly 256 characters', () => {
    expect(displayUsername(sub, { username: 'u'.repeat(256) })).toBe('u'.repeat(256))
  })
})
