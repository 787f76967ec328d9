import { deflateSync } from 'fflate'
import { generateKeyPair, SignJWT } from 'jose'
import { describe, expect, it } from 'vitest'
import { base64url, deflate, fromBase64url, inflate, packToken, unpackToken } from '@/lib/auth/pack'
import { jwtTokenSet, signJwt } from './fixtures'

const enc = (bytes: number[] | Uint8Array) => base64url(Uint8Array.from(bytes))
const text = (s: string) => base64url(new TextEncoder().encode(s))

/** A deterministic byte generator (xorshift32), so property checks are reproducible. */
function bytesFrom(seed: number) {
  let x = seed || 1
  return (n: number) =>
    Uint8Array.from({ length: n }, () => {
      x ^= x << 13
      x ^= x >>> 17
      x ^= x << 5
      return x & 0xff
    })
}

describe('base64url (RFC 4648 5)', () => {
  it('encodes without padding, with - and _ instead of + and /', () => {
    expect(enc([0xfb, 0xff])).toBe('-_8')
    expect(enc([])).toBe('')
    expect(enc([0x66, 0x6f, 0x6f])).toBe('Zm9v')
  })

  it('round-trips every byte value and long inputs', () => {
    const all = Uint8Array.from({ length: 256 }, (_, i) => i)
    expect(fromBase64url(base64url(all))).toEqual(all)
    const long = bytesFrom(7)(100_000)
    expect(fromBase64url(base64url(long))).toEqual(long)
  })

  it.each(['Zm9v=', 'ab+c', 'ab/c', 'ab c', 'ab\nc', 'é'])('refuses %j', (value) => {
    expect(() => fromBase64url(value)).toThrow()
  })
})

describe('packToken / unpackToken', () => {
  it('packs a real RS256 JWT into its header JSON, payload JSON and signature, and unpacks it exactly', async () => {
    const jwt = await signJwt({ sub: 'u-1', roles: ['a', 'b'], iat: 1_700_000_000 })
    const packed = packToken(jwt)
    expect(Array.isArray(packed)).toBe(true)
    const [header, payload, signature] = packed as [string, string, string]
    expect(JSON.parse(header)).toMatchObject({ alg: 'RS256', typ: 'JWT', kid: 'key-1' })
    expect(JSON.parse(payload)).toEqual({ sub: 'u-1', roles: ['a', 'b'], iat: 1_700_000_000 })
    expect(signature).toBe(jwt.split('.')[2])
    expect(unpackToken(packed)).toBe(jwt)
  })

  it('round-trips realistic WSO2 access and ID tokens exactly', async () => {
    const tokens = await jwtTokenSet({ roles: 150, attributes: 60 })
    for (const token of [tokens.accessToken, tokens.idToken]) {
      expect(typeof packToken(token)).not.toBe('string')
      expect(unpackToken(packToken(token))).toBe(token)
    }
  })

  it('round-trips an ES256 JWT with non-ASCII claims (RFC 7519 7.1: UTF-8)', async () => {
    const { privateKey } = await generateKeyPair('ES256')
    const jwt = await new SignJWT({ name: 'Zoë Ångström 😀', city: '東京' }).setProtectedHeader({ alg: 'ES256' }).sign(privateKey)
    const packed = packToken(jwt) as [string, string, string]
    expect(JSON.parse(packed[1]).name).toBe('Zoë Ångström 😀')
    expect(unpackToken(packed)).toBe(jwt)
  })

  it('packs an unsecured JWT with an empty signature (RFC 7519 6.1)', () => {
    const jwt = `${text('{"alg":"none"}')}.${text('{"sub":"1"}')}.`
    expect(packToken(jwt)).toEqual(['{"alg":"none"}', '{"sub":"1"}', ''])
    expect(unpackToken(packToken(jwt))).toBe(jwt)
  })

  describe('returns tokens it cannot reverse exactly unchanged', () => {
    const header = text('{"alg":"RS256"}')
    const payload = text('{"sub":"1"}')

    it.each([
      ['an opaque token', 'a3f1c9e2-6b7d-4c1e-9f3a-2d5e8b7c6a10'],
      ['two segments', `${header}.${payload}`],
      ['four segments', `${header}.${payload}.sig.x`],
      ['a JWE (five segments)', `${header}.key.iv.cipher.tag`],
      ['a padded segment', `${header}=.${payload}.sig`],
      ['standard base64 characters', `${header}.${payload.replace(/.$/, '+')}.sig`],
      ['a segment of impossible length', `${header}.A.sig`],
      ['invalid UTF-8', `${header}.${enc([0xff, 0xfe, 0x7b])}.sig`],
      ['an overlong UTF-8 encoding', `${header}.${enc([0x7b, 0xc0, 0xaf, 0x7d])}.sig`],
      ['a CESU-8 encoded surrogate', `${header}.${enc([0xed, 0xa0, 0x80])}.sig`],
      ['a UTF-8 byte order mark the decoder would strip', `${enc([0xef, 0xbb, 0xbf, ...new TextEncoder().encode('{"alg":"none"}')])}.${payload}.sig`],
      ['non-canonical trailing bits', `${header}.${text('{"a":1}').replace(/Q$/, 'R')}.sig`],
      ['an empty string', ''],
    ])('%s', (_, token) => {
      expect(packToken(token)).toBe(token)
      expect(unpackToken(packToken(token))).toBe(token)
    })

    it('the non-canonical segment really decodes like the canonical one (the test case is meaningful)', () => {
      expect(text('{"a":1}')).toMatch(/Q$/)
      expect(fromBase64url(text('{"a":1}').replace(/Q$/, 'R'))).toEqual(fromBase64url(text('{"a":1}')))
    })
  })

  it('reverses exactly for thousands of arbitrary three-segment tokens', () => {
    const next = bytesFrom(2024)
    for (let i = 0; i < 3000; i++) {
      const a = next(1 + (i % 23))
      const b = i % 3 === 0 ? new TextEncoder().encode(JSON.stringify({ i, s: String.fromCharCode(...next(8)) })) : next(i % 40)
      let token = `${base64url(a)}.${base64url(b)}.${base64url(next(i % 7))}`
      if (i % 5 === 0) token = token.replace(/.\./, (m) => `${m[0] === 'A' ? 'B' : 'A'}.`) // perturb last characters
      expect(unpackToken(packToken(token))).toBe(token)
    }
  })

  it('leaves a plain string unchanged on unpack', () => {
    expect(unpackToken('opaque')).toBe('opaque')
  })
})

