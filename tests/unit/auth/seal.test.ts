import { randomBytes } from 'node:crypto'
import { sealData } from 'iron-session'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { parseCookies } from '@/lib/auth/cookies'
import {
  allChunkNames,
  CHUNK_SIZE,
  chunkNames,
  clearChunked,
  fitsChunks,
  MAX_CHUNKS,
  readChunked,
  remember,
  seal,
  SEAL_PATTERN,
  splitChunks,
  unseal,
  writeChunked,
} from '@/lib/auth/seal'
import { applySetCookies, SECRET, SECRET_2, SECRET_3, setCookieName } from './fixtures'

type Data = { v: number; n?: string }
const isData = (value: unknown): value is Data => typeof value === 'object' && value !== null && typeof (value as Data).v === 'number'
const anything = (value: unknown): value is unknown => value !== undefined

/** A string that deflates nowhere (random base64url). */
const noise = (length: number) => randomBytes(Math.ceil(length * 0.75) + 3).toString('base64url').slice(0, length)

describe('seal / unseal (iron: AES-256-CBC + HMAC-SHA-256)', () => {
  it('seals into exactly the iron-session 2 format', async () => {
    const value = await seal({ v: 1 }, [SECRET], 600)
    expect(value).toMatch(SEAL_PATTERN)
    expect(value.startsWith('Fe26.2*1*')).toBe(true)
    expect(value.endsWith('~2')).toBe(true)
  })

  it('opens what it sealed', async () => {
    expect(await unseal(await seal({ v: 7, n: 'x' }, [SECRET], 600), [SECRET], 600, isData)).toEqual({ v: 7, n: 'x' })
  })

  it('never derives the password id from the secret: it is always 1', async () => {
    for (const secrets of [[SECRET], [SECRET_2], [SECRET_3, SECRET], [SECRET, SECRET_2, SECRET_3]]) {
      const parts = (await seal({ v: 1 }, secrets, 60)).split('*')
      expect(parts[1]).toBe('1')
    }
  })

  it('carries no trace of the secret or the data in the seal', async () => {
    const value = await seal({ v: 1, n: 'patient-record-secret' }, [SECRET], 600)
    expect(value).not.toContain(SECRET)
    expect(value).not.toContain('patient-record-secret')
    expect(value).not.toContain(Buffer.from('patient-record-secret').toString('base64url'))
  })

  it('seals with the newest secret: it opens with the newest alone, not with the older ones alone', async () => {
    const value = await seal({ v: 1 }, [SECRET_2, SECRET], 600)
    expect(await unseal(value, [SECRET_2], 600, isData)).toEqual({ v: 1 })
    expect(await unseal(value, [SECRET], 600, isData)).toBeNull()
  })

  it('opens with any secret of the list: rotation keeps older cookies readable until the old secret is removed', async () => {
    const old = await seal({ v: 2 }, [SECRET], 600)
    expect(await unseal(old, [SECRET_2, SECRET], 600, isData)).toEqual({ v: 2 })
    expect(await unseal(old, [SECRET_3, SECRET_2, SECRET], 600, isData)).toEqual({ v: 2 })
    expect(await unseal(old, [SECRET_3, SECRET_2], 600, isData)).toBeNull()
  })

  it('does not reuse a remembered open for another secret list', async () => {
    const value = await seal({ v: 3 }, [SECRET], 600)
    const list = [SECRET]
    expect(await unseal(value, list, 600, isData)).toEqual({ v: 3 })
    expect(await unseal(value, list, 600, isData)).toEqual({ v: 3 })
    expect(await unseal(value, [SECRET_2], 600, isData)).toBeNull()
  })

  it('returns null when the opened data fails the shape check, also from the memo', async () => {
    const value = await seal({ v: 'not a number' }, [SECRET], 600)
    expect(await unseal(value, [SECRET], 600, isData)).toBeNull()
    const list = [SECRET]
    const good = await seal({ v: 1 }, list, 600)
    expect(await unseal(good, list, 600, isData)).toEqual({ v: 1 })
    expect(await unseal(good, list, 600, (d): d is Data => isData(d) && d.v === 2)).toBeNull()
  })

  it('treats an empty object as "nothing here" (iron-session answers {} for a bad MAC)', async () => {
    expect(await unseal(await seal({}, [SECRET], 600), [SECRET], 600, anything)).toBeNull()
  })

  it('refuses a seal under another password id', async () => {
    const foreign = await sealData({ v: 1 }, { password: { 2: SECRET }, ttl: 600 })
    expect(foreign).toMatch(SEAL_PATTERN)
    expect(await unseal(foreign, [SECRET], 600, isData)).toBeNull()
  })

  it('refuses a seal made with another secret', async () => {
    expect(await unseal(await seal({ v: 1 }, [SECRET_3], 600), [SECRET], 600, isData)).toBeNull()
  })

  describe('tampered, extended and garbled seals are null', () => {
    const flip = (s: string, i: number) => s.slice(0, i) + (s[i] === 'A' ? 'B' : 'A') + s.slice(i + 1)

    it('flipping one character of any component', async () => {
      const value = await seal({ v: 1, n: 'x'.repeat(100) }, [SECRET], 600)
      expect(await unseal(value, [SECRET], 600, isData)).not.toBeNull()
      const parts = value.slice(0, -2).split('*')
      let offset = 0
      for (let p = 2; p < parts.length; p++) {
        offset = parts.slice(0, p).join('*').length + 1
        if (!parts[p]) continue
        const tampered = p === 5 || p === 2 || p === 6
          ? value.slice(0, offset) + (parts[p][0] === '1' ? '2' : '1') + value.slice(offset + 1) // digits / hex
          : flip(value, offset + 1)
        expect(tampered).not.toBe(value)
        expect(await unseal(tampered, [SECRET], 600, isData), `component ${p}`).toBeNull()
      }
    })

    it.each([
      ['a trailing character', (s: string) => `${s}x`],
      ['a second version marker', (s: string) => `${s}~2`],
      ['a second seal', (s: string) => `${s}Fe26.2*1*a`],
      ['a leading space', (s: string) => ` ${s}`],
      ['a trailing newline', (s: string) => `${s}\n`],
      ['the version marker removed', (s: string) => s.slice(0, -2)],
      ['version 1 marker', (s: string) => `${s.slice(0, -1)}1`],
      ['an empty password id', (s: string) => s.replace('Fe26.2*1*', 'Fe26.2**')],
      ['an upper-case hex salt', (s: string) => s.replace(/^(Fe26\.2\*1\*)([0-9a-f]+)/, (_, a, b) => a + b.toUpperCase())],
      ['a ninth component', (s: string) => s.replace('~2', '*extra~2')],
      ['another prefix', (s: string) => s.replace('Fe26.2', 'Fe26.1')],
    ])('with %s', async (_, change) => {
      const value = await seal({ v: 1 }, [SECRET], 600)
      expect(await unseal(value, [SECRET], 600, isData)).toEqual({ v: 1 })
      const changed = change(value)
      expect(changed).not.toBe(value)
      expect(await unseal(changed, [SECRET], 600, isData)).toBeNull()
    })

    it.each(['', 'garbage', 'Fe26.2**', 'Fe26.2*1*a*b*c*d*e*f*g~x', 'Fe26.1*1*a*b*c**e*f~2', 'Fe26.2*1*zz*a*b**c*d~2', '{"v":1}'])('the garbled value %j', async (value) => {
      expect(await unseal(value, [SECRET], 600, isData)).toBeNull()
    })

    it('a genuine seal larger than the chunk budget', async () => {
      const big = await seal({ v: 1, n: noise(CHUNK_SIZE * MAX_CHUNKS) }, [SECRET], 600)
      expect(big.length).toBeGreaterThan(CHUNK_SIZE * MAX_CHUNKS)
      expect(await unseal(big, [SECRET], 600, isData)).toBeNull()
    })
  })

  describe('expiry (clock injected through Date)', () => {
    afterEach(() => {
      vi.useRealTimers()
    })

    it('is null once iron\'s lifetime plus its 60 s clock skew has passed', async () => {
      vi.useFakeTimers({ toFake: ['Date'] })
      const t0 = Date.UTC(2030, 0, 1)
      vi.setSystemTime(t0)
      const value = await seal({ v: 1, n: 'expiry-a' }, [SECRET], 10)
      vi.setSystemTime(t0 + (10 + 60 + 1) * 1000)
      expect(await unseal(value, [SECRET], 10, isData)).toBeNull()
    })

    it('opens a seal within its lifetime', async () => {
      vi.useFakeTimers({ toFake: ['Date'] })
      const t0 = Date.UTC(2030, 0, 2)
      vi.setSystemTime(t0)
      const value = await seal({ v: 1, n: 'expiry-b' }, [SECRET], 10)
      vi.setSystemTime(t0 + 9_000)
      expect(await unseal(value, [SECRET], 10, isData)).toEqual({ v: 1, n: 'expiry-b' })
    })

    it('does not let the one-minute memo keep an expired seal open', async () => {
      vi.useFakeTimers({ toFake: ['Date'] })
      const t0 = Date.UTC(2030, 0, 3)
      vi.setSystemTime(t0)
      const list = [SECRET]
      const value = await seal({ v: 1, n: 'expiry-c' }, list, 10)
      // Still valid for iron (10 s lifetime + 60 s skew = t0 + 70 s): opened and remembered.
      vi.setSystemTime(t0 + 65_000)
      expect(await unseal(value, list, 10, isData)).toEqual({ v: 1, n: 'expiry-c' })
      // Expired for iron; the memo must not answer for it.
      vi.setSystemTime(t0 + 80_000)
      expect(await unseal(value, list, 10, isData)).toBeNull()
    })
  })
})

