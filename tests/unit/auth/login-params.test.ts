import { describe, expect, it } from 'vitest'
import { isAuthError } from '@/lib/auth/errors'
import { authorizationParameters, forcesLogin, loginParamsFromQuery, loginQuery, validateLoginParams, type LoginParams } from '@/lib/auth/login-params'
import { thrown } from './fixtures'

const q = (query: string) => new URLSearchParams(query)

function refused(fn: () => unknown): string {
  const error = thrown(fn)
  expect(isAuthError(error)).toBe(true)
  expect(error.code).toBe('login_param_invalid')
  expect(error.status).toBe(400)
  return error.message
}

describe('loginParamsFromQuery (OIDC Core 3.1.2.1 authorization request parameters)', () => {
  it('maps the allow-listed query names to login parameters', () => {
    expect(loginParamsFromQuery(q('prompt=login&max_age=300&login_hint=ada@x&ui_locales=en-GB%20de&acr_values=urn:silver&fidp=Google'))).toEqual({
      prompt: 'login',
      maxAge: 300,
      loginHint: 'ada@x',
      uiLocales: 'en-GB de',
      acrValues: 'urn:silver',
      fidp: 'Google',
    })
    expect(loginParamsFromQuery(q('orgId=10084a8d-113f-4211-a0d5-efe36b082211'))).toEqual({ orgId: '10084a8d-113f-4211-a0d5-efe36b082211' })
    expect(loginParamsFromQuery(q('org=acme'))).toEqual({ org: 'acme' })
  })

  it('ignores returnTo (the login route\'s own parameter) and an empty query', () => {
    expect(loginParamsFromQuery(q('returnTo=/patients'))).toEqual({})
    expect(loginParamsFromQuery(q(''))).toEqual({})
  })

  it.each(['redirect_uri=https://evil.example', 'client_id=x', 'scope=openid%20admin', 'response_type=token', 'state=x', 'nonce=x', 'code_challenge=x', 'request=eyJ', 'request_uri=urn:x', 'Prompt=login', 'maxAge=5', 'loginHint=x'])(
    'refuses the parameter %s, which is not on the allow-list',
    (query) => {
      expect(refused(() => loginParamsFromQuery(q(query)))).toContain('unknown login parameter')
    },
  )

  it('refuses Object.prototype names as unknown parameters, named in the message (no lookup through the prototype)', () => {
    for (const name of ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf']) {
      expect(refused(() => loginParamsFromQuery(q(`${name}=x`)))).toContain(`unknown login parameter ${name}`)
    }
  })

  it('cuts a long unknown name in the message', () => {
    expect(refused(() => loginParamsFromQuery(q(`${'x'.repeat(500)}=1`)))).not.toContain('x'.repeat(41))
  })

  it.each(['prompt=login&prompt=none', 'max_age=1&max_age=2', 'returnTo=/a&returnTo=/b', 'login_hint=a&login_hint=a'])('refuses the repeated parameter in %s', (query) => {
    expect(refused(() => loginParamsFromQuery(q(query)))).toContain('repeated')
  })

  it.each([
    ['prompt', 15],
    ['login_hint', 257],
    ['ui_locales', 65],
    ['acr_values', 257],
    ['fidp', 65],
    ['orgId', 65],
    ['org', 65],
  ])('refuses an overlong %s (%i characters)', (name, length) => {
    expect(refused(() => loginParamsFromQuery(q(`${name}=${'a'.repeat(length)}`)))).toContain(`${name} must be 1 to ${length - 1} characters`)
  })

  it.each([['login_hint', 256], ['acr_values', 256], ['ui_locales', 64], ['fidp', 64], ['org', 64]])('accepts %s of exactly %i characters', (name, length) => {
    expect(() => loginParamsFromQuery(q(`${name}=${'a'.repeat(length)}`))).not.toThrow()
  })

  it.each(['%00', '%0A', '%0D', '%09', '%1F', '%7F', 'a%0Ab'])('refuses the control character %s in a value', (value) => {
    expect(refused(() => loginParamsFromQuery(q(`login_hint=${value}`)))).toContain('login_hint contains control characters')
  })

  it.each(['login', 'consent', 'none', 'select_account'])('accepts prompt=%s', (prompt) => {
    expect(loginParamsFromQuery(q(`prompt=${prompt}`)).prompt).toBe(prompt)
  })

  it.each(['create', 'LOGIN', 'login consent', 'login%20'])('refuses prompt=%s', (prompt) => {
    expect(refused(() => loginParamsFromQuery(q(`prompt=${prompt}`)))).toContain('prompt must be one of login, consent, none, select_account')
  })

  it.each(['0', '1', '300', '315360000'])('accepts max_age=%s (OIDC Core 3.1.2.1: seconds)', (value) => {
    expect(loginParamsFromQuery(q(`max_age=${value}`)).maxAge).toBe(Number(value))
  })

  it.each(['-1', '1.5', '1e3', '+5', ' 5', 'abc', '', '0x10', '12345678901', '315360001', '9999999999'])('refuses max_age=%j', (value) => {
    expect(refused(() => loginParamsFromQuery(q(`max_age=${encodeURIComponent(value)}`)))).toContain('max_age must be a whole number of seconds')
  })
})

