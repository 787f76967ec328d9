import { describe, expect, it } from 'vitest'
import { safeReturnTo } from './redirect'

const ORIGIN = 'https://localhost:5000'

describe('safeReturnTo (RFC 9700 4.11.1: no open redirector)', () => {
  it.each(['/', '/patients', '/a/b?c=d', '/x#frag', '/%2F%2Fevil.example'])('keeps same-origin path %s', (value) => {
    expect(safeReturnTo(value, ORIGIN)).toBe(new URL(value, ORIGIN).pathname + new URL(value, ORIGIN).search + new URL(value, ORIGIN).hash)
  })

  it.each([
    'https://evil.example',
    '//evil.example',
    '///evil.example',
    '/\\evil.example',
    '\\\\evil.example',
    '/\t/evil.example',
    '/\n/evil.example',
    'javascript:alert(1)',
    'data:text/html,hi',
    'https://localhost:5000.evil.example/',
    'https://localhost:5000@evil.example/',
    'evil.example',
    ' /x',
    '',
    '/login?returnTo=//evil',
    '/logout',
    '/.//evil.example',
    '/./\\/evil.example',
    '/a/..//evil.example',
    '/%2e//evil.example',
    'x'.repeat(3000),
  ])('refuses %j', (value) => {
    expect(safeReturnTo(value, ORIGIN)).toBe('/')
  })

  it('handles null and undefined', () => {
    expect(safeReturnTo(null, ORIGIN)).toBe('/')
    expect(safeReturnTo(undefined, ORIGIN)).toBe('/')
  })
})