describe('remember (the bounded unseal memo)', () => {
  afterEach(() => vi.useRealTimers())

  it('drops expired entries first, so a busy server holds only live seals', () => {
    vi.useFakeTimers({ now: 1_000_000 })
    const cache = new Map<string, { until: number }>()
    for (let i = 0; i < 50; i++) remember(cache, `old${i}`, { until: Date.now() + 60_000 }, 1000)
    vi.setSystemTime(1_000_000 + 61_000)
    remember(cache, 'new', { until: Date.now() + 60_000 }, 1000)
    expect([...cache.keys()]).toEqual(['new'])
  })

  it('never holds more than max, evicting the oldest, and re-inserts a key at the end', () => {
    const cache = new Map<string, { until: number }>()
    const until = Date.now() + 60_000
    for (let i = 0; i < 25; i++) remember(cache, `k${i}`, { until }, 10)
    expect(cache.size).toBe(10)
    expect([...cache.keys()][0]).toBe('k15')
    remember(cache, 'k15', { until }, 10)
    expect([...cache.keys()].at(-1)).toBe('k15')
    expect(cache.size).toBe(10)
  })
})

describe('chunk names', () => {
  it('keeps the plain name for one chunk and numbers several', () => {
    expect(chunkNames('s', 0)).toEqual(['s'])
    expect(chunkNames('s', 1)).toEqual(['s'])
    expect(chunkNames('s', 3)).toEqual(['s.0', 's.1', 's.2'])
  })

  it('lists the plain name and .0 to .5 as every name a value can use', () => {
    expect(MAX_CHUNKS).toBe(6)
    expect(allChunkNames('s')).toEqual(['s', 's.0', 's.1', 's.2', 's.3', 's.4', 's.5'])
  })
})

