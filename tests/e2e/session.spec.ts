import { expect, test, type APIRequestContext } from '@playwright/test'
import { startApp } from './app-server'
import { APP_URL, LOCAL_CLIENT, REAL_IS, ROTATED_SESSION_SECRET, TEST_SESSION_SECRET } from './env'
import { isControl, login } from './helpers'

const CLIENT_ID = LOCAL_CLIENT.id

const DOC = { 'sec-fetch-dest': 'document', 'sec-fetch-mode': 'navigate', 'sec-fetch-site': 'same-origin', accept: 'text/html' }

test.describe('sessions', () => {
  test.skip(REAL_IS, 'drives the local IS test control')
  let control: APIRequestContext

  test.beforeAll(async () => {
    control = await isControl()
  })
  test.afterEach(async () => {
    await control.delete('/__test/lifetimes')
    await control.delete(`/__test/client/${CLIENT_ID}`)
  })

  test('the access token is refreshed early; 10 parallel requests at expiry keep the session', async ({ page }) => {
    // A token that lives 12 s is due for refresh after half its life (the 60 s buffer is capped at 6 s).
    await control.put('/__test/lifetimes', { data: { AccessToken: 12 } })
    await login(page, APP_URL)
    const before = (await page.getByTestId('access-token').textContent())!.trim()
    await control.delete('/__test/log')
    await page.waitForTimeout(7_000)

    const responses = await Promise.all(
      Array.from({ length: 10 }, () => page.request.get('/', { headers: DOC })),
    )
    for (const response of responses) {
      expect(response.status()).toBe(200)
      expect(new URL(response.url()).pathname).toBe('/')
      expect(await response.text()).toMatch(/Hi (<!-- -->)?admin/)
    }
    const log = (await (await control.get('/__test/log')).json()) as { path: string; body?: Record<string, string> }[]
    const refreshes = log.filter((r) => r.path.endsWith('/oauth2/token') && r.body?.grant_type === 'refresh_token')
    expect(refreshes.length).toBeGreaterThanOrEqual(1)
    expect(refreshes.length).toBeLessThanOrEqual(2)

    await page.reload()
    await expect(page.getByTestId('greeting')).toHaveText('Hi admin')
    const after = (await page.getByTestId('access-token').textContent())!.trim()
    expect(after).not.toBe(before)
  })

  test('a refresh refused with invalid_grant after expiry ends the session with a way back to login', async ({ page }) => {
    // Silence the back-channel POST so only the refresh path can end the session.
    await control.put(`/__test/client/${CLIENT_ID}`, { data: { backchannel_logout_uri: '' } })
    await control.put('/__test/lifetimes', { data: { AccessToken: 5 } })
    await login(page, APP_URL)
    // Ending the IS session revokes the grant: the refresh token is now dead.
    expect((await control.post('/__test/logout-session', { data: { username: 'admin' } })).ok()).toBe(true)
    await page.waitForTimeout(6_000)
    await page.reload()
    await expect(page).toHaveURL(/\/signin\?.*reason=session_ended/)
    await expect(page.getByTestId('session-ended')).toBeVisible()
    await page.goto('/')
    await expect(page).toHaveURL(/\/signin/)
  })

  test('logout from the IS side (back-channel) ends the app session on the next page load', async ({ page }) => {
    await control.delete('/__test/backchannel')
    await login(page, APP_URL)
    const ended = await control.post('/__test/logout-session', { data: { username: 'admin' } })
    expect(ended.ok()).toBe(true)
    const deliveries = (await (await control.get('/__test/backchannel')).json()) as { status?: number; url?: string }[]
    expect(deliveries.some((d) => d.status === 200)).toBe(true)
    await page.reload()
    await expect(page).toHaveURL(/\/signin/)
  })

  test('a cookie copied before logout stops working after logout', async ({ page, browser }) => {
    await login(page, APP_URL)
    const copied = await page.context().cookies(APP_URL)
    await page.getByRole('button', { name: 'Logout' }).click()
    await page.getByRole('button', { name: 'Yes' }).click()
    await expect(page).toHaveURL(/\/signin/)
    const thief = await browser.newContext({ ignoreHTTPSErrors: true })
    await thief.addCookies(copied)
    const stolen = await thief.newPage()
    await stolen.goto(`${APP_URL}/`)
    await expect(stolen).toHaveURL(/\/signin/)
    await thief.close()
  })

  test('a 10 KB JWT token set is chunked into several cookies and survives reloads', async ({ page, context }) => {
    const claims = Object.fromEntries(Array.from({ length: 120 }, (_, i) => [`claim_${i}`, `value-${i}-${'x'.repeat(60)}`]))
    await control.put(`/__test/client/${CLIENT_ID}`, { data: { access_token_type: 'jwt', extra_access_token_claims: claims } })
    await login(page, APP_URL)
    const token = (await page.getByTestId('access-token').textContent())!.trim()
    expect(token.split('.')).toHaveLength(3)
    expect(token.length).toBeGreaterThan(10_000)
    const chunks = (await context.cookies(APP_URL)).filter((c) => c.name.startsWith('__Host-myclinic-session'))
    expect(chunks.length).toBeGreaterThan(1)
    expect(chunks.every((c) => c.value.length <= 3800)).toBe(true)
    await page.reload()
    await expect(page.getByTestId('greeting')).toHaveText('Hi admin')
    expect((await page.getByTestId('access-token').textContent())!.trim()).toBe(token)
  })

  test('rotating AUTH_SESSION_SECRET keeps the session; removing the old secret ends it', async ({ page }) => {
    const port = 5003
    const url = `https://localhost:${port}`
    await control.put(`/__test/client/${CLIENT_ID}`, {
      data: { callback_url: `regexp=(https://localhost:5000/login|https://localhost:5000/signin|${url}/login|${url}/signin)` },
    })
    const oldSecret = TEST_SESSION_SECRET
    const newSecret = ROTATED_SESSION_SECRET
    let app = await startApp(port, { AUTH_SESSION_SECRET: oldSecret })
    try {
      await login(page, url)
      await app.stop()
      app = await startApp(port, { AUTH_SESSION_SECRET: `${newSecret},${oldSecret}` })
      await page.goto(`${url}/`)
      await expect(page.getByTestId('greeting')).toHaveText('Hi admin')
      await app.stop()
      app = await startApp(port, { AUTH_SESSION_SECRET: newSecret })
      await page.goto(`${url}/`)
      await expect(page).toHaveURL(/\/signin/)
    } finally {
      await app.stop()
    }
  })
})
