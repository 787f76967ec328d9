/**
 * Access tokens that work everywhere (issue 12), driven the way a user and the app's own client
 * code drive them: a route handler and a server action at expiry on two instances sharing Redis,
 * a Server Component rendered by a client-side navigation, re-logins (step-up, prompt=login) that
 * must not revoke the new session's tokens, a refused refresh, WSO2-sized token sets, the
 * dashboard's SCIM call and the useSession profile route.
 *
 * Timing: the login's access token lives ACCESS_LIFETIME seconds at the IS and is due after half
 * of it (the 60 s refresh buffer is capped at half the lifetime, lib/auth/session.ts), which leaves
 * the steps between login and "due" 6 s even on a loaded machine. Waits are
 * computed from the expiry the app reports (`accessTokenExpiresAt` of /api/auth/session), never
 * guessed. Before the refresh is triggered the IS lifetime is raised, so the refreshed token cannot
 * fall due again while a loaded machine is still asserting: "exactly one refresh grant" counts
 * refreshes the app did not need, not slow test steps.
 */
import { expect, request, test, type APIRequestContext, type APIResponse, type Page } from '@playwright/test'
import { startApp } from './app-server'
import { APP_URL, IS_URL, LOCAL_CLIENT, REAL_IS } from './env'
import { answerConsent, login, signInAtIs } from './helpers'
import { authorizeAtIs, DOC, deliver, httpLogin, newBrowser, sessionState, step } from './http-flow'
import { Control } from './is-control'
// @ts-expect-error plain ESM helper without types
import { hasRedisServer, startRedis } from '../support/redis-server.mjs'

const CLIENT_ID = LOCAL_CLIENT.id
const SESSION_COOKIE = '__Host-myclinic-session'
/** The IS lifetime of the login's access token (seconds): due for refresh after half of it. */
const ACCESS_LIFETIME = 12
/** The IS lifetime of refreshed tokens: far longer than any assertion takes. */
const REFRESHED_LIFETIME = 300
/** The app's callbacks at the IS: the default app and the extra instances of this spec (5120-5129). */
const CALLBACKS = 'regexp=(https://localhost:5000/(login|signin|logout)|https://localhost:512[0-9]/(login|signin|logout))'
const SCIM_401 = 'The identity server no longer accepts this access token: it was revoked (for example by a logout elsewhere) or it expired.'
const SCIM_403 = 'The access token does not allow reading your profile: the application must request the internal_login scope.'

type Instance = Awaited<ReturnType<typeof startApp>>
type Redis = { url: string; stop(): Promise<void> }

interface SessionBody {
  user: { sub: string; username: string; [claim: string]: unknown }
  expiresAt: number
  accessTokenExpiresAt: number
  authTime?: number
}

let redis: Redis | null = null
const instances = new Map<number, Instance>()

async function sharedRedis(): Promise<Redis> {
  redis ??= (await startRedis()) as Redis
  return redis
}

/** An extra instance, started on first use and kept until afterAll (each port has one fixed configuration). */
async function instance(port: number, env: () => Promise<Record<string, string>>): Promise<Instance> {
  if (port < 5120 || port > 5129) throw new Error(`port ${port} is outside this spec's range`)
  let app = instances.get(port)
  if (!app) {
    app = await startApp(port, await env())
    instances.set(port, app)
  }
  return app
}

const redisInstance = (port: 5120 | 5121) => instance(port, async () => ({ REDIS_URL: (await sharedRedis()).url }))

async function refreshGrants(control: Control) {
  return (await control.log()).filter((e) => e.method === 'POST' && e.path.endsWith('/oauth2/token') && e.body?.grant_type === 'refresh_token')
}

/** The Bearer tokens the app sent to /scim2/Me since the log was cleared. */
async function scimBearers(control: Control): Promise<string[]> {
  const log = (await control.log()) as { path: string; authorization?: { scheme?: string; token?: string } }[]
  return log.filter((e) => e.path.endsWith('/scim2/Me')).map((e) => e.authorization?.token ?? '')
}

async function accessToken(page: Page): Promise<string> {
  return (await page.getByTestId('access-token').textContent())!.trim()
}

async function idToken(page: Page): Promise<string> {
  return (await page.getByTestId('id-token').textContent())!.trim()
}

