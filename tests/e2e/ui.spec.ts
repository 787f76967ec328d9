/**
 * The UI: accessibility (axe-core, light and dark), the 360 px layout, keyboard use of the sign-in
 * link and the token buttons, and the screenshots in docs/screenshots/ that the README shows.
 */
import AxeBuilder from '@axe-core/playwright'
import { expect, test, type Locator, type Page } from '@playwright/test'
import { APP_URL, IS_URL, REAL_IS, USERNAME } from './env'
import { answerConsent, login, signInAtIs } from './helpers'

/** An error page that needs no IS: a callback whose state matches no pending sign-in. */
const ERROR_PAGE = `/login?code=x&state=${'a'.repeat(43)}`

async function expectNoSeriousViolations(page: Page, label: string) {
  const results = await new AxeBuilder({ page }).analyze()
  const serious = results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)
  expect(serious, `${label}: serious or critical axe violations`).toEqual([])
}

async function openErrorPage(page: Page) {
  const response = await page.goto(ERROR_PAGE)
  expect(response?.status()).toBe(400)
  await expect(page.locator('main[data-error-code]')).toBeVisible()
  await expect(page.getByTestId('error-code')).toHaveText(/^[a-z_]+$/)
}

/** Presses Tab until `target` has the focus; fails after `max` presses. */
async function tabTo(page: Page, target: Locator, max = 25) {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab')
    if (await target.evaluate((el) => el === document.activeElement)) return
  }
  throw new Error(`Tab never reached ${target}`)
}

for (const colorScheme of ['light', 'dark'] as const) {
  test(`axe: no serious or critical violation on sign-in, error page, dashboard and logout confirmation (${colorScheme})`, async ({ page }) => {
    await page.emulateMedia({ colorScheme })

    await page.goto('/signin')
    await expect(page.getByRole('heading', { name: 'Welcome to myclinic' })).toBeVisible()
    await expectNoSeriousViolations(page, 'sign-in page')

    await page.goto('/signin?reason=session_ended')
    await expect(page.getByTestId('session-ended')).toBeVisible()
    await expectNoSeriousViolations(page, 'sign-in page with the session-ended notice')

    await openErrorPage(page)
    await expectNoSeriousViolations(page, 'error page')
    await page.screenshot({ path: test.info().outputPath(`error-${colorScheme}.png`), fullPage: true })

    await login(page, APP_URL)
    await expect(page.getByTestId('greeting')).toHaveText(`Hi ${USERNAME}`)
    await expectNoSeriousViolations(page, 'dashboard (tokens masked)')
    await page.getByRole('button', { name: 'Show access token' }).click()
    await page.getByRole('button', { name: 'Show ID token' }).click()
    await expect(page.getByTestId('id-token')).toBeVisible()
    await expectNoSeriousViolations(page, 'dashboard (tokens revealed)')
    await page.screenshot({ path: test.info().outputPath(`dashboard-${colorScheme}.png`), fullPage: true })

    // The logout confirmation, shown for a cross-site GET /logout (the session survives it).
    await page.route('**/logout', async (route) => {
      const response = await route.fetch({ headers: { ...route.request().headers(), 'sec-fetch-site': 'cross-site' }, maxRedirects: 0 })
      await route.fulfill({ response })
    })
    await page.goto('/logout')
    await expect(page.getByRole('heading', { name: 'Log out of myclinic?' })).toBeVisible()
    await expectNoSeriousViolations(page, 'logout confirmation')
    await page.screenshot({ path: test.info().outputPath(`logout-${colorScheme}.png`), fullPage: true })
    await page.unroute('**/logout')

    await page.goto('/signin')
    await expect(page.getByRole('link', { name: /^Continue as / })).toBeVisible()
    await expectNoSeriousViolations(page, 'sign-in page while signed in')
  })
}

test.describe('at 360 px', () => {
  test.use({ viewport: { width: 360, height: 780 } })

  test('sign-in works and no page scrolls sideways', async ({ page }) => {
    const noSideScroll = async () => expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360)

    await page.goto('/signin')
    await noSideScroll()
    await page.screenshot({ path: test.info().outputPath('signin-360.png'), fullPage: true })
    await openErrorPage(page)
    await noSideScroll()

    await login(page, APP_URL)
    await expect(page.getByTestId('greeting')).toHaveText(`Hi ${USERNAME}`)
    await expect(page.getByTestId('attributes')).toBeVisible()
    await noSideScroll()
    await page.getByRole('button', { name: 'Show access token' }).click()
    await page.getByRole('button', { name: 'Show ID token' }).click()
    await expect(page.getByTestId('access-token')).toBeVisible()
    await noSideScroll()
    await page.screenshot({ path: test.info().outputPath('dashboard-360.png'), fullPage: true })
  })
})

