import { expect, test } from '@playwright/test'
import { startApp } from './app-server'
import { LOCAL_CLIENT, REAL_IS, TENANT_APP_PORT } from './env'
import { isControl, login } from './helpers'

const CLIENT_ID = LOCAL_CLIENT.id


test.describe('tenant wso2.com through AUTH_TENANT_PATH', () => {
  test.skip(REAL_IS, 'needs the local IS tenant')
  let app: Awaited<ReturnType<typeof startApp>>

  test.beforeAll(async () => {
    const control = await isControl()
    // Register the second app's callbacks the way the WSO2 Console stores several URLs.
    const url = `https://localhost:${TENANT_APP_PORT}`
    await control.put(`/__test/client/${CLIENT_ID}`, {
      data: { callback_url: `regexp=(https://localhost:5000/login|https://localhost:5000/signin|${url}/login|${url}/signin)` },
    })
    app = await startApp(TENANT_APP_PORT, { AUTH_TENANT_PATH: '/t/wso2.com' })
  })

  test.afterAll(async () => {
    await app?.stop()
    const control = await isControl()
    await control.delete(`/__test/client/${CLIENT_ID}`)
  })

  test('kim of wso2.com logs in; the issuer carries the tenant', async ({ page }) => {
    await login(page, app.url, 'kim', 'kim12345')
    await expect(page.getByTestId('greeting')).toHaveText('Hi kim@wso2.com')
    await expect(page.getByText('Signed in through localhost:9443')).toBeVisible()
    await expect(page.getByTestId('attributes').locator('tr[data-claim="given_name"] td')).toHaveText('Kim')
  })

  test('a super-tenant user cannot sign in to the tenant', async ({ page }) => {
    await page.goto(`${app.url}/signin`)
    await page.getByRole('link', { name: 'Login' }).click()
    await page.locator('#usernameUserInput').fill('admin')
    await page.locator('#password').fill('admin')
    await page.getByRole('button', { name: 'Sign In' }).click()
    await expect(page.getByText('Login failed! Please check your username and password and try again.')).toBeVisible()
  })
})