async function sessionProfile(api: APIRequestContext, appUrl = APP_URL): Promise<{ response: APIResponse; body: SessionBody; text: string }> {
  const response = await api.get(`${appUrl}/api/auth/session`)
  const text = await response.text()
  expect(response.status(), text).toBe(200)
  return { response, body: JSON.parse(text) as SessionBody, text }
}

/** Waits (polling the clock) until `at` (ms since the epoch, this machine's clock, which the app shares). */
async function waitUntil(at: number, what: string) {
  await expect
    .poll(() => Date.now() >= at, { message: `waiting until ${what}`, timeout: Math.max(0, at - Date.now()) + 10_000, intervals: [200] })
    .toBe(true)
}

/** Waits until the session's access token is due for refresh (half its lifetime before expiry). */
async function waitUntilDue(api: APIRequestContext, appUrl = APP_URL) {
  const { body } = await sessionProfile(api, appUrl)
  await waitUntil(body.accessTokenExpiresAt - Math.floor(ACCESS_LIFETIME / 2) * 1000 + 300, 'the access token is due')
}

/**
 * A login that asks the IS for `max_age` (as the Medical records page does), so the ID token carries
 * `auth_time` and that page needs no step-up login of its own.
 */
async function loginWithAuthTime(page: Page, appUrl = APP_URL) {
  await page.goto(`${appUrl}/login?max_age=300`)
  await page.waitForURL((url) => url.origin === new URL(IS_URL).origin)
  await signInAtIs(page)
  await answerConsent(page, 'Allow', appUrl)
  await page.waitForURL(`${appUrl}/`)
  await expect(page.getByTestId('greeting')).toHaveText('Hi admin')
}

/** Name and value bytes of the session cookie and its chunks. */
async function sessionCookies(page: Page, appUrl = APP_URL) {
  const cookies = (await page.context().cookies(appUrl)).filter((c) => c.name === SESSION_COOKIE || c.name.startsWith(`${SESSION_COOKIE}.`))
  return { count: cookies.length, bytes: cookies.reduce((n, c) => n + c.name.length + 1 + c.value.length, 0), names: cookies.map((c) => c.name) }
}

function allKeys(value: unknown, out: string[] = []): string[] {
  if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      out.push(k)
      allKeys(v, out)
    }
  }
  return out
}

/** A WSO2-style large token set: 150 roles in a JWT access token, 60 attributes in the ID token (about 11 KB). */
const LARGE_TOKENS = {
  access_token_type: 'jwt',
  extra_access_token_claims: { roles: Array.from({ length: 150 }, (_, i) => `Internal/clinic-role-${String(i).padStart(3, '0')}`) },
  extra_id_token_claims: Object.fromEntries(Array.from({ length: 60 }, (_, i) => [`attribute_${i}`, `value-${i}-of-the-user`])),
}

/** Logs in with LARGE_TOKENS (over 10 KB of JWTs) and checks the session survives two reloads and calls SCIM. */
async function loginWithLargeTokens(page: Page, appUrl: string) {
  await login(page, appUrl)
  const token = await accessToken(page)
  expect(token.split('.')).toHaveLength(3)
  expect(token.length + (await idToken(page)).length).toBeGreaterThan(10_000)
  for (let i = 0; i < 2; i++) {
    await page.reload()
    await expect(page.getByTestId('greeting')).toHaveText('Hi admin')
    expect(await accessToken(page)).toBe(token)
  }
  await expect(page.getByTestId('scim')).toHaveAttribute('data-status', '200')
}