describe('splitChunks / fitsChunks', () => {
  it('uses one plain cookie up to CHUNK_SIZE characters', () => {
    const value = 'a'.repeat(CHUNK_SIZE)
    expect(splitChunks('s', value)).toEqual([['s', value]])
  })

  it('splits one character more into two numbered chunks that join back exactly', () => {
    const value = noise(CHUNK_SIZE + 1)
    const chunks = splitChunks('s', value)
    expect(chunks.map(([n, v]) => [n, v.length])).toEqual([['s.0', CHUNK_SIZE], ['s.1', 1]])
    expect(chunks.map(([, v]) => v).join('')).toBe(value)
  })

  it('fits at most MAX_CHUNKS chunks (RFC 6265 6.1: 4096 bytes per cookie)', () => {
    expect(fitsChunks('a'.repeat(CHUNK_SIZE * MAX_CHUNKS))).toBe(true)
    expect(fitsChunks('a'.repeat(CHUNK_SIZE * MAX_CHUNKS + 1))).toBe(false)
  })
})

describe('writeChunked', () => {
  const deleted = (headers: string[]) => headers.filter((h) => /; Max-Age=0;/.test(h)).map(setCookieName)
  const written = (headers: string[]) => headers.filter((h) => !/; Max-Age=0;/.test(h)).map(setCookieName)

  it('writes one plain cookie and deletes all six chunk names, though the request carried none', () => {
    const headers = writeChunked('__Host-s', 'Fe26.2*small~2', { secure: true, maxAge: 28800 })
    expect(written(headers)).toEqual(['__Host-s'])
    expect(deleted(headers)).toEqual(['__Host-s.0', '__Host-s.1', '__Host-s.2', '__Host-s.3', '__Host-s.4', '__Host-s.5'])
    expect(headers[0]).toBe('__Host-s=Fe26.2*small~2; Path=/; Max-Age=28800; HttpOnly; Secure; SameSite=Lax')
  })

  it('writes three chunks and deletes the plain name and .3 to .5', () => {
    const headers = writeChunked('s', noise(CHUNK_SIZE * 2 + 10), { secure: false, maxAge: 60 })
    expect(written(headers)).toEqual(['s.0', 's.1', 's.2'])
    expect(deleted(headers).sort()).toEqual(['s', 's.3', 's.4', 's.5'])
    for (const header of headers) expect(header).not.toContain('Secure')
  })

  it('always covers every name exactly once, for every chunk count', () => {
    for (let count = 1; count <= MAX_CHUNKS; count++) {
      const headers = writeChunked('s', noise(CHUNK_SIZE * (count - 1) + 1), { secure: true, maxAge: 60 })
      expect(headers.map(setCookieName).sort()).toEqual(allChunkNames('s').sort())
      expect(written(headers)).toHaveLength(count)
    }
  })

  it('keeps every cookie under 4096 bytes with its name and attributes', () => {
    for (const header of writeChunked('__Host-myclinic-session', noise(CHUNK_SIZE * MAX_CHUNKS), { secure: true, maxAge: 28800 })) {
      expect(Buffer.byteLength(header)).toBeLessThan(4096)
    }
  })

  it('leaves no stale chunk behind when a session shrinks from three chunks to one', () => {
    const jar = new Map([['other', '1']])
    applySetCookies(jar, writeChunked('s', noise(CHUNK_SIZE * 2 + 10), { secure: true, maxAge: 60 }))
    expect([...jar.keys()].sort()).toEqual(['other', 's.0', 's.1', 's.2'])
    applySetCookies(jar, writeChunked('s', 'Fe26.2*small~2', { secure: true, maxAge: 60 }))
    expect([...jar.keys()].sort()).toEqual(['other', 's'])
  })
})

