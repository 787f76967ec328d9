import { describe, expect, it } from 'vitest'
import { deleteCookie, parseCookies, serializeCookie } from '@/lib/auth/cookies'

describe('parseCookies (RFC 6265 5.4, 4.2.1)', () => {
  it('splits pairs on ";" and the first "="', () => {
    expect([...parseCookies('a=1; b=two=2;c=')]).toEqual([['a', '1'], ['b', 'two=2'], ['c', '']])
  })

  it('is empty for a missing or empty header', () => {
    expect(parseCookies(null).size).toBe(0)
    expect(parseCookies(undefined).size).toBe(0)
    expect(parseCookies('').size).toBe(0)
  })

  it('skips pairs without "=" and empty segments', () => {
    expect([...parseCookies('flag;; a=1 ;;')]).toEqual([['a', '1']])
  })

  it('trims space and horizontal tab around names and values (RFC 6265 5.2)', () => {
    expect([...parseCookies(' \ta\t =\t 1 \t;  b= two words ')]).toEqual([['a', '1'], ['b', 'two words']])
  })

  it('does not trim U+00A0: "\\u00a0__Host-x" never becomes the prefixed name "__Host-x" (RFC 6265bis 4.1.3)', () => {
    const cookies = parseCookies('\u00a0__Host-x=forged; other=1')
    expect(cookies.has('__Host-x')).toBe(false)
    expect([...cookies.keys()]).toEqual(['other'])
  })

  it.each(['\u00a0', '\u2003', '\u3000', '\ufeff', '\u2028', '\n', '\r', '\v', '\f'])('does not trim %j around a name (only SP and HTAB are whitespace there)', (ws) => {
    const cookies = parseCookies(`${ws}__Host-s=forged;__Host-t${ws}=forged`)
    expect(cookies.has('__Host-s')).toBe(false)
    expect(cookies.has('__Host-t')).toBe(false)
  })

  it('keeps non-SP/HTAB whitespace inside a value untouched', () => {
    expect(parseCookies('a=\u00a0x\u00a0').get('a')).toBe('\u00a0x\u00a0')
  })

  it.each(['a b', 'a"b', '(x)', 'é', 'a,b', 'a/b', '{x}', 'a:b', 'a@b', 'a?b', 'a[b]', 'a\\b', 'a\u0000b', 'a\u007fb', ''])(
    'drops the non-token name %j (RFC 7230 3.2.6)',
    (name) => {
      const cookies = parseCookies(`${name}=1; ok=2`)
      expect([...cookies]).toEqual([['ok', '2']])
    },
  )

  it('keeps every RFC 7230 tchar in a name', () => {
    const name = "!#$%&'*+-.^_`|~09AZaz"
    expect(parseCookies(`${name}=1`).get(name)).toBe('1')
  })

  it('drops a name sent twice, keeping the others (cookie tossing from a sibling domain)', () => {
    const cookies = parseCookies('s=attacker; other=1; s=victim')
    expect(cookies.has('s')).toBe(false)
    expect(cookies.get('other')).toBe('1')
  })

  it('drops a name sent three times, and one that differs only by spaces around it', () => {
    expect(parseCookies('s=1; s=2; s=3').has('s')).toBe(false)
    expect(parseCookies('s=1; \ts =2').has('s')).toBe(false)
  })

  it('treats names as case-sensitive', () => {
    expect([...parseCookies('S=1; s=2')]).toEqual([['S', '1'], ['s', '2']])
  })

  it('keeps quotes of a quoted value (the value is opaque)', () => {
    expect(parseCookies('a="x"').get('a')).toBe('"x"')
  })
})

describe('serializeCookie', () => {
  it('writes Path=/, Max-Age, HttpOnly, Secure and SameSite=Lax in this order, never a Domain', () => {
    const header = serializeCookie('__Host-x', 'Fe26.2*1*abc', { secure: true, maxAge: 60 })
    expect(header).toBe('__Host-x=Fe26.2*1*abc; Path=/; Max-Age=60; HttpOnly; Secure; SameSite=Lax')
    expect(header).not.toMatch(/domain/i)
  })

  it('writes a session cookie without Max-Age or Expires when no lifetime is given', () => {
    expect(serializeCookie('x', 'v', { secure: false })).toBe('x=v; Path=/; HttpOnly; SameSite=Lax')
  })

  it('deletes with Max-Age=0 and an Expires in the past for 0 and negative lifetimes (RFC 6265 5.2.2)', () => {
    for (const maxAge of [0, -5]) {
      expect(serializeCookie('x', 'v', { secure: true, maxAge })).toBe('x=v; Path=/; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; Secure; SameSite=Lax')
    }
  })

  it('writes whole seconds', () => {
    expect(serializeCookie('x', 'v', { secure: true, maxAge: 59.9 })).toContain('; Max-Age=59;')
  })

  it('leaves out HttpOnly only when asked, and Secure when not secure', () => {
    expect(serializeCookie('x', 'v', { secure: false, httpOnly: false })).toBe('x=v; Path=/; SameSite=Lax')
    expect(serializeCookie('x', 'v', { secure: false, httpOnly: true })).toBe('x=v; Path=/; HttpOnly; SameSite=Lax')
  })

  it.each(['Strict', 'None', 'Lax'] as const)('writes SameSite=%s when asked', (sameSite) => {
    expect(serializeCookie('x', 'v', { secure: true, sameSite })).toMatch(new RegExp(`; SameSite=${sameSite}$`))
  })

  it.each(['a b', '', 'a;b', 'a=b', '\u00a0x', 'é'])('refuses the non-token name %j', (name) => {
    expect(() => serializeCookie(name, 'v', { secure: true })).toThrow(TypeError)
  })

  it.each(['a;b', 'a b', 'a,b', 'a"b', 'a\\b', 'é', 'a\u0000', 'a\u007f', 'a\tb', 'a\nb', 'x\u00a0'])(
    'refuses the value %j, which would need encoding (RFC 6265 4.1.1 cookie-octet)',
    (value) => {
      expect(() => serializeCookie('x', value, { secure: true })).toThrow(/needs encoding/)
    },
  )

  it('accepts every cookie-octet, the empty value and the characters of an iron seal', () => {
    const octets = "!#$%&'()*+-./0123456789:<=>?@ABCXYZ[]^_`abcxyz{|}~"
    expect(serializeCookie('x', octets, { secure: true })).toContain(`x=${octets};`)
    expect(serializeCookie('x', '', { secure: true })).toMatch(/^x=; Path=\//)
    expect(serializeCookie('x', 'Fe26.2*1*0a1b*Ab-_*Cd-_*1700000000000*9f*Ef-_~2', { secure: true })).toContain('Fe26.2*1*0a1b')
  })

  it('round-trips through parseCookies', () => {
    const value = 'Fe26.2*1*abc*DEF-_*ghi~2'
    const [pair] = serializeCookie('__Host-app-session', value, { secure: true, maxAge: 10 }).split(';')
    expect(parseCookies(pair).get('__Host-app-session')).toBe(value)
  })
})

describe('deleteCookie', () => {
  it('writes an empty value with Max-Age=0 and the same Path, HttpOnly, Secure and SameSite as the cookie', () => {
    expect(deleteCookie('__Host-app-session', true)).toBe('__Host-app-session=; Path=/; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; Secure; SameSite=Lax')
  })

  it('leaves Secure out for a plain-http cookie', () => {
    expect(deleteCookie('app-session', false)).toBe('app-session=; Path=/; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; SameSite=Lax')
  })
})