test.describe('tokens: getAccessToken everywhere (issue 12)', () => {
  test.skip(REAL_IS, 'drives the local IS test control')
  test.describe.configure({ timeout: 150_000 })
  let control: Control

  test.beforeAll(async () => {
    control = await Control.open()
  })
  test.afterEach(async () => {
    await control.restore(CLIENT_ID)
  })
  test.afterAll(async () => {
    await Promise.all([...instances.values()].map((app) => app.stop()))
    instances.clear()
    await redis?.stop()
    redis = null
  })

  test.describe('with two instances sharing a real redis-server', () => {
    test.skip(!hasRedisServer() && !process.env.CI, 'redis-server is not installed (apt-get install redis-server)')

    test('20 route-handler and 20 server-action calls at expiry, split over both instances: one refresh grant, all succeed, the session stays', async ({ page }) => {
      const [a, b] = [await redisInstance(5120), await redisInstance(5121)]
      await control.client(CLIENT_ID, { callback_url: CALLBACKS })
      expect((await control.api.put('/__test/lifetimes', { data: { AccessToken: ACCESS_LIFETIME } })).ok()).toBe(true)
      await login(page, a.url)
      const before = await accessToken(page)

      // One click on "Check again" shows what a server-action call is (id, router state, body), and that it works.
      const [actionRequest] = await Promise.all([
        page.waitForRequest((r) => r.method() === 'POST' && Boolean(r.headers()['next-action'])),
        page.getByRole('button', { name: 'Check again' }).click(),
      ])
      await expect(page.getByTestId('profile-check')).toHaveText('The identity server confirmed admin.')
      const captured = actionRequest.headers()
      const actionHeaders = (origin: string) => ({
        accept: captured.accept ?? 'text/x-component',
        'content-type': captured['content-type'] ?? 'text/plain;charset=UTF-8',
        'next-action': captured['next-action'],
        ...(captured['next-router-state-tree'] ? { 'next-router-state-tree': captured['next-router-state-tree'] } : {}),
        origin,
      })
      const actionBody = actionRequest.postData() ?? '[]'

      await waitUntilDue(page.request, a.url)
      expect((await control.api.put('/__test/lifetimes', { data: { AccessToken: REFRESHED_LIFETIME } })).ok()).toBe(true)
      await control.clearLog()
      const target = (i: number) => (i % 2 ? b.url : a.url)
      const [profiles, actions] = await Promise.all([
        Promise.all(Array.from({ length: 20 }, (_, i) => page.request.get(`${target(i)}/api/profile`))),
        Promise.all(Array.from({ length: 20 }, (_, i) => page.request.post(`${target(i)}/`, { headers: actionHeaders(target(i)), data: actionBody }))),
      ])

      for (const response of profiles) {
        expect(response.status(), await response.text()).toBe(200)
        expect(await response.json()).toMatchObject({ status: 200, userName: 'admin' })
      }
      for (const response of actions) {
        const text = await response.text()
        expect(response.status(), text).toBe(200)
        expect(text).toMatch(/"status":200,"userName":"admin"/)
      }
      expect(await refreshGrants(control)).toHaveLength(1)
      // Every API call carried the one new token: nobody used the old one or refreshed on their own.
      const bearers = await scimBearers(control)
      expect(bearers.length).toBeGreaterThanOrEqual(40)
      expect(new Set(bearers).size).toBe(1)
      const refreshed = bearers[0]
      expect(refreshed).not.toBe(before)

      // No spurious logout, on either instance, and no further refresh.
      for (const app of [a, b]) {
        await page.goto(`${app.url}/`)
        await expect(page.getByTestId('greeting')).toHaveText('Hi admin')
        expect(await accessToken(page)).toBe(refreshed)
        await expect(page.getByTestId('scim')).toHaveAttribute('data-status', '200')
        await sessionProfile(page.request, app.url)
      }
      await page.getByRole('button', { name: 'Check again' }).click()
      await expect(page.getByTestId('profile-check')).toHaveText('The identity server confirmed admin.')
      expect(await refreshGrants(control)).toHaveLength(1)
    })

    test('a large token set with Redis: logs in, survives reloads, and the session cookie stays under 1 KB', async ({ page }) => {
      const app = await redisInstance(5120)
      await control.client(CLIENT_ID, { callback_url: CALLBACKS, ...LARGE_TOKENS })
      await loginWithLargeTokens(page, app.url)
      const cookies = await sessionCookies(page, app.url)
      expect(cookies.count).toBeGreaterThanOrEqual(1)
      expect(cookies.bytes).toBeLessThan(1024)
    })
  })

  test('a Server Component rendered after expiry (client-side navigation) shows a new token; the next navigations do not refresh again', async ({ page }) => {
    expect((await control.api.put('/__test/lifetimes', { data: { AccessToken: ACCESS_LIFETIME } })).ok()).toBe(true)
    await loginWithAuthTime(page)
    const before = await accessToken(page)
    await control.clearLog()
    await page.getByRole('link', { name: 'Medical records' }).click()
    await expect(page.getByRole('heading', { name: 'Medical records' })).toBeVisible()
    // No step-up login happened on the way (the session would have changed under the test).
    expect((await control.log()).filter((e) => e.path.endsWith('/oauth2/authorize'))).toEqual([])

    await waitUntilDue(page.request)
    expect((await control.api.put('/__test/lifetimes', { data: { AccessToken: REFRESHED_LIFETIME } })).ok()).toBe(true)
    await control.clearLog()
    // A marker that only survives client-side navigations: the dashboard must come as an RSC payload.
    await page.evaluate(() => ((window as unknown as { __spa: boolean }).__spa = true))
    const rsc = page.waitForRequest((r) => r.headers().rsc === '1' && !r.headers()['next-router-prefetch'] && new URL(r.url()).pathname === '/')
    await page.getByRole('link', { name: 'Back to the dashboard' }).click()
    await rsc
    await expect(page.getByTestId('greeting')).toHaveText('Hi admin')
    expect(await page.evaluate(() => (window as unknown as { __spa?: boolean }).__spa)).toBe(true)
    const refreshed = await accessToken(page)
    expect(refreshed).not.toBe(before)
    expect(await refreshGrants(control)).toHaveLength(1)
    // The dashboard's own API call used the new token.
    await expect(page.getByTestId('scim')).toHaveAttribute('data-status', '200')
    expect(new Set(await scimBearers(control))).toEqual(new Set([refreshed]))

    // The browser's cookie still holds the old, due tokens (a Server Component cannot write cookies):
    // the next navigations must use the kept result, not refresh again with the rotated-out token.
    await page.getByRole('link', { name: 'Medical records' }).click()
    await expect(page.getByRole('heading', { name: 'Medical records' })).toBeVisible()
    await page.getByRole('link', { name: 'Back to the dashboard' }).click()
    await expect(page.getByTestId('greeting')).toHaveText('Hi admin')
    expect(await accessToken(page)).toBe(refreshed)
    await page.reload()
    await expect(page.getByTestId('greeting')).toHaveText('Hi admin')
    expect(await accessToken(page)).toBe(refreshed)
    expect(await refreshGrants(control)).toHaveLength(1)
  })

  test("a step-up login over a live session (Medical records) leaves the new session's tokens working, and its refresh too", async ({ page }) => {
    expect((await control.api.put('/__test/lifetimes', { data: { AccessToken: ACCESS_LIFETIME } })).ok()).toBe(true)
    await login(page, APP_URL)
    await control.clearLog()
    await page.getByRole('link', { name: 'Medical records' }).click()
    await expect(page.getByRole('heading', { name: 'Medical records' })).toBeVisible()
    // The login had no auth_time: the page ran a new login with max_age (silent, the IS session is fresh).
    expect((await control.log()).filter((e) => e.path.endsWith('/oauth2/authorize') && e.query?.max_age === '300').length).toBeGreaterThanOrEqual(1)
    await page.getByRole('link', { name: 'Back to the dashboard' }).click()
    await expect(page.getByTestId('greeting')).toHaveText('Hi admin')
    await expect(page.getByTestId('scim')).toHaveAttribute('data-status', '200')
    const before = await accessToken(page)

    await waitUntilDue(page.request)
    expect((await control.api.put('/__test/lifetimes', { data: { AccessToken: REFRESHED_LIFETIME } })).ok()).toBe(true)
    await control.clearLog()
    await page.reload()
    await expect(page.getByTestId('greeting')).toHaveText('Hi admin')
    expect(await refreshGrants(control)).toHaveLength(1)
    expect(await accessToken(page)).not.toBe(before)
    await expect(page.getByTestId('scim')).toHaveAttribute('data-status', '200')
  })

  test("the same user's prompt=login re-login keeps the new session's tokens working (its refresh token is not revoked)", async ({ page }) => {
    await login(page, APP_URL)
    await control.clearLog()
    await page.goto(`${APP_URL}/login?prompt=login`)
    await page.waitForURL((url) => url.origin === new URL(IS_URL).origin)
    await signInAtIs(page)
    await answerConsent(page, 'Allow', APP_URL)
    await page.waitForURL(`${APP_URL}/`)
    await expect(page.getByTestId('greeting')).toHaveText('Hi admin')
    expect((await control.log()).filter((e) => e.path.endsWith('/oauth2/revoke'))).toEqual([])
    await expect(page.getByTestId('scim')).toHaveAttribute('data-status', '200')
  })

  test('a new login in a new IS session over an app session revokes the old refresh token; the new session works', async () => {
    const api = await newBrowser()
    await httpLogin(api)
    const appCookies = (await api.storageState()).cookies.filter((c) => c.name.startsWith('__Host-myclinic'))
    // The same browser without its IS session (it ended, or the IS cookies are gone): a new IS session and grant.
    const again = await request.newContext({ ignoreHTTPSErrors: true, storageState: { cookies: appCookies, origins: [] } })
    await control.clearLog()
    const forced = await step(again, `${APP_URL}/login?prompt=login`, undefined, DOC)
    expect(forced.status()).toBe(302)
    const back = await authorizeAtIs(again, forced.headers().location)
    expect((await deliver(again, back)).status()).toBe(303)
    expect(await sessionState(again)).toBe('session')
    const revokes = (await control.log()).filter((e) => e.path.endsWith('/oauth2/revoke') && e.body?.token_type_hint === 'refresh_token')
    expect(revokes).toHaveLength(1)
    const profile = await again.get(`${APP_URL}/api/profile`)
    expect(profile.status()).toBe(200)
    expect(await sessionState(api)).toBe('anonymous')
    await Promise.all([api.dispose(), again.dispose()])
  })

  test('a refresh the IS refuses (invalid_grant) after expiry ends on "Your session has ended" and the session is gone', async ({ page }) => {
    expect((await control.api.put('/__test/lifetimes', { data: { AccessToken: ACCESS_LIFETIME } })).ok()).toBe(true)
    await login(page, APP_URL)
    const { body } = await sessionProfile(page.request)
    await control.scenario('respond', {
      endpoint: 'token',
      status: 400,
      body: { error: 'invalid_grant', error_description: 'Persisted access token data not found' },
    })
    await control.clearLog()
    // Expired, not just due: while the old token is valid a refused early refresh keeps serving it.
    await waitUntil(body.accessTokenExpiresAt + 1000, 'the access token expired')
    await page.getByRole('link', { name: 'Medical records' }).click()
    await expect(page).toHaveURL(/\/signin\?(.*&)?reason=session_ended/)
    await expect(page.getByTestId('session-ended')).toHaveText('Your session has ended. Please log in again.')
    expect((await refreshGrants(control)).length).toBeGreaterThanOrEqual(1)
    expect((await sessionCookies(page)).count).toBe(0)
    expect((await page.request.get('/api/auth/session')).status()).toBe(401)
    await page.goto('/')
    await expect(page).toHaveURL(/\/signin/)
    await expect(page.getByRole('link', { name: 'Login' })).toBeVisible()
  })

  test('a large token set without Redis logs in and survives reloads', async ({ page }) => {
    await control.client(CLIENT_ID, LARGE_TOKENS)
    await loginWithLargeTokens(page, APP_URL)
    expect((await sessionCookies(page)).count).toBeGreaterThanOrEqual(1)
  })

  test("the default token set's session is one cookie under 4 KB", async ({ page }) => {
    await login(page, APP_URL)
    await expect(page.getByTestId('greeting')).toHaveText('Hi admin')
    const cookies = await sessionCookies(page)
    expect(cookies.names).toEqual([SESSION_COOKIE])
    expect(cookies.bytes).toBeLessThan(4096)
  })

  test.describe('the dashboard calls /scim2/Me with the access token', () => {
    test('it shows the profile, and the clear 401 message once the IS revoked the access token', async ({ page }) => {
      await login(page, APP_URL)
      const scim = page.getByTestId('scim')
      await expect(scim).toHaveAttribute('data-status', '200')
      const profile = page.getByTestId('scim-profile')
      await expect(profile.getByRole('row', { name: /User name/ })).toContainText('admin')
      await expect(profile.getByRole('row', { name: /Email/ })).toContainText('admin@wso2.com')
      const session = await sessionProfile(page.request)
      await expect(profile.getByRole('row', { name: /User ID/ })).toContainText(session.body.user.sub)

      // The IS's own revocation endpoint (RFC 7009), as an administrator or another app would use it.
      const token = await accessToken(page)
      const is = await request.newContext({ ignoreHTTPSErrors: true })
      const revoked = await is.post(`${IS_URL}/oauth2/revoke`, {
        form: { token, token_type_hint: 'access_token' },
        headers: { authorization: `Basic ${Buffer.from(`${LOCAL_CLIENT.id}:${LOCAL_CLIENT.secret}`).toString('base64')}` },
      })
      expect(revoked.status()).toBe(200)
      await is.dispose()

      await page.reload()
      await expect(page.getByTestId('greeting')).toHaveText('Hi admin')
      await expect(scim).toHaveAttribute('data-status', '401')
      await expect(page.getByTestId('scim-error')).toHaveText(`${SCIM_401} (HTTP 401)`)
      await page.getByRole('button', { name: 'Check again' }).click()
      await expect(page.getByTestId('profile-check')).toHaveText(SCIM_401)
      expect((await page.request.get('/api/profile')).status()).toBe(401)
    })

    test('without the internal_login scope it shows the clear 403 message', async ({ page }) => {
      const app = await instance(5122, async () => ({ AUTH_SCOPE: 'openid profile email' }))
      await control.client(CLIENT_ID, { callback_url: CALLBACKS })
      await login(page, app.url)
      await expect(page.getByTestId('greeting')).toHaveText('Hi admin')
      await expect(page.getByTestId('scim')).toHaveAttribute('data-status', '403')
      await expect(page.getByTestId('scim-error')).toHaveText(`${SCIM_403} (HTTP 403)`)
      const api = await page.request.get(`${app.url}/api/profile`)
      expect(api.status()).toBe(403)
      expect(await api.json()).toMatchObject({ status: 403, reason: SCIM_403 })
    })
  })

  test.describe('useSession and its profile route /api/auth/session', () => {
    test('anonymous: 401, not cached', async () => {
      const api = await request.newContext({ ignoreHTTPSErrors: true })
      const response = await api.get(`${APP_URL}/api/auth/session`)
      expect(response.status()).toBe(401)
      expect(response.headers()['cache-control']).toContain('no-store')
      expect(await response.text()).not.toMatch(/token"/i)
      await api.dispose()
    })

    test('signed in: the user and the expiry, never a token; the dashboard shows the useSession status', async ({ page }) => {
      expect((await control.api.put('/__test/lifetimes', { data: { AccessToken: ACCESS_LIFETIME } })).ok()).toBe(true)
      await login(page, APP_URL)
      await expect(page.getByTestId('session-status')).toHaveAttribute('data-state', 'authenticated')
      await expect(page.getByTestId('session-status')).toContainText('Signed in as admin')

      const tokens = { access: await accessToken(page), id: await idToken(page) }
      const first = await sessionProfile(page.request)
      expect(first.response.headers()['cache-control']).toContain('no-store')
      expect(first.body.user).toMatchObject({ username: 'admin', email: 'admin@wso2.com' })
      expect(first.body.user.sub).toMatch(/^[0-9a-f-]{36}$/)
      expect(first.body.expiresAt).toBeGreaterThan(Date.now())
      expect(first.body.expiresAt).toBeLessThanOrEqual(Date.now() + 8 * 3600 * 1000)
      expect(first.body.accessTokenExpiresAt).toBeGreaterThan(Date.now() - ACCESS_LIFETIME * 1000)

      // A refresh shows which refresh token the session held when the first answer was made.
      await waitUntilDue(page.request)
      expect((await control.api.put('/__test/lifetimes', { data: { AccessToken: REFRESHED_LIFETIME } })).ok()).toBe(true)
      await control.clearLog()
      await page.reload()
      await expect(page.getByTestId('greeting')).toHaveText('Hi admin')
      const grants = await refreshGrants(control)
      expect(grants).toHaveLength(1)
      const heldRefreshToken = grants[0].body!.refresh_token
      expect(heldRefreshToken).toBeTruthy()
      const later = { access: await accessToken(page), id: await idToken(page) }
      expect(later.access).not.toBe(tokens.access)
      const second = await sessionProfile(page.request)

      for (const [answer, current] of [[first, tokens], [second, later]] as const) {
        for (const secret of [current.access, current.id, current.id.split('.')[2], heldRefreshToken]) expect(answer.text).not.toContain(secret)
        expect(answer.text).not.toMatch(/eyJ[\w-]+\.[\w-]+\./)
        expect(allKeys(answer.body).filter((k) => /token/i.test(k))).toEqual(['accessTokenExpiresAt'])
      }
      await expect(page.getByTestId('session-status')).toHaveAttribute('data-state', 'authenticated')
    })
  })
})