describe('readChunked', () => {
  it('reads the plain cookie', () => {
    expect(readChunked(parseCookies('s=abc'), 's')).toBe('abc')
  })

  it('joins numbered chunks in order', () => {
    expect(readChunked(parseCookies('s.1=def; x=1; s.0=abc; s.2=ghi'), 's')).toBe('abcdefghi')
  })

  it('prefers the plain cookie over chunks', () => {
    expect(readChunked(parseCookies('s.0=chunk; s=plain'), 's')).toBe('plain')
  })

  it('stops at the first missing or empty chunk', () => {
    expect(readChunked(parseCookies('s.0=abc; s.2=ghi'), 's')).toBe('abc')
    expect(readChunked(parseCookies('s.0=abc; s.1=; s.2=ghi'), 's')).toBe('abc')
  })

  it('reads at most MAX_CHUNKS chunks', () => {
    const header = Array.from({ length: MAX_CHUNKS + 1 }, (_, i) => `s.${i}=${i}`).join('; ')
    expect(readChunked(parseCookies(header), 's')).toBe('012345')
  })

  it('is null without the cookie, without .0, or with an empty plain cookie and no chunks', () => {
    expect(readChunked(new Map(), 's')).toBeNull()
    expect(readChunked(parseCookies('s.1=abc'), 's')).toBeNull()
    expect(readChunked(parseCookies('s='), 's')).toBeNull()
    expect(readChunked(parseCookies('sx=abc; s.x=1'), 's')).toBeNull()
  })

  it('is null when a chunk name was sent twice (the parser drops it)', () => {
    expect(readChunked(parseCookies('s.0=abc; s.0=evil'), 's')).toBeNull()
  })

  it('reads back what writeChunked wrote, and the seal still opens', async () => {
    const data = { v: 1, n: noise(CHUNK_SIZE * 3) }
    const value = await seal(data, [SECRET], 600)
    const jar = applySetCookies(new Map(), writeChunked('s', value, { secure: true, maxAge: 600 }))
    expect(jar.size).toBe(Math.ceil(value.length / CHUNK_SIZE))
    const read = readChunked(jar, 's')
    expect(read).toBe(value)
    expect(await unseal(read!, [SECRET], 600, isData)).toEqual(data)
  })
})

describe('clearChunked', () => {
  it('deletes the plain name and every chunk name', () => {
    const headers = clearChunked('__Host-s', true)
    expect(headers.map(setCookieName)).toEqual(allChunkNames('__Host-s'))
    for (const header of headers) expect(header).toMatch(/^[^=]+=; Path=\/; Max-Age=0; .*; Secure; SameSite=Lax$/)
  })
})
