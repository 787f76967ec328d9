import { expect, test } from '@playwright/test'
import { APP_URL, IS_URL, PASSWORD, REAL_IS, USERNAME } from './env'
import { answerConsent, login, signInAtIs } from './helpers'

test.describe('login to logout in Chromium', () => {
  test('/ → /signin → IS login → consent → dashboard → reload → logout → /signin', async ({ page, context }) => {
    await page.goto('/')
    await expect(page).toHaveURL(`${APP_URL}/signin`)
    await expect(page.getByRole('heading', { name: 'Welcome to myclinic' })).toBeVisible()

    await page.getByRole('link', { name: 'Login' }).click()
    await expect(page).toHaveURL(new RegExp(`^${IS_URL}/.*`))
    await signInAtIs(page)
    await answerConsent(page, 'Allow', APP_URL)

    await expect(page).toHaveURL(`${APP_URL}/`)
    await expect(page.getByTestId('greeting')).toHaveText(`Hi ${USERNAME}`)
    const attributes = page.getByTestId('attributes')
    await expect(attributes).toBeVisible()
    if (!REAL_IS) {
      await expect(attributes.locator('tr[data-claim="given_name"] td')).toHaveText('Admin')
      await expect(attributes.locator('tr[data-claim="email"] td')).toHaveText('admin@wso2.com')
    }
    const token = (await page.getByTestId('access-token').textContent())?.trim()
    expect(token?.length).toBeGreaterThan(10)

    const cookies = await context.cookies(APP_URL)
    const session = cookies.find((c) => c.name.startsWith('__Host-myclinic-session'))
    expect(session).toMatchObject({ httpOnly: true, secure: true, sameSite: 'Lax', path: '/' })
    expect(session!.value.startsWith('Fe26.2*')).toBe(true)
    expect(cookies.some((c) => c.name.startsWith('__Host-myclinic-txn.'))).toBe(false)
    expect(await page.evaluate(() => document.cookie)).not.toContain('myclinic-session')

    await page.reload()
    await expect(page.getByTestId('greeting')).toHaveText(`Hi ${USERNAME}`)

    await page.getByRole('button', { name: 'Logout' }).click()
    await expect(page).toHaveURL(new RegExp(`^${IS_URL}/`))
    await expect(page.getByText('Are you sure that you want to logout?')).toBeVisible()
    await page.getByRole('button', { name: 'Yes' }).click()
    await expect(page).toHaveURL(new RegExp(`^${APP_URL}/signin`))

    await page.goto('/')
    await expect(page).toHaveURL(`${APP_URL}/signin`)
    expect((await context.cookies(APP_URL)).some((c) => c.name.startsWith('__Host-myclinic-session'))).toBe(false)
  })

  test('returnTo survives the round trip and stays on the app', async ({ page }) => {
    await page.goto('/?tab=attributes')
    await expect(page).toHaveURL(`${APP_URL}/signin?returnTo=%2F%3Ftab%3Dattributes`)
    await page.getByRole('link', { name: 'Login' }).click()
    await signInAtIs(page)
    await answerConsent(page, 'Allow', APP_URL)
    await expect(page).toHaveURL(`${APP_URL}/?tab=attributes`)
  })

  test('a wrong password stays on the IS with its failure text', async ({ page }) => {
    await page.goto('/signin')
    await page.getByRole('link', { name: 'Login' }).click()
    await signInAtIs(page, USERNAME, `${PASSWORD}-wrong`)
    await expect(page.getByText('Login failed! Please check your username and password and try again.')).toBeVisible()
    expect(new URL(page.url()).origin).toBe(new URL(IS_URL).origin)
    await expect(page.locator('#usernameUserInput')).toBeVisible()
  })

  test('two tabs can log in at the same time', async ({ context }) => {
    const one = await context.newPage()
    const two = await context.newPage()
    await one.goto('/signin')
    await one.getByRole('link', { name: 'Login' }).click()
    await two.goto('/signin')
    await two.getByRole('link', { name: 'Login' }).click()
    await signInAtIs(one)
    await answerConsent(one, 'Allow', APP_URL)
    await expect(one.getByTestId('greeting')).toBeVisible()
    // Tab two's IS page is still pending; the IS session now exists, so reload continues it.
    await two.reload()
    if (await two.locator('#usernameUserInput').isVisible()) await signInAtIs(two)
    await answerConsent(two, 'Allow', APP_URL)
    await expect(two.getByTestId('greeting')).toBeVisible()
  })
})

test.describe('errors from the IS', () => {
  test.skip(REAL_IS, 'needs the local IS users')

  test('consent denied → coded error page, no session', async ({ page, request }) => {
    await page.goto('/signin')
    await page.getByRole('link', { name: 'Login' }).click()
    await signInAtIs(page, 'alice', 'alice123')
    await expect(page.getByRole('button', { name: 'Deny', exact: true })).toBeVisible()
    const response = page.waitForResponse((r) => r.url().startsWith(`${APP_URL}/login?`))
    await page.getByRole('button', { name: 'Deny', exact: true }).click()
    expect((await response).status()).toBe(403)
    await expect(page.locator('[data-error-code="access_denied"]')).toBeVisible()
    await expect(page.getByRole('link', { name: 'Try again' })).toBeVisible()
    await page.goto('/')
    await expect(page).toHaveURL(`${APP_URL}/signin`)
    void request
  })
})
