import { describe, expect, it } from 'vitest'
import { ConfigError, httpsUrl, oneOf, path, pick, redactUrl, redisUrl, seconds, text, type Source } from '@/lib/auth/config-values'
import { AuthError, isAuthError } from '@/lib/auth/errors'
import { thrown } from './fixtures'

const src = (value: unknown, name = 'AUTH_X (x)'): Source => ({ value, name })

function configError(fn: () => unknown): ConfigError {
  const error = thrown(fn)
  expect(error).toBeInstanceOf(ConfigError)
  return error as unknown as ConfigError
}

describe('ConfigError', () => {
  it('is a config_invalid AuthError (503) whose message names the setting and points to .env.example', () => {
    const error = new ConfigError('AUTH_CLIENT_ID (clientId)', 'is missing')
    expect(error).toBeInstanceOf(AuthError)
    expect(isAuthError(error)).toBe(true)
    expect(error.code).toBe('config_invalid')
    expect(error.status).toBe(503)
    expect(error.key).toBe('AUTH_CLIENT_ID (clientId)')
    expect(error.message).toBe('Invalid auth configuration: AUTH_CLIENT_ID (clientId) is missing. See .env.example.')
  })
})

describe('pick', () => {
  it('takes the option given in code over the environment key, reported under the option name', () => {
    expect(pick('code', 'clientId', { AUTH_CLIENT_ID: 'env' }, 'AUTH_CLIENT_ID')).toEqual({ value: 'code', name: 'clientId' })
  })

  it('falls back to the environment key, trimmed, reported as "KEY (option)"', () => {
    expect(pick(undefined, 'clientId', { AUTH_CLIENT_ID: '  env-id \n' }, 'AUTH_CLIENT_ID')).toEqual({ value: 'env-id', name: 'AUTH_CLIENT_ID (clientId)' })
  })

  it('treats an empty or blank environment value as unset', () => {
    expect(pick(undefined, 'clientId', { AUTH_CLIENT_ID: '   ' }, 'AUTH_CLIENT_ID').value).toBeUndefined()
    expect(pick(undefined, 'clientId', {}, 'AUTH_CLIENT_ID').value).toBeUndefined()
  })

  it('keeps an explicit option even when it is empty or false (the code decided)', () => {
    expect(pick('', 'clientSecret', { AUTH_CLIENT_SECRET: 'env' }, 'AUTH_CLIENT_SECRET')).toEqual({ value: '', name: 'clientSecret' })
    expect(pick(false, 'signUp', { AUTH_SIGNUP: 'on' }, 'AUTH_SIGNUP').value).toBe(false)
  })
})

describe('text', () => {
  it('trims strings and maps empty, null and undefined to undefined', () => {
    expect(text(src('  abc  '))).toBe('abc')
    expect(text(src(''))).toBeUndefined()
    expect(text(src('   '))).toBeUndefined()
    expect(text(src(null))).toBeUndefined()
    expect(text(src(undefined))).toBeUndefined()
  })

  it.each([42, true, {}, ['a']])('refuses the non-string %j, naming the setting', (value) => {
    const error = configError(() => text(src(value, 'clientId')))
    expect(error.key).toBe('clientId')
    expect(error.message).toContain('clientId must be a string')
  })
})

