import { describe, expect, it } from 'vitest'
import { MAX_RETURN_TO, safeReturnTo } from '@/lib/auth/redirect'

const ORIGIN = 'https://localhost:5000'
const AUTH_ROUTES = ['/login', '/login/refresh', '/logout', '/logout/backchannel', '/api/auth/session']

/** Where a browser would go for a Location header of `path` on the app. */
const lands = (path: string) => new URL(path, ORIGIN).origin

describe('safeReturnTo (RFC 9700 4.11.1: no open redirector)', () => {
  it.each([
    ['/', '/'],
    ['/patients', '/patients'],
    ['/a/b?c=d', '/a/b?c=d'],
    ['/x#frag', '/x#frag'],
    ['/search?q=a b', '/search?q=a%20b'],
    ['/ärzte', '/%C3%A4rzte'],
    ['/a/./b/../c', '/a/c'],
    ['/loginx', '/loginx'],
    ['/logout-info', '/logout-info'],
    ['/#//evil.example', '/#//evil.example'],
    ['/?next=//evil.example', '/?next=//evil.example'],
  ])('keeps the same-origin path %j as %j', (value, expected) => {
    expect(safeReturnTo(value, ORIGIN)).toBe(expected)
    expect(lands(safeReturnTo(value, ORIGIN))).toBe(ORIGIN)
  })

  it.each([
    '/%2F%2Fevil.example',
    '/%5Cevil.example',
    '/%5C%5Cevil.example',
    '/%09/evil.example',
    '/%0a/evil.example',
    '/%2e%2e%2f%2fevil.example',
  ])('keeps the encoded variant %j as a harmless path on the app (never decoded into a redirect)', (value) => {
    const result = safeReturnTo(value, ORIGIN)
    expect(result.startsWith('/')).toBe(true)
    expect(result.startsWith('//')).toBe(false)
    expect(lands(result)).toBe(ORIGIN)
  })

  it.each([
    ['a protocol-relative URL', '//evil.example'],
    ['three slashes', '///evil.example'],
    ['a backslash after the slash', '/\\evil.example'],
    ['two backslashes', '\\\\evil.example'],
    ['a slash and backslash', '/\\/evil.example'],
    ['a dot segment collapsing to //', '/.//evil.example'],
    ['an encoded dot segment collapsing to //', '/%2e//evil.example'],
    ['an encoded double-dot segment collapsing to //', '/%2e%2e//evil.example'],
    ['a mixed double-dot segment', '/.%2e//evil.example'],
    ['a parent segment collapsing to //', '/a/..//evil.example'],
    ['a parent segment at the root', '/..//evil.example'],
    ['a dot segment and a backslash', '/./\\/evil.example'],
    ['a tab between the slashes', '/\t/evil.example'],
    ['a newline between the slashes', '/\n/evil.example'],
    ['a carriage return between the slashes', '/\r/evil.example'],
    ['a leading tab', '\t//evil.example'],
    ['a NUL', '/\u0000/evil.example'],
    ['a DEL', '/\u007f'],
    ['an absolute URL elsewhere', 'https://evil.example'],
    ['an absolute URL on the app itself (only paths are kept)', 'https://localhost:5000/x'],
    ['a look-alike host', 'https://localhost:5000.evil.example/'],
    ['credentials before the host', 'https://localhost:5000@evil.example/'],
    ['a javascript: URL', 'javascript:alert(1)'],
    ['a data: URL', 'data:text/html,<script>alert(1)</script>'],
    ['a relative path', 'evil.example'],
    ['a leading space', ' /x'],
    ['the empty string', ''],
    ['over 2048 characters', `/${'x'.repeat(3000)}`],
  ])('refuses %s', (_, value) => {
    expect(safeReturnTo(value, ORIGIN)).toBe('/')
  })

  it('refuses null and undefined', () => {
    expect(safeReturnTo(null, ORIGIN)).toBe('/')
    expect(safeReturnTo(undefined, ORIGIN)).toBe('/')
  })

  describe('auth routes (they would loop or restart a login)', () => {
    it.each(['/login', '/login?returnTo=//evil', '/login/', '/login/refresh?returnTo=/x', '/logout', '/logout/backchannel', '/api/auth/session', '/./login', '/x/../logout'])(
      'refuses %j',
      (value) => {
        expect(safeReturnTo(value, ORIGIN, AUTH_ROUTES)).toBe('/')
      },
    )

    it('refuses /login and /logout by default', () => {
      expect(safeReturnTo('/login', ORIGIN)).toBe('/')
      expect(safeReturnTo('/logout?x=1', ORIGIN)).toBe('/')
    })

    it('refuses the configured routes, not the defaults, when given', () => {
      expect(safeReturnTo('/auth/login', ORIGIN, ['/auth/login'])).toBe('/')
      expect(safeReturnTo('/login', ORIGIN, ['/auth/login'])).toBe('/login')
    })
  })

  describe('length after percent-encoding (the result is sealed into a cookie)', () => {
    it(`keeps a path of exactly MAX_RETURN_TO (${MAX_RETURN_TO}) characters`, () => {
      const path = `/${'a'.repeat(MAX_RETURN_TO - 1)}`
      expect(safeReturnTo(path, ORIGIN)).toBe(path)
    })

    it('falls back to / one character over', () => {
      expect(safeReturnTo(`/${'a'.repeat(MAX_RETURN_TO)}`, ORIGIN)).toBe('/')
    })

    it('falls back to / when a short raw value of non-ASCII characters grows past MAX_RETURN_TO once encoded', () => {
      const raw = `/${'ä'.repeat(100)}`
      expect(raw.length).toBeLessThan(MAX_RETURN_TO)
      expect(new URL(raw, ORIGIN).pathname.length).toBeGreaterThan(MAX_RETURN_TO)
      expect(safeReturnTo(raw, ORIGIN)).toBe('/')
    })

    it('counts the query and fragment too', () => {
      expect(safeReturnTo(`/x?q=${'😀'.repeat(50)}`, ORIGIN)).toBe('/')
      expect(safeReturnTo(`/x#${'😀'.repeat(50)}`, ORIGIN)).toBe('/')
    })
  })
})
