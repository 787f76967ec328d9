/**
 * Login options (issue 13), each driven the way a user meets it, in Chromium: a forced re-login
 * (prompt=login), a login hint, step-up after max_age (and an IS that does not honour it), silent
 * login with and without an IS session, sign-up then login, organization login, PAR,
 * private_key_jwt logins and refreshes, and refused login parameters.
 *
 * Extra app instances use ports 5110-5119; their callback URLs are allowed at the local IS for
 * the test that needs them, and every IS setting a test changes is put back in afterEach.
 */
import { generateKeyPairSync } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect, test, type Page, type Request } from '@playwright/test'
import { calculateJwkThumbprint, type JWK } from 'jose'
import { startApp } from './app-server'
import { APP_URL, IS_URL, LOCAL_CLIENT, PASSWORD, REAL_IS, USERNAME } from './env'
import { answerConsent, login, signInAtIs } from './helpers'
import { Control, type IsLogEntry } from './is-control'

const CLIENT_ID = LOCAL_CLIENT.id
const PKJWT_CLIENT_ID = 'myclinicPrivateKeyJwtClient1'
const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer'
const IS_ORIGIN = new URL(IS_URL).origin
/** The seeded organization (tests/local-is/seed/organizations.json) and its user. */
const BESTCARE = { id: 'b2b0a1c4-5e6f-4a7b-8c9d-0e1f2a3b4c5d', name: 'BestCare', user: 'olivia', password: 'olivia123' }
/** The main app (5000) and the extra instances of this spec (5110-5119). */
const CALLBACKS = 'regexp=(https://localhost:(5000|511[0-9])/(login|signin|logout))'

type LogEntry = IsLogEntry & { authorization?: { scheme: string } }

/** The IS's login form (basicauth.jsp), with or without a login hint. */
const loginForm = (page: Page) => page.locator('form#loginForm')

/** GET /oauth2/authorize requests in the IS log (the resume and consent steps are other paths or POSTs). */
async function authorizeRequests(control: Control): Promise<LogEntry[]> {
  return (await control.log()).filter((e) => e.method === 'GET' && e.path === '/oauth2/authorize')
}

/** Every request the page makes (redirect hops included), from now on. */
function recordRequests(page: Page): Request[] {
  const seen: Request[] = []
  page.on('request', (r) => seen.push(r))
  return seen
}

/** IS pages the browser was shown (login, organization and consent pages), from recorded requests. */
function isPagesShown(requests: Request[]): string[] {
  return requests
    .map((r) => new URL(r.url()))
    .filter((u) => u.origin === IS_ORIGIN && /\/authenticationendpoint\/|\/oauth2_consent/.test(u.pathname))
    .map((u) => u.pathname)
}

/**
 * After a navigation that may or may not need the IS (a step-up whose max_age the IS session still
 * meets): either `done` shows on the app, or the IS asks for the password, which is given.
 * Returns whether the IS asked.
 */
async function passIsIfAsked(page: Page, appOrigin: string, done: ReturnType<Page['locator']>): Promise<boolean> {
  await expect(done.or(loginForm(page))).toBeVisible()
  if (new URL(page.url()).origin === appOrigin) return false
  await signInAtIs(page)
  await answerConsent(page, 'Allow', appOrigin)
  return true
}