describe('httpsUrl', () => {
  it('accepts https URLs and returns the normalised href', () => {
    expect(httpsUrl(src('https://App.Example.com/x'))).toBe('https://app.example.com/x')
  })

  it.each(['http://localhost:3000', 'http://127.0.0.1:3000', 'http://[::1]:3000', 'HTTP://LOCALHOST:3000'])('allows plain http on the loopback host %s', (url) => {
    expect(httpsUrl(src(url))).toMatch(/^http:\/\//)
  })

  it.each(['http://app.example.com', 'http://localhost.evil.example', 'http://127.0.0.2', 'ftp://localhost', 'javascript:alert(1)'])('refuses %s: https only, http on localhost only', (url) => {
    const error = configError(() => httpsUrl(src(url, 'AUTH_CLIENT_HOST (clientHost)')))
    expect(error.message).toContain('AUTH_CLIENT_HOST (clientHost) must use https://')
  })

  it.each(['not a url', '/relative/path', 'localhost:5000x'])('refuses the non-URL %j, quoting it', (url) => {
    const error = configError(() => httpsUrl(src(url, 'AUTH_CLIENT_HOST (clientHost)')))
    expect(error.message).toMatch(/AUTH_CLIENT_HOST \(clientHost\) (is not a URL|must use https)/)
  })

  it.each(['https://user:pass@is.example.com', 'https://user@is.example.com', 'https://is.example.com/#frag'])('refuses credentials and fragments in %s', (url) => {
    const error = configError(() => httpsUrl(src(url)))
    expect(error.message).toContain('must not contain credentials or a #fragment')
  })

  it('in origin mode returns the origin without a trailing slash and refuses a path or query', () => {
    expect(httpsUrl(src('https://localhost:9443/'), { origin: true })).toBe('https://localhost:9443')
    expect(httpsUrl(src('https://localhost:9443'), { origin: true })).toBe('https://localhost:9443')
    for (const url of ['https://localhost:9443/oauth2', 'https://localhost:9443/?tenant=x', 'https://localhost:9443/t/wso2.com']) {
      expect(configError(() => httpsUrl(src(url), { origin: true })).message).toContain('must be an origin without a path')
    }
  })

  it('is undefined when the value is unset', () => {
    expect(httpsUrl(src(undefined))).toBeUndefined()
    expect(httpsUrl(src(''))).toBeUndefined()
  })
})

describe('seconds', () => {
  it('uses the fallback when unset', () => {
    expect(seconds(src(undefined), 600, 0)).toBe(600)
  })

  it('accepts whole numbers from code and digit strings from the environment', () => {
    expect(seconds(src(120), 600, 0)).toBe(120)
    expect(seconds(src('120'), 600, 0)).toBe(120)
    expect(seconds(src('0'), 600, 0)).toBe(0)
  })

  it('accepts exactly the minimum and exactly ten years', () => {
    expect(seconds(src(10), 1, 10)).toBe(10)
    expect(seconds(src(10 * 365 * 24 * 3600), 1, 10)).toBe(10 * 365 * 24 * 3600)
  })

  it.each([['ten'], ['1.5'], ['-1'], ['1e3'], ['0x10'], [' 5'], [1.5], [-1], [9], [Number.NaN], [Infinity], [10 * 365 * 24 * 3600 + 1], [true], [null]])(
    'refuses %j, naming the setting, the minimum and the value',
    (value) => {
      const error = configError(() => seconds(src(value, 'AUTH_SESSION_MAX_AGE (sessionMaxAge)'), 28800, 10))
      expect(error.message).toContain('AUTH_SESSION_MAX_AGE (sessionMaxAge) must be a whole number of seconds, at least 10')
      expect(error.message).toContain(`(got "${String(value)}")`)
    },
  )
})

describe('oneOf', () => {
  const allowed = ['auto', 'on', 'off'] as const

  it('returns the fallback when unset and the trimmed value when allowed', () => {
    expect(oneOf(src(undefined), allowed, 'off')).toBe('off')
    expect(oneOf(src(' on '), allowed, 'off')).toBe('on')
  })

  it.each(['yes', 'ON', 'true', 'of'])('refuses %j, listing the allowed values', (value) => {
    const error = configError(() => oneOf(src(value, 'AUTH_PAR (par)'), allowed, 'off'))
    expect(error.message).toContain(`AUTH_PAR (par) must be one of auto, on, off (got "${value}")`)
  })
})

describe('redactUrl', () => {
  it('masks the password and keeps the rest', () => {
    expect(redactUrl('redis://default:hunter2@cache.internal:6379/0')).toBe('redis://default:****@cache.internal:6379/0')
    expect(redactUrl('rediss://:hunter2@cache.internal')).toBe('rediss://:****@cache.internal')
  })

  it('leaves a URL without password unchanged', () => {
    expect(redactUrl('redis://cache.internal:6379')).toBe('redis://cache.internal:6379')
  })

  it('masks the user info of a value the URL parser refuses', () => {
    const redacted = redactUrl('redis//:hunter2@cache.internal')
    expect(redacted).not.toContain('hunter2')
    expect(redacted).toContain('cache.internal')
  })

  it('masks a password with an unencoded "/" (base64 passwords) that makes the URL unparseable', () => {
    // `openssl rand -base64` passwords contain "/"; new URL() refuses such a URL.
    expect(redactUrl('rediss://default:s3cr/tPa55@cache.internal:6380')).not.toContain('s3cr/tPa55')
  })
})

describe('redisUrl', () => {
  it.each(['redis://localhost:6379', 'rediss://default:hunter2@cache.internal:6380/1'])('accepts %s as it is', (url) => {
    expect(redisUrl(src(url))).toBe(url)
  })

  it('is undefined when unset', () => {
    expect(redisUrl(src(undefined))).toBeUndefined()
  })

  it.each([
    'http://:hunter2@localhost:6379',
    'https://default:hunter2@cache.internal',
    'redis//:hunter2@cache.internal',
    'localhost:6379',
    'memcached://default:hunter2@cache.internal',
    'rediss://default:hunter2/x@cache.internal:6380',
  ])('refuses %s without ever putting the password in the message', (url) => {
    const error = configError(() => redisUrl(src(url, 'REDIS_URL (redisUrl)')))
    expect(error.message).toContain('REDIS_URL (redisUrl) must be a redis:// or rediss:// URL')
    expect(error.message).not.toContain('hunter2')
  })
})

describe('path', () => {
  it('uses the fallback when unset, including null', () => {
    expect(path(src(undefined), '/login')).toBe('/login')
    expect(path(src(undefined), null)).toBeNull()
    expect(path(src(null), '/login')).toBeNull()
  })

  it('accepts paths on the origin and drops one trailing slash', () => {
    expect(path(src('/auth/login'), null)).toBe('/auth/login')
    expect(path(src('/auth/login/'), null)).toBe('/auth/login')
    expect(path(src('/'), null)).toBe('/')
    expect(path(src("/a-b_c.d~e!$&'()*+,;=:@%20"), null)).toBe("/a-b_c.d~e!$&'()*+,;=:@%20")
  })

  it.each(['login', '', 'https://app/login', '//evil.example', '/a//b', '/a/../b', '/..', '/./x', '/a/.', '/a b', '/a?b', '/a#b', '/a\\b', '/é', 42])(
    'refuses %j, naming the setting',
    (value) => {
      const error = configError(() => path(src(value, 'routes.login'), '/login'))
      expect(error.message).toContain("routes.login must be a path on the app's origin starting with /")
    },
  )
})
