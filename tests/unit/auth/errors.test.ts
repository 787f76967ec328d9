import { describe, expect, it } from 'vitest'
import { AuthError, ERRORS, isAuthError, isAuthErrorCode, toAuthError, type AuthErrorCode } from '@/lib/auth/errors'
import { ConfigError } from '@/lib/auth/config-values'

const codes = Object.keys(ERRORS) as AuthErrorCode[]

describe('the error catalogue', () => {
  it.each(codes)('%s has an error status, a title and a sentence for the person in front of the browser', (code) => {
    const info = ERRORS[code]
    expect(info.status).toBeGreaterThanOrEqual(400)
    expect(info.status).toBeLessThan(600)
    expect(info.title.length).toBeGreaterThan(3)
    expect(info.message).toMatch(/^[A-Z].*\.$/)
  })

  it('uses 500 only for internal_error: a broken setup is 503, a session nothing can hold is 507 (RFC 9110 15.6)', () => {
    expect(codes.filter((code) => ERRORS[code].status === 500)).toEqual(['internal_error'])
    expect(ERRORS.config_invalid.status).toBe(503)
    expect(ERRORS.store_unavailable.status).toBe(503)
    expect(ERRORS.session_too_large.status).toBe(507)
  })

  it('reports identity server outages as 5xx and bad requests or responses as 4xx', () => {
    expect(ERRORS.idp_unreachable.status).toBe(502)
    expect(ERRORS.idp_tls_error.status).toBe(502)
    expect(ERRORS.idp_bad_response.status).toBe(502)
    expect(ERRORS.idp_timeout.status).toBe(504)
    expect(ERRORS.state_mismatch.status).toBe(400)
    expect(ERRORS.login_param_invalid.status).toBe(400)
    expect(ERRORS.request_too_large.status).toBe(413)
  })

  it('maps access_denied to 403 and session_expired / login_required to 401 (RFC 6749 4.1.2.1)', () => {
    expect(ERRORS.access_denied.status).toBe(403)
    expect(ERRORS.session_expired.status).toBe(401)
    expect(ERRORS.login_required.status).toBe(401)
  })

  it('never names a setting, token or environment key on the page', () => {
    for (const code of codes) {
      const { title, message } = ERRORS[code]
      expect(`${title} ${message}`).not.toMatch(/AUTH_|REDIS_URL|token=|secret/i)
    }
  })
})

describe('AuthError', () => {
  it('carries the code, the status of the code, the detail and the cause', () => {
    const cause = new Error('ECONNREFUSED')
    const error = new AuthError('idp_unreachable', 'connect ECONNREFUSED 127.0.0.1:9443', { cause })
    expect(error).toBeInstanceOf(Error)
    expect(error.name).toBe('AuthError')
    expect(error.code).toBe('idp_unreachable')
    expect(error.status).toBe(502)
    expect(error.message).toBe('idp_unreachable: connect ECONNREFUSED 127.0.0.1:9443')
    expect(error.cause).toBe(cause)
  })

  it('uses the bare code as message without a detail', () => {
    expect(new AuthError('state_mismatch').message).toBe('state_mismatch')
    expect(new AuthError('state_mismatch', '').message).toBe('state_mismatch')
  })
})

describe('isAuthErrorCode', () => {
  it('accepts every catalogue code', () => {
    for (const code of codes) expect(isAuthErrorCode(code)).toBe(true)
  })

  it.each(['toString', '__proto__', 'constructor', 'hasOwnProperty', 'valueOf', 'CONFIG_INVALID', '', 'nope'])('refuses %j (own keys only, no prototype members)', (code) => {
    expect(isAuthErrorCode(code)).toBe(false)
  })

  it.each([null, undefined, 400, {}, ['config_invalid']])('refuses the non-string %j', (code) => {
    expect(isAuthErrorCode(code)).toBe(false)
  })
})

describe('isAuthError', () => {
  it('recognises an AuthError and its subclass ConfigError', () => {
    expect(isAuthError(new AuthError('internal_error'))).toBe(true)
    expect(isAuthError(new ConfigError('AUTH_CLIENT_ID (clientId)', 'is missing'))).toBe(true)
  })

  it('recognises an AuthError from another bundle by its shape, not instanceof', () => {
    const foreign = Object.assign(new Error('x'), { name: 'AuthError', code: 'session_expired' })
    expect(foreign instanceof AuthError).toBe(false)
    expect(isAuthError(foreign)).toBe(true)
  })

  it('refuses lookalikes with an unknown or prototype code, another name, or no object at all', () => {
    expect(isAuthError({ name: 'AuthError', code: 'made_up' })).toBe(false)
    expect(isAuthError({ name: 'AuthError', code: 'toString' })).toBe(false)
    expect(isAuthError({ name: 'TypeError', code: 'session_expired' })).toBe(false)
    expect(isAuthError(new Error('session_expired'))).toBe(false)
    expect(isAuthError(null)).toBe(false)
    expect(isAuthError('AuthError')).toBe(false)
  })
})

describe('toAuthError', () => {
  it('returns an AuthError as it is', () => {
    const error = new AuthError('store_unavailable')
    expect(toAuthError(error, 'idp_error')).toBe(error)
  })

  it('keeps a shape-recognised AuthError from another bundle as it is', () => {
    const foreign = Object.assign(new Error('x'), { name: 'AuthError', code: 'session_expired' })
    expect(toAuthError(foreign)).toBe(foreign)
  })

  it('wraps other errors with the fallback code, their message as detail and the error as cause', () => {
    const cause = new TypeError('fetch failed')
    const error = toAuthError(cause, 'idp_unreachable')
    expect(error).toBeInstanceOf(AuthError)
    expect(error.code).toBe('idp_unreachable')
    expect(error.status).toBe(502)
    expect(error.message).toBe('idp_unreachable: fetch failed')
    expect(error.cause).toBe(cause)
  })

  it('falls back to internal_error, and wraps non-Error values without a detail', () => {
    expect(toAuthError(new Error('boom')).code).toBe('internal_error')
    const wrapped = toAuthError('a string', 'idp_error')
    expect(wrapped.message).toBe('idp_error')
    expect(wrapped.cause).toBe('a string')
  })
})
