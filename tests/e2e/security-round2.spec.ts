/**
 * Security round 2: the failure classes an audit found outside the first conformance catalogue.
 * Every refused case asserts the status, the data-error-code, that no session cookie was set and
 * that GET / is anonymous afterwards.
 */
import { expect, request, test, type APIRequestContext, type APIResponse } from '@playwright/test'
import { startApp } from './app-server'
import { APP_URL, IS_URL, LOCAL_CLIENT, REAL_IS } from './env'
import { answerConsent, login, signInAtIs } from './helpers'
import { authorizeAtIs, DOC, deliver, errorCode, httpLogin, newBrowser, pendingLogin, sessionState, setCookieNames, step } from './http-flow'
import { Control } from './is-control'
import { readFileSync } from 'node:fs'
import { request as httpsRequest } from 'node:https'
import { raw } from './raw'

/** A GET whose header bytes are exactly the string's latin1 bytes (fetch would send U+00A0 as UTF-8). */
function latin1Get(url: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(url, { headers, ca: readFileSync('certs/app.crt') }, (res) => {
      res.resume()
      resolve(res.statusCode ?? 0)
    })
    req.on('error', reject)
    req.end()
  })
}

const CLIENT_ID = LOCAL_CLIENT.id
const SESSION = '__Host-myclinic-session'
const TXN = '__Host-myclinic-txn.'
const ADMIN_SUB = '4b8f3c2e-9a1d-4e6b-8c7f-2d5a1e0b9c31'

async function cookieHeaderBytes(api: APIRequestContext): Promise<number> {
  const cookies = (await api.storageState()).cookies
  return cookies.map((c) => `${c.name}=${c.value}`).join('; ').length
}

async function expectRefused(response: APIResponse, status: number, code: string, api: APIRequestContext) {
  expect(response.status()).toBe(status)
  expect(await errorCode(response)).toBe(code)
  expect(setCookieNames(response).filter((n) => n.startsWith(SESSION))).toEqual([])
  expect(await sessionState(api)).toBe('anonymous')
}

