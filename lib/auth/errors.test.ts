import { describe, expect, it } from 'vitest'
import { AuthError, ERRORS, toAuthError } from './errors'

describe('errors', () => {
  it('every code has a status, title and message', () => {
    for (const [code, info] of Object.entries(ERRORS)) {
      expect(info.status, code).toBeGreaterThanOrEqual(400)
      expect(info.title.length, code).toBeGreaterThan(3)
      expect(info.message.length, code).toBeGreaterThan(10)
    }
  })

  it('IS outages are 5xx, bad responses 4xx', () => {
    expect(ERRORS.idp_unreachable.status).toBe(502)
    expect(ERRORS.idp_timeout.status).toBe(504)
    expect(ERRORS.state_mismatch.status).toBe(400)
  })

  it('keeps the cause and code', () => {
    const cause = new Error('boom')
    const error = new AuthError('idp_unreachable', 'ECONNREFUSED', { cause })
    expect(error.code).toBe('idp_unreachable')
    expect(error.status).toBe(502)
    expect(error.cause).toBe(cause)
    expect(toAuthError(error)).toBe(error)
    expect(toAuthError(new Error('x')).code).toBe('internal_error')
  })
})
