import { describe, expect, it } from 'vitest'
import { deleteCookie, parseCookies, serializeCookie } from './cookies'

describe('cookies', () => {
  it('parses a Cookie header', () => {
    expect([...parseCookies('a=1; b=two=2;c=')]).toEqual([['a', '1'], ['b', 'two=2'], ['c', '']])
  })

  it('drops a name sent twice (cookie tossing, rp-security SC-05)', () => {
    const map = parseCookies('s=attacker; other=1; s=victim')
    expect(map.has('s')).toBe(false)
    expect(map.get('other')).toBe('1')
  })

  it('writes HttpOnly, Secure, SameSite=Lax, Path=/ and no Domain', () => {
    const header = serializeCookie('__Host-x', 'Fe26.2*1*abc', { secure: true, maxAge: 60 })
    expect(header).toBe('__Host-x=Fe26.2*1*abc; Path=/; Max-Age=60; HttpOnly; Secure; SameSite=Lax')
    expect(header).not.toMatch(/Domain/i)
  })

  it('refuses values that would need encoding', () => {
    expect(() => serializeCookie('x', 'a;b', { secure: true })).toThrow()
  })

  it('deletes with Max-Age=0', () => {
    expect(deleteCookie('x', true)).toContain('Max-Age=0')
  })
})