test.describe('login options (issue 13)', () => {
  test.describe.configure({ timeout: 120_000 })
  let control: Control

  test.beforeAll(async () => {
    if (!REAL_IS) control = await Control.open()
  })
  test.afterEach(async () => {
    if (REAL_IS) return
    await control.restore(CLIENT_ID, PKJWT_CLIENT_ID)
  })
  test.afterAll(async () => {
    await control?.api.dispose()
  })

  test('prompt=login: the IS asks for the password again although its session is alive, then the dashboard', async ({ page, context }) => {
    await login(page, APP_URL)
    await expect(page.getByTestId('greeting')).toHaveText(`Hi ${USERNAME}`)
    // The IS session (WSO2's commonAuthId cookie) is there.
    expect((await context.cookies(IS_URL)).map((c) => c.name)).toContain('commonAuthId')
    if (!REAL_IS) await control.clearLog()
    // Without prompt=login a signed-in user is sent straight back by the app (no IS round trip).
    await page.goto(`${APP_URL}/login`)
    await expect(page).toHaveURL(`${APP_URL}/`)
    await page.goto(`${APP_URL}/login?prompt=login`)
    await expect(page).toHaveURL((url) => url.origin === IS_ORIGIN)
    await expect(page.locator('#usernameUserInput')).toBeVisible()
    await signInAtIs(page)
    await answerConsent(page, 'Allow', APP_URL)
    await expect(page).toHaveURL(`${APP_URL}/`)
    await expect(page.getByTestId('greeting')).toHaveText(`Hi ${USERNAME}`)
    if (!REAL_IS) {
      const authorizes = await authorizeRequests(control)
      expect(authorizes.map((e) => e.query?.prompt)).toEqual(['login'])
    }
  })

  test('login_hint: the IS login page greets the hinted user, asks only the password, and the login completes', async ({ page }) => {
    await page.goto(`${APP_URL}/login?login_hint=${encodeURIComponent(USERNAME)}`)
    await expect(page).toHaveURL((url) => url.origin === IS_ORIGIN)
    await expect(page.getByRole('heading', { name: 'Welcome' })).toBeVisible()
    await expect(page.locator('#user-name-label')).toHaveText(USERNAME)
    await expect(page.locator('#usernameUserInput')).toHaveCount(0)
    await expect(page.locator('#username')).toHaveValue(USERNAME)
    await page.locator('#password').fill(PASSWORD)
    await page.getByRole('button', { name: 'Sign In' }).click()
    await answerConsent(page, 'Allow', APP_URL)
    await expect(page.getByTestId('greeting')).toHaveText(`Hi ${USERNAME}`)
  })

  test.describe('step-up (RECORDS_MAX_AGE=10)', () => {
    test.skip(REAL_IS, 'starts an extra app instance registered at the local IS')
    let app: Awaited<ReturnType<typeof startApp>>

    test.beforeAll(async () => {
      app = await startApp(5111, { RECORDS_MAX_AGE: '10' })
    })
    test.afterAll(async () => {
      await app?.stop()
    })
    test.beforeEach(async () => {
      await control.client(CLIENT_ID, { callback_url: CALLBACKS })
    })

    test('an old login is sent through a new login with max_age, the IS asks for the password, then /records shows', async ({ page }) => {
      const records = page.getByRole('heading', { name: 'Medical records' })
      await login(page, app.url)
      // The first visit steps up at once (this login asked for no max_age, so its ID token has no
      // auth_time); the IS may still find its own sign-in recent enough.
      await control.clearLog()
      await page.goto(`${app.url}/records`)
      await passIsIfAsked(page, app.url, records)
      await expect(page).toHaveURL(`${app.url}/records`)
      await expect(page.getByTestId('auth-time')).not.toHaveText('an unknown time')
      const first = await authorizeRequests(control)
      expect(first.length).toBeGreaterThanOrEqual(1)
      expect(first.map((e) => e.query?.max_age).every((v) => v === '10')).toBe(true)

      // The lifetime must genuinely pass: the last sign-in at the IS is now more than 10 s old. (10 s,
      // not less: the page must still find the new sign-in recent after a slow callback on a loaded machine.)
      await page.waitForTimeout(11_000)
      await control.clearLog()
      await page.goto(`${app.url}/records`)
      await expect(page).toHaveURL((url) => url.origin === IS_ORIGIN)
      await expect(page.locator('#usernameUserInput')).toBeVisible()
      await expect(page.locator('#password')).toBeEmpty()
      const authorizes = await authorizeRequests(control)
      expect(authorizes.map((e) => e.query?.max_age)).toEqual(['10'])
      expect(authorizes[0].query?.redirect_uri).toBe(`${app.url}/login`)
      await signInAtIs(page)
      await answerConsent(page, 'Allow', app.url)
      await expect(page).toHaveURL(`${app.url}/records`)
      await expect(records).toBeVisible()
      await expect(page.getByTestId('auth-time')).not.toHaveText('an unknown time')
    })

    test('an ID token whose auth_time is older than max_age ends in the coded step_up_failed page, not a 500', async ({ page }) => {
      // Every ID token now claims a sign-in ten minutes ago, whatever max_age asked for.
      await control.scenario('id_token_patch', { set: { auth_time: { $now: -600 } } })
      await login(page, app.url)
      await expect(page.getByTestId('greeting')).toBeVisible()
      const callback = page.waitForResponse((r) => r.url().startsWith(`${app.url}/login?`) && new URL(r.url()).searchParams.has('code'))
      await page.goto(`${app.url}/records`)
      const errorPage = page.locator('[data-error-code]')
      await passIsIfAsked(page, app.url, errorPage)
      expect((await callback).status()).toBe(403)
      await expect(errorPage).toHaveAttribute('data-error-code', 'step_up_failed')
      await expect(page.getByRole('heading', { name: 'Medical records' })).toHaveCount(0)
      expect((await authorizeRequests(control)).some((e) => e.query?.max_age === '10')).toBe(true)
    })
  })

  test.describe('silent login (prompt=none)', () => {
    test.skip(REAL_IS, 'counts requests in the local IS log')

    test('without an IS session: back on the sign-in page quietly, after exactly one authorization request', async ({ page }) => {
      await control.clearLog()
      const response = await page.goto(`${APP_URL}/login?prompt=none&returnTo=${encodeURIComponent('/records')}`)
      await page.waitForLoadState('networkidle')
      expect(response!.status()).toBe(200)
      await expect(page).toHaveURL(`${APP_URL}/signin?returnTo=%2Frecords`)
      await expect(page.getByRole('link', { name: 'Login' })).toBeVisible()
      await expect(page.locator('[data-error-code]')).toHaveCount(0)
      const authorizes = await authorizeRequests(control)
      expect(authorizes.map((e) => e.query?.prompt)).toEqual(['none'])
      // The IS answered login_required to the app's callback; no page of the IS was shown.
      const pages = (await control.log()).filter((e) => e.path.startsWith('/authenticationendpoint/'))
      expect(pages).toEqual([])
    })

    test('with an IS session: a session without any form', async ({ page, context }) => {
      await login(page, APP_URL)
      await context.clearCookies({ name: /^__Host-myclinic-/ })
      await page.goto(`${APP_URL}/`)
      await expect(page).toHaveURL(/\/signin/)
      await control.clearLog()
      const requests = recordRequests(page)
      await page.goto(`${APP_URL}/login?prompt=none`)
      await expect(page).toHaveURL(`${APP_URL}/`)
      await expect(page.getByTestId('greeting')).toHaveText(`Hi ${USERNAME}`)
      expect(isPagesShown(requests)).toEqual([])
      expect((await authorizeRequests(control)).map((e) => e.query?.prompt)).toEqual(['none'])
    })
  })

  test('sign-up: "Create account" leads to the IS self-registration; the new user then logs in', async ({ page, browser }) => {
    test.skip(REAL_IS, 'creates a user at the local IS')
    await control.client(CLIENT_ID, { callback_url: CALLBACKS })
    const app = await startApp(5112, { AUTH_SIGNUP: 'on' })
    try {
      const username = `e2e-signup-${Date.now().toString(36)}-${Math.floor(Math.random() * 1e6)}`
      const password = 'Sign-up-Pass-42!'
      await page.goto(`${app.url}/signin`)
      const create = page.getByRole('link', { name: 'Create account' })
      const href = new URL((await create.getAttribute('href'))!)
      expect(href.origin + href.pathname).toBe(`${IS_ORIGIN}/accountrecoveryendpoint/register.do`)
      expect(href.searchParams.get('client_id')).toBe(CLIENT_ID)
      expect(href.searchParams.get('sp')).toBe('myclinic')
      await create.click()
      await expect(page.getByRole('heading', { name: 'Sign Up' })).toBeVisible()
      await page.getByTestId('self-register-page-username-input').fill(username)
      await page.getByTestId('self-register-page-password-input').fill(password)
      await page.locator('#firstNameUserInput').fill('Sam')
      await page.locator('#lastNameUserInput').fill('Signup')
      await page.locator('#emailUserInput').fill(`${username}@example.org`)
      await page.getByRole('button', { name: 'Sign Up' }).click()
      await expect(page.getByTestId('self-register-complete-page-header')).toHaveText('Account created successfully')

      await login(page, app.url, username, password)
      await expect(page.getByTestId('greeting')).toHaveText(`Hi ${username}`)
      // Without the option there is no link.
      const plain = await browser.newPage({ ignoreHTTPSErrors: true })
      await plain.goto(`${APP_URL}/signin`)
      await expect(plain.getByRole('link', { name: 'Login' })).toBeVisible()
      await expect(plain.getByRole('link', { name: 'Create account' })).toHaveCount(0)
      await plain.close()
    } finally {
      await app.stop()
    }
  })

  test('organization login: BestCare by id and by the sign-in form; olivia reaches the dashboard', async ({ page, browser }) => {
    test.skip(REAL_IS, 'the organization is seeded at the local IS')
    // By id, as auth.signInUrl({ orgId }) links it.
    await control.clearLog()
    await page.goto(`${APP_URL}/login?orgId=${BESTCARE.id}`)
    await expect(page.locator('#organization-name')).toHaveText(BESTCARE.name)
    await signInAtIs(page, BESTCARE.user, BESTCARE.password)
    await answerConsent(page, 'Allow', APP_URL)
    await expect(page.getByTestId('greeting')).toHaveText(`Hi ${BESTCARE.user}`)
    const [byId] = await authorizeRequests(control)
    expect(byId.query).toMatchObject({ fidp: 'OrganizationSSO', orgId: BESTCARE.id })

    // By name, through the organization form of /signin, in a fresh browser.
    const context = await browser.newContext({ ignoreHTTPSErrors: true })
    try {
      const other = await context.newPage()
      await control.clearLog()
      await other.goto(`${APP_URL}/signin`)
      await other.getByRole('textbox', { name: 'Sign in with your organization' }).fill(BESTCARE.name)
      await other.getByRole('button', { name: 'Continue' }).click()
      await expect(other.locator('#organization-name')).toHaveText(BESTCARE.name)
      await signInAtIs(other, BESTCARE.user, BESTCARE.password)
      await answerConsent(other, 'Allow', APP_URL)
      await expect(other.getByTestId('greeting')).toHaveText(`Hi ${BESTCARE.user}`)
      const [byName] = await authorizeRequests(control)
      expect(byName.query).toMatchObject({ fidp: 'OrganizationSSO', org: BESTCARE.name })
    } finally {
      await context.close()
    }
  })

  test('PAR: the browser sees only client_id and request_uri, never redirect_uri; the IS got POST /oauth2/par', async ({ page }) => {
    test.skip(REAL_IS, 'reads the local IS log')
    await control.client(CLIENT_ID, { callback_url: CALLBACKS })
    const app = await startApp(5113, { AUTH_PAR: 'on' })
    try {
      await control.clearLog()
      const requests = recordRequests(page)
      await login(page, app.url)
      await expect(page.getByTestId('greeting')).toHaveText(`Hi ${USERNAME}`)
      const authorizes = requests.map((r) => new URL(r.url())).filter((u) => u.origin === IS_ORIGIN && u.pathname === '/oauth2/authorize' && u.search)
      expect(authorizes).toHaveLength(1)
      expect([...authorizes[0].searchParams.keys()].sort()).toEqual(['client_id', 'request_uri'])
      expect(authorizes[0].searchParams.get('client_id')).toBe(CLIENT_ID)
      expect(authorizes[0].searchParams.get('request_uri')).toMatch(/^urn:ietf:params:oauth:par:request_uri:/)
      // No URL the app or the IS's OAuth endpoints send the browser to names the redirect_uri. (The
      // IS's own login page, login.do, echoes the pushed parameters as WSO2's does: that is the IS
      // talking to itself, not the authorization request.)
      const urls = requests.map((r) => new URL(r.url())).filter((u) => !u.pathname.startsWith('/authenticationendpoint/'))
      expect(urls.length).toBeGreaterThan(3)
      expect(urls.filter((u) => u.href.includes('redirect_uri')).map((u) => u.href)).toEqual([])
      const pars = (await control.log()).filter((e) => e.path === '/oauth2/par')
      expect(pars.map((e) => e.method)).toEqual(['POST'])
      expect(pars[0].body).toMatchObject({ client_id: CLIENT_ID, redirect_uri: `${app.url}/login`, response_type: 'code' })
    } finally {
      await app.stop()
    }
  })

  test('AUTH_USERINFO=off: the dashboard shows the same attributes from the ID token alone, and the IS got no userinfo call', async ({ page, browser }) => {
    test.skip(REAL_IS, 'reads the local IS log')
    await control.client(CLIENT_ID, { callback_url: CALLBACKS })
    const attributes = async (p: Page) => {
      const rows = p.getByTestId('attributes').locator('tr[data-claim]')
      await expect(rows.first()).toBeVisible()
      return Object.fromEntries(await rows.evaluateAll((trs) => trs.map((tr) => [tr.getAttribute('data-claim'), tr.querySelector('td')?.textContent ?? ''])))
    }
    const withUserinfo = await browser.newPage()
    await login(withUserinfo, APP_URL)
    const expected = await attributes(withUserinfo)
    await withUserinfo.close()
    expect(expected).toMatchObject({ given_name: 'Admin', email: 'admin@wso2.com' })
    const app = await startApp(5115, { AUTH_USERINFO: 'off' })
    try {
      await control.clearLog()
      await login(page, app.url)
      await expect(page.getByTestId('greeting')).toHaveText(`Hi ${USERNAME}`)
      expect(await attributes(page)).toEqual(expected)
      const paths = (await control.log()).map((e) => e.path)
      expect(paths).toContain('/oauth2/token')
      expect(paths).not.toContain('/oauth2/userinfo')
    } finally {
      await app.stop()
    }
  })

  test('private_key_jwt: login and refresh authenticate with a signed assertion, never a client secret', async ({ page }) => {
    test.skip(REAL_IS, 'registers a key at the local IS')
    const dir = mkdtempSync(join(tmpdir(), 'myclinic-pkjwt-'))
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
    const keyPath = join(dir, 'client-key.pem')
    writeFileSync(keyPath, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 })
    const jwk = publicKey.export({ format: 'jwk' }) as JWK
    // The app's default kid: the RFC 7638 thumbprint of the public key.
    const kid = await calculateJwkThumbprint(jwk)
    await control.client(PKJWT_CLIENT_ID, { callback_url: CALLBACKS, jwks: { keys: [{ ...jwk, kid, alg: 'RS256', use: 'sig' }] } })
    // Short access tokens (4 s): the guard finds them due 2 s after they were issued.
    expect((await control.api.put('/__test/lifetimes', { data: { AccessToken: 4 } })).ok()).toBe(true)
    const app = await startApp(5114, { AUTH_CLIENT_ID: PKJWT_CLIENT_ID, AUTH_CLIENT_SECRET: '', AUTH_CLIENT_AUTH: 'private_key_jwt', AUTH_CLIENT_KEY: keyPath })
    try {
      await control.clearLog()
      await login(page, app.url)
      await expect(page.getByTestId('greeting')).toHaveText(`Hi ${USERNAME}`)
      const tokenCalls = async () => ((await control.log()) as LogEntry[]).filter((e) => e.path === '/oauth2/token')
      const grants = async () => (await tokenCalls()).map((e) => e.body?.grant_type)
      await expect
        .poll(async () => {
          await page.goto(`${app.url}/`)
          return grants()
        }, { timeout: 30_000, intervals: [1_000] })
        .toContain('refresh_token')
      await page.goto(`${app.url}/`)
      await expect(page).toHaveURL(`${app.url}/`)
      await expect(page.getByTestId('greeting')).toHaveText(`Hi ${USERNAME}`)
      const calls = await tokenCalls()
      expect(calls.map((e) => e.body?.grant_type)).toContain('authorization_code')
      for (const call of calls) {
        expect(call.body?.client_assertion_type).toBe(JWT_BEARER)
        expect(call.body?.client_assertion).toMatch(/^eyJ[\w-]+\.[\w-]+\.[\w-]+$/)
        expect(call.body).not.toHaveProperty('client_secret')
        expect(call.authorization).toBeUndefined()
      }
      expect(app.output()).not.toMatch(/config_invalid|invalid_client/)
    } finally {
      await app.stop()
      rmSync(dir, { recursive: true, force: true })
    }
  })

  test('refused login parameters: an unknown one and an over-long value are a coded 400, and nothing reaches the IS', async ({ page }) => {
    if (!REAL_IS) await control.clearLog()
    for (const query of ['foo=bar', `login_hint=${'a'.repeat(257)}`, 'prompt=login&prompt=none']) {
      const response = await page.goto(`${APP_URL}/login?${query}`)
      expect(response!.status(), query).toBe(400)
      await expect(page).toHaveURL((url) => url.origin === new URL(APP_URL).origin)
      await expect(page.locator('[data-error-code]')).toHaveAttribute('data-error-code', 'login_param_invalid')
    }
    // The longest accepted value still starts a login.
    const ok = await page.goto(`${APP_URL}/login?login_hint=${'a'.repeat(256)}`)
    expect(ok!.ok()).toBe(true)
    await expect(page).toHaveURL((url) => url.origin === IS_ORIGIN)
    if (!REAL_IS) expect((await authorizeRequests(control)).map((e) => e.query?.login_hint?.length)).toEqual([256])
  })
})