test.describe('security round 2', () => {
  test.skip(REAL_IS, 'drives the local IS test control')
  test.describe.configure({ timeout: 120_000 })
  let control: Control

  test.beforeAll(async () => {
    control = await Control.open()
  })
  test.afterEach(async () => {
    await control.restore(CLIENT_ID)
  })

  test.describe('1. logging out never locks the user out', () => {
    test('answering "No" at the IS keeps the IS session; the next login works and the old cookie stays dead', async ({ page, context }) => {
      await login(page, APP_URL)
      const before = await context.cookies(APP_URL)
      await page.getByRole('button', { name: 'Logout' }).click()
      await page.getByRole('button', { name: 'No' }).click()
      await expect(page).toHaveURL(/\/signin/)
      // The IS session (same sid) lives on: Login goes straight through.
      await page.getByRole('link', { name: 'Login' }).click()
      await expect(page.getByTestId('greeting')).toHaveText('Hi admin')
      await page.reload()
      await expect(page.getByTestId('greeting')).toHaveText('Hi admin')
      const thief = await request.newContext({ ignoreHTTPSErrors: true, storageState: { cookies: before, origins: [] } })
      expect(await sessionState(thief)).toBe('anonymous')
      await thief.dispose()
    })

    test('an unreachable end-session endpoint does not block the next login', async ({ page }) => {
      await login(page, APP_URL)
      await control.scenario('respond', { endpoint: 'logout', status: 503, type: 'text/html', body: '<html>down</html>' })
      await page.getByRole('button', { name: 'Logout' }).click()
      await expect(page.getByText('down')).toBeVisible()
      await control.normal()
      await page.goto(`${APP_URL}/signin`)
      await page.getByRole('link', { name: 'Login' }).click()
      await expect(page.getByTestId('greeting')).toHaveText('Hi admin')
    })

    test('a login over an existing session ends the old session and revokes its refresh token', async () => {
      const api = await newBrowser()
      await httpLogin(api)
      const old = (await api.storageState()).cookies
      await control.clearLog()
      // Already signed in: a forced login (prompt=login) starts a new one in the same browser, here in
      // a new IS session. (A re-login in the same IS session continues its grant, so the app keeps that
      // refresh token: tests/e2e/tokens.spec.ts.)
      const browser = await request.newContext({ ignoreHTTPSErrors: true, storageState: { cookies: old.filter((c) => c.name.startsWith('__Host-myclinic')), origins: [] } })
      const forced = await step(browser, `${APP_URL}/login?prompt=login`, undefined, DOC)
      expect(forced.status()).toBe(302)
      const back = await authorizeAtIs(browser, forced.headers().location)
      expect((await deliver(browser, back)).status()).toBe(303)
      expect(await sessionState(browser)).toBe('session')
      await browser.dispose()
      const copy = await request.newContext({ ignoreHTTPSErrors: true, storageState: { cookies: old, origins: [] } })
      expect(await sessionState(copy)).toBe('anonymous')
      await copy.dispose()
      expect((await control.calls()).revoke).toBeGreaterThanOrEqual(1)
    })
  })

  test.describe('2. logout CSRF without Fetch Metadata', () => {
    test('a GET without Sec-Fetch-Site or Origin shows the confirmation and keeps the session; a POST needs our Origin', async () => {
      const api = await newBrowser()
      await httpLogin(api)
      const cookie = (await api.storageState()).cookies.map((c) => `${c.name}=${c.value}`).join('; ')
      const get = await raw(`${APP_URL}/logout`, { cookie, accept: 'text/html' })
      expect(get.status).toBe(200)
      expect(get.text).toContain('Log out of myclinic?')
      expect(get.headers.getSetCookie()).toEqual([])
      const post = await raw(`${APP_URL}/logout`, { cookie }, 'POST')
      expect(post.status).toBe(403)
      expect(post.text).toContain('data-error-code="logout_forbidden"')
      expect(await sessionState(api)).toBe('session')
      const ours = await raw(`${APP_URL}/logout`, { cookie, origin: APP_URL }, 'POST')
      expect(ours.status).toBe(303)
      expect(new URL(ours.headers.get('location')!).origin).toBe(IS_URL)
    })
  })

  test.describe('3. the cookie budget, in bytes', () => {
    test('a returnTo that grows twelvefold when percent-encoded stays inside the transaction budget', async () => {
      const api = await newBrowser()
      const response = await step(api, `${APP_URL}/login?returnTo=${encodeURIComponent(`/${'😀'.repeat(500)}`)}`, undefined, DOC)
      expect(response.status()).toBe(302)
      const txn = response.headersArray().filter((h) => h.name === 'set-cookie' && h.value.startsWith(TXN))
      expect(txn).toHaveLength(1)
      expect(txn[0].value.split(';')[0].length).toBeLessThanOrEqual(1800)
    })

    test('20 parallel /login requests never push an anonymous Cookie header past 8 KB', async () => {
      const api = await newBrowser()
      const long = `/${'é'.repeat(400)}`
      await Promise.all(Array.from({ length: 20 }, (_, i) => step(api, `${APP_URL}/login?returnTo=${encodeURIComponent(`${long}${i}`)}`, undefined, DOC)))
      const names = (await api.storageState()).cookies.filter((c) => c.name.startsWith(TXN)).map((c) => c.name)
      expect(new Set(names).size).toBeLessThanOrEqual(4)
      expect(await cookieHeaderBytes(api)).toBeLessThan(8 * 1024)
      for (let i = 0; i < 10; i++) await step(api, `${APP_URL}/login?returnTo=${encodeURIComponent(`${long}x${i}`)}`, undefined, DOC)
      expect(await cookieHeaderBytes(api)).toBeLessThan(8 * 1024)
    })

    test('/login clears stale transaction cookies even when the header is already large', async () => {
      const stale = Array.from({ length: 30 }, (_, i) => ({ name: `${TXN}${'s'.repeat(40)}${i}`, value: `Fe26.2*${'x'.repeat(760)}`, domain: 'localhost', path: '/', expires: -1, httpOnly: true, secure: true, sameSite: 'Lax' as const }))
      const api = await request.newContext({ ignoreHTTPSErrors: true, storageState: { cookies: stale, origins: [] } })
      expect(await cookieHeaderBytes(api)).toBeGreaterThan(24 * 1024)
      const response = await step(api, `${APP_URL}/login`, undefined, DOC)
      expect(response.status()).toBe(302)
      expect(await cookieHeaderBytes(api)).toBeLessThan(2 * 1024)
      // And a page still loads (no 431) with what is left.
      expect((await step(api, `${APP_URL}/signin`, undefined, DOC)).status()).toBe(200)
      await api.dispose()
    })
  })

  test.describe('4. token lifetimes at the edges', () => {
    async function hops(api: APIRequestContext, path = '/') {
      let url = `${APP_URL}${path}`
      const seen: string[] = []
      for (let i = 0; i < 10; i++) {
        const response = await step(api, url, undefined, { ...DOC, 'sec-fetch-site': 'same-origin' })
        seen.push(`${response.status()} ${new URL(url).pathname}`)
        if (response.status() < 300 || response.status() >= 400) return { seen, response }
        url = new URL(response.headers().location, url).href
      }
      throw new Error(`redirect loop: ${seen.join(' → ')}`)
    }

    test('expires_in 0: one page view is at most one detour and one refresh grant, and no loop', async () => {
      await control.scenario('json_patch', { endpoint: 'token', set: { expires_in: 0 } })
      const api = await newBrowser()
      await httpLogin(api)
      await new Promise((r) => setTimeout(r, 2500))
      await control.clearLog()
      const { seen, response } = await hops(api)
      expect(response.status()).toBe(200)
      expect(seen.length).toBeLessThanOrEqual(3)
      const grants = (await control.log()).filter((e) => e.path.endsWith('/oauth2/token') && e.body?.grant_type === 'refresh_token')
      expect(grants.length).toBeLessThanOrEqual(1)
      // The next page view right after is quiet.
      await control.clearLog()
      expect((await hops(api)).seen).toHaveLength(1)
      expect((await control.calls()).token).toBe(0)
    })

    for (const [name, patch] of [
      ['absent', { unset: ['expires_in'] }],
      ['absurdly large', { set: { expires_in: 1e15 } }],
    ] as const) test(`expires_in ${name}: the dashboard renders and the session stays`, async () => {
      await control.scenario('json_patch', { endpoint: 'token', ...patch })
      const api = await newBrowser()
      await httpLogin(api)
      const { response } = await hops(api)
      expect(response.status()).toBe(200)
      expect(await response.text()).toContain('data-testid="greeting"')
    })

    test('a negative expires_in is a coded broken answer, no session', async () => {
      await control.scenario('json_patch', { endpoint: 'token', set: { expires_in: -30 } })
      const api = await newBrowser()
      const { callbackUrl } = await pendingLogin(api)
      await expectRefused(await deliver(api, callbackUrl), 502, 'idp_bad_response', api)
    })
  })

  test.describe('5. /login/refresh refreshes only what is due, for the app itself', () => {
    test('not due, or a navigation from another site: straight back, no token call', async () => {
      const api = await newBrowser()
      await httpLogin(api)
      await control.clearLog()
      for (const site of ['same-origin', 'cross-site', 'same-site', 'none']) {
        const response = await step(api, `${APP_URL}/login/refresh?returnTo=%2F`, undefined, { ...DOC, 'sec-fetch-site': site })
        expect(response.status()).toBe(303)
        expect(response.headers().location).toBe(`${APP_URL}/`)
      }
      expect((await control.calls()).token).toBe(0)
    })

    test('a due token is not refreshed for a cross-site navigation, and the page still renders (no loop)', async () => {
      await control.api.put('/__test/lifetimes', { data: { AccessToken: 6 } })
      const api = await newBrowser()
      await httpLogin(api)
      await new Promise((r) => setTimeout(r, 3500))
      await control.clearLog()
      const refresh = await step(api, `${APP_URL}/login/refresh?returnTo=%2F`, undefined, { ...DOC, 'sec-fetch-site': 'cross-site' })
      expect(refresh.status()).toBe(303)
      const page = await step(api, `${APP_URL}/`, undefined, { ...DOC, 'sec-fetch-site': 'cross-site' })
      expect(page.status()).toBe(200)
      expect((await control.log()).filter((e) => e.path.endsWith('/oauth2/token') && e.body?.grant_type === 'refresh_token').length).toBeLessThanOrEqual(1)
    })
  })

  test.describe('6. hostile claim values never break a page', () => {
    test('prototype keys, times beyond a Date, deep nesting and huge arrays: the login works, the page renders, nothing is polluted', async () => {
      let deep: unknown = 'bottom'
      for (let i = 0; i < 50; i++) deep = { next: deep }
      const userinfo = `{"sub":"${ADMIN_SUB}","__proto__":{"admin":true,"polluted":"yes"},"constructor":{"prototype":{"polluted":"yes"}},"toString":"not a function","hasOwnProperty":1,"valueOf":{},"deep":${JSON.stringify(deep)},"roles":${JSON.stringify(Array.from({ length: 600 }, (_, i) => `role-${i}`))},"nickname":"${'n'.repeat(10000)}"}`
      const response = await control.api.put('/__test/scenario', { headers: { 'content-type': 'application/json' }, data: `{"name":"json_patch","endpoint":"userinfo","replace":${userinfo}}` })
      expect(response.ok()).toBe(true)
      const api = await newBrowser()
      const { callbackUrl } = await pendingLogin(api)
      await control.normal()
      await control.scenario('id_token_patch', { set: { updated_at: 1e300, birthdate: -8.64e18, locale: { toString: 'x' } } })
      // The ID token patch applies to the next token response; start a fresh login for it.
      const api2 = await newBrowser()
      const second = await pendingLogin(api2)
      const [first, again] = [await deliver(api, callbackUrl), await deliver(api2, second.callbackUrl)]
      for (const [browser, callback] of [[api, first], [api2, again]] as const) {
        expect(callback.status(), await callback.text()).toBe(303)
        const dashboard = await step(browser, `${APP_URL}/`, undefined, DOC)
        expect(dashboard.status()).toBe(200)
        const html = await dashboard.text()
        expect(html).toContain('data-testid="greeting"')
        expect(html).not.toMatch(/data-claim="(__proto__|constructor|toString|hasOwnProperty|valueOf)"/)
        expect(html).not.toContain('polluted')
      }
      expect(({} as Record<string, unknown>).polluted).toBeUndefined()
    })
  })

  test.describe('7. cookies parsed as browsers write them', () => {
    test('a session cookie behind a non-breaking space or an invalid name is not the session', async () => {
      const api = await newBrowser()
      await httpLogin(api)
      const session = (await api.storageState()).cookies.filter((c) => c.name.startsWith(SESSION))
      const header = session.map((c) => `${c.name}=${c.value}`).join('; ')
      expect(await latin1Get(`${APP_URL}/`, { ...DOC, cookie: header })).toBe(200)
      // Those bytes do reach the app: next to the real session they change nothing.
      expect(await latin1Get(`${APP_URL}/`, { ...DOC, cookie: `x=\u00a0\u0085; \u00a0y=1; ${header}` })).toBe(200)
      for (const disguise of ['\u00a0', '\u0085', '\u00ad', '"', '(']) {
        const disguised = session.map((c) => `${disguise}${c.name}=${c.value}`).join('; ')
        expect(await latin1Get(`${APP_URL}/`, { ...DOC, cookie: disguised }), `name prefixed with U+${disguise.charCodeAt(0).toString(16)}`).toBe(307)
      }
      // Space and tab around names are what browsers trim: still the session.
      expect(await latin1Get(`${APP_URL}/`, { ...DOC, cookie: session.map((c) => ` \t${c.name}=${c.value}\t `).join(';') })).toBe(200)
    })
  })

  test.describe('8. back-channel logout an IS can rely on', () => {
    test('a body over 32 KB is refused with 413, declared or not', async () => {
      const api = await newBrowser()
      const big = await api.post(`${APP_URL}/logout/backchannel`, { form: { logout_token: 'a'.repeat(40 * 1024) }, maxRedirects: 0 })
      expect(big.status()).toBe(413)
      expect(big.headers()['cache-control']).toBe('no-store')
    })

    test('a JWKS the app cannot fetch answers 503 (retryable), and the logout is recorded once the JWKS is back', async () => {
      // Instance B never verified a token, so its JWKS cache is cold; the IS notifies B.
      const b = await startApp(5007, {})
      try {
        await control.client(CLIENT_ID, { callback_url: 'regexp=(https://localhost:500[0-9]/login|https://localhost:500[0-9]/signin)', backchannel_logout_uri: `${b.url}/logout/backchannel` })
        const api = await newBrowser()
        await httpLogin(api)
        await control.scenario('respond', { endpoint: 'jwks', status: 503, body: '' })
        await control.api.delete('/__test/backchannel')
        expect((await control.api.post('/__test/logout-session', { data: { username: 'admin' } })).ok()).toBe(true)
        const deliveries = (await (await control.api.get('/__test/backchannel')).json()) as { status?: number }[]
        expect(deliveries.map((d) => d.status)).toContain(503)
      } finally {
        await b.stop()
      }
    })
  })

  test.describe('9. session secrets', () => {
    for (const secret of ['changeme-changeme-changeme-changeme-1', 'my-super-secret-session-key-for-dev-1234', 'x'.repeat(48)]) test(`refuses to start with the guessable secret ${secret.slice(0, 12)}…, says how to make one, never echoes it`, async () => {
      const error = await startApp(5008, { AUTH_SESSION_SECRET: secret }).then(
        async (app) => {
          await app.stop()
          return null
        },
        (e: Error) => e,
      )
      expect(error).not.toBeNull()
      expect(error!.message).toContain('AUTH_SESSION_SECRET')
      expect(error!.message).toContain('openssl rand -base64 32')
      expect(error!.message).not.toContain(secret)
    })

    test('no cookie carries anything derived from the secret: the seal key id is always 1', async () => {
      const api = await newBrowser()
      await httpLogin(api)
      for (const c of (await api.storageState()).cookies.filter((c) => c.name.startsWith('__Host-myclinic'))) {
        if (c.value.startsWith('Fe26.2*')) expect(c.value.split('*')[1]).toBe('1')
      }
    })
  })

  test.describe('10. revocation that lasts', () => {
    test('the app says at start that a restart forgets revocations, and a Redis password never reaches the log', async () => {
      const memory = await startApp(5008, {})
      await memory.stop()
      expect(memory.output()).toContain('a restart forgets logouts')
      const redis = await startApp(5008, { REDIS_URL: 'redis://:hunter2-do-not-log@127.0.0.1:1' })
      try {
        const api = await newBrowser()
        await step(api, `${redis.url}/login`, undefined, DOC)
        await step(api, `${redis.url}/`, undefined, DOC)
      } finally {
        await redis.stop()
      }
      expect(redis.output()).not.toContain('hunter2-do-not-log')
    })

    test('a copied cookie replayed after logout stays dead, and its cookies are cleared', async () => {
      const api = await newBrowser()
      await httpLogin(api)
      const copied = (await api.storageState()).cookies
      const out = await api.post(`${APP_URL}/logout`, { maxRedirects: 0, headers: { 'sec-fetch-site': 'same-origin', origin: APP_URL } })
      expect(out.status()).toBe(303)
      const thief = await request.newContext({ ignoreHTTPSErrors: true, storageState: { cookies: copied, origins: [] } })
      for (let i = 0; i < 3; i++) expect(await sessionState(thief)).toBe('anonymous')
      expect((await thief.storageState()).cookies.filter((c) => c.name.startsWith(SESSION))).toEqual([])
      await thief.dispose()
    })
  })

  test('a Chromium login still works after all of the above', async ({ page }) => {
    await page.goto(`${APP_URL}/signin`)
    await page.getByRole('link', { name: 'Login' }).click()
    await signInAtIs(page)
    await answerConsent(page, 'Allow', APP_URL)
    await expect(page.getByTestId('greeting')).toHaveText('Hi admin')
  })
})