describe('validateLoginParams (parameters given in code)', () => {
  it('returns a clean copy without empty members', () => {
    const input: LoginParams = { prompt: 'login', maxAge: 0, loginHint: '', uiLocales: undefined }
    const out = validateLoginParams(input)
    expect(out).toEqual({ prompt: 'login', maxAge: 0 })
    expect(out).not.toBe(input)
  })

  it('refuses an unknown key, even with an undefined value', () => {
    expect(refused(() => validateLoginParams({ redirectUri: 'https://evil' } as unknown as LoginParams))).toContain('unknown login parameter redirectUri')
    expect(refused(() => validateLoginParams({ scope: undefined } as unknown as LoginParams))).toContain('unknown login parameter scope')
  })

  it.each([-1, 1.5, Number.NaN, Infinity, 10 * 365 * 86400 + 1, '300'])('refuses maxAge %j', (maxAge) => {
    expect(refused(() => validateLoginParams({ maxAge } as unknown as LoginParams))).toContain('max_age must be a whole number of seconds')
  })

  it.each([[{ loginHint: 42 }], [{ prompt: ['login'] }], [{ org: { id: 1 } }]])('refuses the non-string value in %j', (params) => {
    expect(refused(() => validateLoginParams(params as unknown as LoginParams))).toContain('must be a string')
  })

  it('refuses a control character and an overlong value', () => {
    expect(refused(() => validateLoginParams({ loginHint: 'a\r\nb' }))).toContain('control characters')
    expect(refused(() => validateLoginParams({ acrValues: 'a'.repeat(257) }))).toContain('acr_values must be 1 to 256 characters')
  })

  it('refuses orgId together with org', () => {
    expect(refused(() => validateLoginParams({ orgId: 'id', org: 'acme' }))).toContain('give orgId or org, not both')
  })

  it('refuses an organization login with a fidp other than OrganizationSSO', () => {
    expect(refused(() => validateLoginParams({ org: 'acme', fidp: 'Google' }))).toContain('organization login uses fidp=OrganizationSSO')
    expect(validateLoginParams({ org: 'acme', fidp: 'OrganizationSSO' })).toEqual({ org: 'acme', fidp: 'OrganizationSSO' })
  })
})

describe('authorizationParameters', () => {
  it('writes the OIDC names in a fixed order', () => {
    expect(authorizationParameters({ acrValues: 'urn:x', loginHint: 'ada', maxAge: 0, prompt: 'login', uiLocales: 'de' })).toEqual([
      ['prompt', 'login'],
      ['max_age', '0'],
      ['login_hint', 'ada'],
      ['ui_locales', 'de'],
      ['acr_values', 'urn:x'],
    ])
  })

  it('maps organization login to fidp=OrganizationSSO with orgId or org (WSO2 B2B)', () => {
    expect(authorizationParameters({ orgId: '1008-4a8d' })).toEqual([['fidp', 'OrganizationSSO'], ['orgId', '1008-4a8d']])
    expect(authorizationParameters({ org: 'acme' })).toEqual([['fidp', 'OrganizationSSO'], ['org', 'acme']])
    expect(authorizationParameters({ org: 'acme', fidp: 'OrganizationSSO' })).toEqual([['fidp', 'OrganizationSSO'], ['org', 'acme']])
  })

  it('sends a plain fidp as it is without an organization', () => {
    expect(authorizationParameters({ fidp: 'Google' })).toEqual([['fidp', 'Google']])
  })

  it('is empty for no parameters', () => {
    expect(authorizationParameters({})).toEqual([])
  })
})

describe('loginQuery', () => {
  it('is the inverse of loginParamsFromQuery', () => {
    const params: LoginParams = { prompt: 'consent', maxAge: 0, loginHint: 'a@b', uiLocales: 'en', acrValues: 'x y', fidp: 'OrganizationSSO', org: 'acme' }
    expect(loginParamsFromQuery(new URLSearchParams(loginQuery(params)))).toEqual(params)
  })

  it('leaves out empty members', () => {
    expect(loginQuery({ prompt: 'login', loginHint: '' })).toEqual([['prompt', 'login']])
  })
})

describe('forcesLogin', () => {
  it.each<[LoginParams]>([[{ prompt: 'login' }], [{ prompt: 'none' }], [{ maxAge: 0 }], [{ acrValues: 'urn:x' }], [{ fidp: 'Google' }], [{ orgId: 'x' }], [{ org: 'x' }], [{ loginHint: 'ada' }]])(
    'is true for %j (step-up, forced or silent re-login goes to the IS)',
    (params) => {
      expect(forcesLogin(params)).toBe(true)
    },
  )

  it('is false without parameters and for ui_locales alone', () => {
    expect(forcesLogin({})).toBe(false)
    expect(forcesLogin({ uiLocales: 'de' })).toBe(false)
  })
})