describe('deflate / inflate (RFC 1951)', () => {
  it.each([
    ['JSON', JSON.stringify({ v: 2, roles: Array.from({ length: 50 }, (_, i) => `role-${i}`) })],
    ['non-ASCII text', 'Zoë Ångström 😀 東京'.repeat(20)],
    ['the empty string', ''],
    ['a lone character', 'x'],
  ])('round-trips %s exactly', (_, value) => {
    expect(inflate(deflate(value))).toBe(value)
  })

  it('round-trips 100 KB of incompressible text', () => {
    const value = base64url(bytesFrom(99)(75_000))
    expect(inflate(deflate(value))).toBe(value)
  })

  it('writes base64url (cookie-safe, no padding)', () => {
    expect(deflate('hello hello hello hello')).toMatch(/^[A-Za-z0-9_-]+$/)
  })

  it('shrinks repetitive JSON', () => {
    const json = JSON.stringify(Array.from({ length: 200 }, (_, i) => ({ role: `Internal/role-${i}` })))
    expect(deflate(json).length).toBeLessThan(json.length / 4)
  })

  describe('refuses garbage', () => {
    const valid = fromBase64url(deflate('hello world '.repeat(100)))

    it.each([
      ['a reserved block type (BTYPE=11)', enc([0x07])],
      ['another reserved block type', enc([0xff, 0xff])],
      ['a truncated stream', base64url(valid.subarray(0, valid.length - 4))],
      ['a stream cut after a few bytes', base64url(valid.subarray(0, 3))],
      ['a stored block whose length check fails', enc([0x01, 0x05, 0x00, 0x00, 0x00, 0x61])],
      ['text that is not base64url', '!!not base64!!'],
      ['padded base64', `${base64url(valid)}==`],
    ])('%s', (_, data) => {
      expect(() => inflate(data)).toThrow()
    })

    it('bytes that are not UTF-8', () => {
      expect(() => inflate(base64url(deflateSync(Uint8Array.from([0x7b, 0xff, 0xfe, 0x7d]))))).toThrow(TypeError)
    })

    it('output over 512 KiB (a compression bomb)', () => {
      const bomb = deflate('a'.repeat(512 * 1024 + 1))
      expect(bomb.length).toBeLessThan(2000)
      expect(() => inflate(bomb)).toThrow(RangeError)
      expect(inflate(deflate('a'.repeat(512 * 1024)))).toHaveLength(512 * 1024)
    })
  })
})
