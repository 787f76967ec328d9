import { expect, request as playwrightRequest, type Page } from '@playwright/test'
import { IS_URL, PASSWORD, USERNAME } from './env'

/** Fills the WSO2 login form (basicauth.jsp ids) and submits it. */
export async function signInAtIs(page: Page, username = USERNAME, password = PASSWORD) {
  await expect(page.locator('#usernameUserInput')).toBeVisible()
  await page.locator('#usernameUserInput').fill(username)
  await page.locator('#password').fill(password)
  await page.getByRole('button', { name: 'Sign In' }).click()
}

/** On the WSO2 consent page (if it is shown), clicks Allow or Deny. */
export async function answerConsent(page: Page, answer: 'Allow' | 'Deny', appOrigin: string) {
  await page.waitForURL((url) => url.origin === appOrigin || url.pathname.includes('oauth2_consent') || url.pathname.includes('consent'))
  if (new URL(page.url()).origin !== appOrigin) {
    await page.getByRole('button', { name: answer, exact: true }).click()
  }
}

/** The full login from the sign-in page: Login → IS login → consent → back on the app. */
export async function login(page: Page, appOrigin: string, username = USERNAME, password = PASSWORD) {
  await page.goto(`${appOrigin}/signin`)
  await page.getByRole('link', { name: 'Login' }).click()
  await page.waitForURL((url) => url.origin === new URL(IS_URL).origin)
  await signInAtIs(page, username, password)
  await answerConsent(page, 'Allow', appOrigin)
  await page.waitForURL(`${appOrigin}/`)
}

/** The local IS's test control (LOCAL_IS_TEST_CONTROL=1). */
export async function isControl() {
  return playwrightRequest.newContext({ baseURL: IS_URL, ignoreHTTPSErrors: true })
}