test('keyboard: Login link, then Show and Copy on the dashboard', async ({ page, context }) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: APP_URL })

  await page.goto('/signin')
  const loginLink = page.getByRole('link', { name: 'Login', exact: true })
  await tabTo(page, loginLink)
  await page.keyboard.press('Enter')
  await expect(page).toHaveURL(new RegExp(`^${IS_URL}/`))
  await signInAtIs(page)
  await answerConsent(page, 'Allow', APP_URL)
  await expect(page).toHaveURL(`${APP_URL}/`)

  const token = page.getByTestId('access-token')
  const value = (await token.textContent())!
  expect(value.length).toBeGreaterThan(10)
  // Masked until asked for: the text is in the element, but the element is not shown.
  await expect(token).toBeHidden()

  const show = page.getByRole('button', { name: 'Show access token' })
  await tabTo(page, show)
  await page.keyboard.press('Enter')
  await expect(token).toBeVisible()
  await expect(token).toHaveText(value)
  const hide = page.getByRole('button', { name: 'Hide access token' })
  await expect(hide).toBeFocused()

  const copy = page.getByRole('button', { name: 'Copy access token' })
  await tabTo(page, copy, 3)
  await page.keyboard.press('Enter')
  await expect(page.getByTestId('access-token-copy-status')).toHaveText('Copied')
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(value)

  // Space works too, and hides the token again.
  await hide.focus()
  await page.keyboard.press('Space')
  await expect(token).toBeHidden()
  await expect(page.getByRole('button', { name: 'Show access token' })).toBeFocused()

  // The ID token has the same controls; its claims are decoded with readable names.
  const idToken = (await page.getByTestId('id-token').textContent())!
  await page.getByRole('button', { name: 'Copy ID token' }).click()
  await expect(page.getByTestId('id-token-copy-status')).toHaveText('Copied')
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(idToken)
  const claims = page.getByTestId('id-token-claims')
  await expect(claims.locator('tr[data-id-claim="exp"] th')).toContainText('Expires')
  await expect(claims.locator('tr[data-id-claim="exp"] td')).toContainText(/Expires in \d+:\d\d/)
  await expect(claims.locator('tr[data-id-claim="iat"] time')).toHaveAttribute('datetime', /^\d{4}-\d\d-\d\dT/)
  if (!REAL_IS) await expect(page.getByTestId('attributes').locator('tr[data-claim="given_name"] th')).toHaveText('Given name')

  // Logout is a plain form button, reachable by keyboard.
  await tabTo(page, page.getByRole('button', { name: 'Logout' }), 40)
})

test.describe('screenshots for the README', () => {
  test.use({ viewport: { width: 1280, height: 800 }, colorScheme: 'light' })
  // Against a real IS the dashboard would show a real user's attributes: never write those into docs/.
  test.skip(REAL_IS, 'screenshots are taken against the local IS only')
  // docs/screenshots/ is written only when asked (E2E_SCREENSHOTS=1), so a test run leaves the tree clean.
  const shot = (name: string) => (process.env.E2E_SCREENSHOTS === '1' ? `docs/screenshots/${name}` : test.info().outputPath(name))

  test('sign-in, IS login, dashboard (tokens masked) and error page', async ({ page }) => {
    await openErrorPage(page)
    await page.screenshot({ path: shot('error.png'), fullPage: true })

    await page.goto('/signin')
    await page.screenshot({ path: shot('signin.png'), fullPage: true })

    await page.getByRole('link', { name: 'Login' }).click()
    await expect(page.locator('#usernameUserInput')).toBeVisible()
    await page.screenshot({ path: shot('is-login.png'), fullPage: true })
    await signInAtIs(page)
    await answerConsent(page, 'Allow', APP_URL)
    await expect(page.getByTestId('greeting')).toHaveText(`Hi ${USERNAME}`)
    await expect(page.getByRole('timer').first()).toBeVisible()
    await expect(page.getByTestId('access-token')).toBeHidden()
    await page.screenshot({ path: shot('dashboard.png'), fullPage: true })
  })
})
