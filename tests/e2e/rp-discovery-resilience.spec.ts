/**
 * RP conformance, sections D (discovery and keys), H (transport) and I (resilience) of
 * rp-security. These run against a second instance of the same build with discovery caching off
 * (AUTH_DISCOVERY_TTL=0) and a 3 s timeout, so each login reads the scenario's discovery document
 * and slow answers end quickly; the main app's caches stay untouched.
 */
import { expect, test, type APIResponse } from '@playwright/test'
import { startApp } from './app-server'
import { LOCAL_CLIENT, REAL_IS } from './env'
import { deliver, DOC, errorCode, httpLogin, newBrowser, pendingLogin, sessionState, setCookieNames, step } from './http-flow'
import { Control } from './is-control'

const CLIENT_ID = LOCAL_CLIENT.id

const PORT = 5006

test.describe('RP conformance: discovery, keys, transport, resilience', () => {
  test.skip(REAL_IS, 'drives the local IS scenarios')
  test.describe.configure({ timeout: 90_000 })
  let control: Control
  let app: Awaited<ReturnType<typeof startApp>>

  test.beforeAll(async () => {
    control = await Control.open()
    await control.client(CLIENT_ID, { callback_url: 'regexp=(https://localhost:500[0-9]/login|https://localhost:500[0-9]/signin)' })
    app = await startApp(PORT, { AUTH_DISCOVERY_TTL: '0', AUTH_HTTP_TIMEOUT: '3' })
  })
  test.afterAll(async () => {
    await app?.stop()
    await control.normal()
    await control.resetClient(CLIENT_ID)
  })
  test.afterEach(async () => {
    await control.normal()
  })

  async function loginStart(): Promise<APIResponse> {
    const api = await newBrowser()
    return step(api, `${app.url}/login`, undefined, DOC)
  }

  /** Login start fails with a coded 5xx page and redirects nowhere. */
  async function expectStartFails(status: number, code: string) {
    const response = await loginStart()
    expect(response.status(), (await response.text()).slice(0, 200)).toBe(status)
    expect(await errorCode(response)).toBe(code)
    expect(response.headers().location).toBeUndefined()
    expect(setCookieNames(response)).toEqual([])
  }

  /** A callback that fails with a coded page, no session, and the transaction cookie spent. */
  async function expectCallbackFails(status: number, code: string) {
    const api = await newBrowser()
    const { callbackUrl } = await pendingLogin(api, { appUrl: app.url })
    await control.clearLog()
    const started = Date.now()
    const response = await deliver(api, callbackUrl)
    expect(response.status(), (await response.text()).slice(0, 200)).toBe(status)
    expect(await errorCode(response)).toBe(code)
    expect(setCookieNames(response).filter((n) => n.includes('session'))).toEqual([])
    expect(await sessionState(api, app.url)).toBe('anonymous')
    return { elapsed: Date.now() - started, api }
  }

  async function expectLoginWorks() {
    const api = await newBrowser()
    await httpLogin(api, { appUrl: app.url })
    expect(await sessionState(api, app.url)).toBe('session')
    await api.dispose()
  }

  /** Runs `body` against a fresh instance whose JWKS cache is still empty. */
  async function withColdCache(body: (url: string) => Promise<void>) {
    const fresh = await startApp(5009, { AUTH_DISCOVERY_TTL: '0', AUTH_HTTP_TIMEOUT: '3' })
    try {
      await body(fresh.url)
    } finally {
      await fresh.stop()
    }
  }

  // D. Keys.
  test('DK-05 e: JWKS answering 500 refuses the login with a 502-class page', async () => {
    await withColdCache(async (url) => {
      await control.scenario('respond', { endpoint: 'jwks', status: 500, type: 'text/html', body: '<html>down</html>' })
      const api = await newBrowser()
      const { callbackUrl } = await pendingLogin(api, { appUrl: url })
      await control.clearLog()
      const response = await deliver(api, callbackUrl)
      expect(response.status()).toBe(502)
      expect(await errorCode(response)).toBe('idp_error')
      expect((await control.calls()).userinfo).toBe(0)
      expect(await sessionState(api, url)).toBe('anonymous')
    })
  })

  test('DK-05 d: the only key is marked for encryption', async () => {
    await withColdCache(async (url) => {
      await control.scenario('jwks_patch', { use: 'enc' })
      const api = await newBrowser()
      const { callbackUrl } = await pendingLogin(api, { appUrl: url })
      const response = await deliver(api, callbackUrl)
      expect(response.status()).toBe(400)
      expect(await errorCode(response)).toBe('id_token_invalid')
      expect(await sessionState(api, url)).toBe('anonymous')
    })
  })

  test('DK-04 rotation of the signing key: the JWKS is refetched once for the new kid', async () => {
    await expectLoginWorks()
    await new Promise((r) => setTimeout(r, 5_500)) // past the JWKS refetch cooldown
    await control.scenario('rotate_signing_key')
    await control.clearLog()
    await expectLoginWorks()
    expect((await control.calls()).jwks).toBe(1)
  })

  test('DK-04 a token signed by a key that is not published even after a refetch is refused', async () => {
    await new Promise((r) => setTimeout(r, 5_500))
    await control.scenario('id_token_foreign_signature', { alg: 'RS256', kid: 'dW5rbm93bg_RS256' })
    await expectCallbackFails(400, 'id_token_invalid')
    expect((await control.calls()).userinfo).toBe(0)
  })

  test('DK-04 a burst of 20 logins with unknown kids makes only a few JWKS fetches', async () => {
    await control.scenario('id_token_foreign_signature', { alg: 'RS256', kid: 'YnVyc3Q_RS256' })
    const callbacks: { api: Awaited<ReturnType<typeof newBrowser>>; url: string }[] = []
    for (let i = 0; i < 20; i++) {
      const api = await newBrowser()
      callbacks.push({ api, url: (await pendingLogin(api, { appUrl: app.url })).callbackUrl })
    }
    await control.clearLog()
    const responses = await Promise.all(callbacks.map(({ api, url }) => deliver(api, url)))
    expect(responses.every((r) => r.status() === 400)).toBe(true)
    expect((await control.calls()).jwks).toBeLessThanOrEqual(2)
  })

  const keyCases: [string, Record<string, unknown>][] = [
    ['DK-05 a: no kid in the token or the JWKS, one key', { kidless: true }],
    ['DK-05 b: no kid, two keys (each key is tried)', { kidless: true, extra: 'second' }],
    ['DK-05 c: a garbage key beside the good one', { extra: 'garbage' }],
  ]
  for (const [name, options] of keyCases) {
    test(`POSITIVE ${name}`, async () => {
      await withColdCache(async (url) => {
        await control.scenario('jwks_patch', options)
        const api = await newBrowser()
        const { callbackUrl } = await pendingLogin(api, { appUrl: url })
        await control.clearLog()
        const response = await deliver(api, callbackUrl)
        expect(response.status(), (await response.text()).slice(0, 200)).toBe(303)
        expect((await control.calls()).jwks).toBe(1)
        expect(await sessionState(api, url)).toBe('session')
      })
    })
  }

  // D. Discovery (read on every login by this instance).
  const discoveryCases: [string, [string, Record<string, unknown>], number, string][] = [
    ['DK-01 issuer of another host', ['discovery_issuer_mismatch', {}], 502, 'discovery_invalid'],
    ['DK-01 issuer with another path', ['discovery_issuer_mismatch', { issuer: 'https://localhost:9443/t/tenant2/oauth2/token' }], 502, 'discovery_invalid'],
    ['DK-02 a redirect', ['respond', { endpoint: 'discovery', status: 302, headers: { location: 'https://evil.example/.well-known/openid-configuration' } }], 502, 'idp_error'],
    ['DK-02 authorization_endpoint missing', ['json_patch', { endpoint: 'discovery', unset: ['authorization_endpoint'] }], 502, 'discovery_invalid'],
    ['DK-02 token_endpoint missing', ['json_patch', { endpoint: 'discovery', unset: ['token_endpoint'] }], 502, 'discovery_invalid'],
    ['DK-02 a JSON array', ['json_patch', { endpoint: 'discovery', replace: [] }], 502, 'discovery_invalid'],
    ['DK-03 http authorization_endpoint', ['json_patch', { endpoint: 'discovery', set: { authorization_endpoint: 'http://localhost:9443/oauth2/authorize' } }], 502, 'discovery_invalid'],
    ['DK-03 authorization_endpoint on another origin', ['json_patch', { endpoint: 'discovery', set: { authorization_endpoint: 'https://evil.example/oauth2/authorize' } }], 502, 'discovery_invalid'],
    ['DK-03 javascript: end_session_endpoint', ['json_patch', { endpoint: 'discovery', set: { end_session_endpoint: 'javascript:alert(1)' } }], 502, 'discovery_invalid'],
    ['DK-03 http token_endpoint', ['json_patch', { endpoint: 'discovery', set: { token_endpoint: 'http://localhost:9443/oauth2/token' } }], 502, 'discovery_invalid'],
    ['DK-03 jwks_uri on another origin', ['json_patch', { endpoint: 'discovery', set: { jwks_uri: 'https://evil.example/jwks' } }], 502, 'discovery_invalid'],
    ['RS-03 discovery 500 with HTML', ['discovery_500', {}], 502, 'idp_error'],
    ['RS-03 discovery 200 with HTML', ['respond', { endpoint: 'discovery', status: 200, type: 'text/html', body: '<html>' }], 502, 'idp_bad_response'],
    ['RS-03 discovery truncated JSON', ['respond', { endpoint: 'discovery', status: 200, body: '{"issuer":"https://localhost:9443/oauth2/token",' }], 502, 'idp_bad_response'],
    ['RS-03 discovery 503 with Retry-After', ['respond', { endpoint: 'discovery', status: 503, body: '', headers: { 'retry-after': '30' } }], 502, 'idp_error'],
    ['RS-03 discovery 429', ['respond', { endpoint: 'discovery', status: 429, body: '' }], 502, 'idp_error'],
    ['RS-04 discovery of 2 MB', ['respond', { endpoint: 'discovery', status: 200, padTo: 2_000_000 }], 502, 'idp_bad_response'],
    ['RS-01 discovery connection closed', ['close', { endpoint: 'discovery' }], 502, 'idp_unreachable'],
    ['RS-02 discovery hangs', ['hang', { endpoint: 'discovery' }], 504, 'idp_timeout'],
  ]
  for (const [name, [scenario, options], status, code] of discoveryCases) {
    test(`REJECT ${name} at login start, then recover`, async () => {
      await control.scenario(scenario, options)
      await expectStartFails(status, code)
      await control.normal()
      const recovered = await loginStart()
      expect(recovered.status()).toBe(302)
    })
  }

  test('POSITIVE discovery JSON served as text/plain', async () => {
    const document = await (await control.api.get('/oauth2/token/.well-known/openid-configuration')).text()
    await control.scenario('respond', { endpoint: 'discovery', status: 200, type: 'text/plain', body: document })
    const response = await loginStart()
    expect(response.status()).toBe(302)
  })

  // I. Resilience at the callback.
  const callbackCases: [string, [string, Record<string, unknown>], number, string][] = [
    ['RS-03 token 500 with HTML', ['token_500', {}], 502, 'idp_error'],
    ['RS-03 token 200 with HTML', ['respond', { endpoint: 'token', status: 200, type: 'text/html', body: '<html>' }], 502, 'idp_bad_response'],
    ['RS-03 token truncated JSON', ['respond', { endpoint: 'token', status: 200, body: '{"access_token":"x",' }], 502, 'idp_bad_response'],
    ['RS-03 token null', ['respond', { endpoint: 'token', status: 200, body: 'null' }], 502, 'idp_bad_response'],
    ['RS-03 token "str"', ['respond', { endpoint: 'token', status: 200, body: '"str"' }], 502, 'idp_bad_response'],
    ['RS-03 token 503 with Retry-After', ['respond', { endpoint: 'token', status: 503, body: '', headers: { 'retry-after': '10' } }], 502, 'idp_error'],
    ['RS-03 token 429', ['respond', { endpoint: 'token', status: 429, body: '' }], 502, 'idp_error'],
    ['RS-04 token response of 2 MB', ['respond', { endpoint: 'token', status: 200, padTo: 2_000_000 }], 502, 'idp_bad_response'],
    ['RS-01 token connection closed', ['close', { endpoint: 'token' }], 502, 'idp_unreachable'],
    ['RS-03 userinfo 500', ['respond', { endpoint: 'userinfo', status: 500, type: 'text/html', body: '<html>' }], 502, 'idp_error'],
    ['RS-02 userinfo hangs', ['hang', { endpoint: 'userinfo' }], 504, 'idp_timeout'],
  ]
  for (const [name, [scenario, options], status, code] of callbackCases) {
    test(`REJECT ${name}`, async () => {
      await control.scenario(scenario, options)
      const { api } = await expectCallbackFails(status, code)
      expect((await control.calls()).token).toBeLessThanOrEqual(1)
      await api.dispose()
    })
  }

  test('RS-02 a hanging token endpoint ends within the timeout, without a retry, and other pages stay up', async () => {
    await control.scenario('hang', { endpoint: 'token' })
    const pending: { api: Awaited<ReturnType<typeof newBrowser>>; url: string }[] = []
    for (let i = 0; i < 10; i++) {
      const api = await newBrowser()
      pending.push({ api, url: (await pendingLogin(api, { appUrl: app.url })).callbackUrl })
    }
    await control.clearLog()
    const started = Date.now()
    const all = Promise.all(pending.map(({ api, url }) => deliver(api, url)))
    const other = await newBrowser()
    const signin = await step(other, `${app.url}/signin`, undefined, DOC)
    expect(signin.status()).toBe(200)
    expect(Date.now() - started).toBeLessThan(2_500)
    const responses = await all
    expect(Date.now() - started).toBeLessThan(10_000)
    for (const response of responses) {
      expect(response.status()).toBe(504)
      expect(await errorCode(response)).toBe('idp_timeout')
    }
    expect((await control.calls()).token).toBe(10)
  })

  test('RS-01 an IS that is down: coded 502 at login, public pages still work', async () => {
    const down = await startApp(5007, { AUTH_SERVER_ORIGIN: 'https://localhost:1', AUTH_HTTP_TIMEOUT: '3' })
    try {
      const api = await newBrowser()
      const response = await step(api, `${down.url}/login`, undefined, DOC)
      expect(response.status()).toBe(502)
      expect(await errorCode(response)).toBe('idp_unreachable')
      expect((await step(api, `${down.url}/signin`, undefined, DOC)).status()).toBe(200)
    } finally {
      await down.stop()
    }
  })

  test('TL-01 an IS certificate from an untrusted CA: coded 502, no session', async () => {
    const untrusted = await startApp(5008, { AUTH_CERTIFICATE_PATH: 'certs/app.crt' })
    try {
      const api = await newBrowser()
      const response = await step(api, `${untrusted.url}/login`, undefined, DOC)
      expect(response.status()).toBe(502)
      expect(await errorCode(response)).toBe('idp_tls_error')
    } finally {
      await untrusted.stop()
    }
  })

  test('RS-05 the main app caches discovery: at most one fetch over five logins', async () => {
    await control.clearLog()
    for (let i = 0; i < 5; i++) {
      const api = await newBrowser()
      await httpLogin(api)
      await api.dispose()
    }
    expect((await control.calls()).discovery).toBeLessThanOrEqual(1)
  })
})
