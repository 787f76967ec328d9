import { spawnSync } from 'node:child_process'
import { X509Certificate } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect, test } from '@playwright/test'
import { startApp } from './app-server'
import { APP_PORT, appEnv, IS_URL, LOCAL_CLIENT, PASSWORD, REAL_IS, USERNAME } from './env'
import { isControl, login } from './helpers'

/** Where the app registered by setup runs: its own port (no other spec uses 5010) and its own callback URLs. */
const SETUP_APP_PORT = APP_PORT + 10
const SETUP_APP_URL = `https://localhost:${SETUP_APP_PORT}`
const NAME = 'myclinic-e2e-setup'

/** The KEY=value lines setup writes (values bare or double-quoted). */
function readEnvFile(file: string): Record<string, string> {
  const env: Record<string, string> = {}
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const m = /^([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line)
    if (m) env[m[1]] = m[2].startsWith('"') ? JSON.parse(m[2]) : m[2]
  }
  return env
}

test.describe('npm run setup, then the app with the written .env.local', () => {
  test.skip(REAL_IS, 'registers a new application in the local IS')
  test.setTimeout(180_000)
  let dir: string
  let app: Awaited<ReturnType<typeof startApp>> | undefined

  /** `npm run setup` for a new app against the IS Playwright started, non-interactive. */
  function runSetup() {
    const fingerprint = new X509Certificate(readFileSync('certs/local-is.crt')).fingerprint256
    const args = ['--server', IS_URL, '--name', NAME, '--app-url', SETUP_APP_URL, '--dir', dir,
      '--password-env', 'E2E_SETUP_PASSWORD', '--yes', '--trust-fingerprint', `sha256 Fingerprint=${fingerprint}`]
    const r = spawnSync(process.execPath, ['scripts/setup/index.mjs', ...args], {
      env: { PATH: process.env.PATH ?? '', E2E_SETUP_PASSWORD: PASSWORD } as unknown as NodeJS.ProcessEnv, encoding: 'utf8', timeout: 60_000,
    })
    return { status: r.status, output: `${r.stdout}${r.stderr}` }
  }

  test.beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'myclinic-setup-e2e-'))
  })

  test.afterAll(async () => {
    await app?.stop()
    const env = (() => { try { return readEnvFile(join(dir, '.env.local')) } catch { return undefined } })()
    if (env?.AUTH_CLIENT_ID) {
      const control = await isControl()
      const basic = Buffer.from(`${USERNAME}:${PASSWORD}`).toString('base64')
      await control.delete(`/api/identity/oauth2/dcr/v1.1/register/${env.AUTH_CLIENT_ID}`, { headers: { authorization: `Basic ${basic}` } })
      await control.dispose()
    }
    rmSync(dir, { recursive: true, force: true })
  })

  test('setup registers a new app; the app started with exactly its .env.local logs in and out; setup again changes nothing', async ({ page }) => {
    const first = runSetup()
    expect(first.status, first.output).toBe(0)
    expect(first.output).toContain(`+ registered "${NAME}" through Dynamic Client Registration`)
    const envFile = join(dir, '.env.local')
    const env = readEnvFile(envFile)
    expect(env.AUTH_CLIENT_ID).not.toBe(LOCAL_CLIENT.id)
    expect(env).toMatchObject({ AUTH_CLIENT_HOST: SETUP_APP_URL, AUTH_SERVER_ORIGIN: IS_URL, AUTH_TENANT_PATH: '' })
    // Every AUTH_* value the test app would otherwise get comes from the written file.
    for (const key of Object.keys(appEnv()).filter((k) => k.startsWith('AUTH_'))) expect(env, key).toHaveProperty(key)

    app = await startApp(SETUP_APP_PORT, env)
    await login(page, app.url)
    await expect(page.getByTestId('greeting')).toHaveText(`Hi ${USERNAME}`)
    await expect(page.getByTestId('attributes').locator('tr[data-claim="given_name"] td')).toHaveText('Admin')

    await page.getByRole('button', { name: 'Logout' }).click()
    await expect(page).toHaveURL(new RegExp(`^${IS_URL}/`))
    await expect(page.getByText('Are you sure that you want to logout?')).toBeVisible()
    await page.getByRole('button', { name: 'Yes' }).click()
    await expect(page).toHaveURL(new RegExp(`^${app.url}/signin`))
    await page.goto(`${app.url}/`)
    await expect(page).toHaveURL(`${app.url}/signin`)

    const before = { text: readFileSync(envFile, 'utf8'), mtime: statSync(envFile).mtimeMs }
    const again = runSetup()
    expect(again.status, again.output).toBe(0)
    expect(again.output).toContain('Done: nothing changed')
    expect({ text: readFileSync(envFile, 'utf8'), mtime: statSync(envFile).mtimeMs }).toEqual(before)
  })
})
