import { existsSync } from 'node:fs'
import { chromium, defineConfig, devices } from '@playwright/test'
import { APP_PORT, APP_URL, appEnv, IS_PORT, IS_URL, REAL_IS } from './tests/e2e/env'

/**
 * Playwright's own Chromium when it is installed (a developer laptop), Debian's otherwise
 * (`apt-get install chromium`: these machines cannot download browsers).
 */
function chromiumPath(): string | undefined {
  if (process.env.E2E_CHROMIUM) return process.env.E2E_CHROMIUM
  if (existsSync(chromium.executablePath())) return undefined
  for (const candidate of ['/usr/lib/chromium/chromium', '/usr/bin/chromium', '/usr/bin/chromium-browser']) {
    if (existsSync(candidate)) return candidate
  }
  return undefined
}

export default defineConfig({
  testDir: 'tests/e2e',
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  forbidOnly: Boolean(process.env.CI),
  reporter: process.env.CI ? [['list'], ['html', { open: 'never' }]] : [['list']],
  outputDir: 'test-results',
  use: {
    baseURL: APP_URL,
    ignoreHTTPSErrors: true,
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: chromiumPath(),
      args: ['--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
      chromiumSandbox: false,
    },
  },
  projects: [{ name: 'chromium', use: { ...devices['Desktop Chrome'], channel: undefined } }],
  webServer: [
    ...(REAL_IS
      ? []
      : [
          {
            command: 'node tests/local-is/server.mjs',
            url: `${IS_URL}/oauth2/token/.well-known/openid-configuration`,
            ignoreHTTPSErrors: true,
            reuseExistingServer: !process.env.CI,
            timeout: 60_000,
            env: { LOCAL_IS_PORT: String(IS_PORT), LOCAL_IS_TEST_CONTROL: '1', PATH: process.env.PATH ?? '' },
            stdout: 'ignore' as const,
            stderr: 'pipe' as const,
          },
        ]),
    {
      command: 'node scripts/start.mjs',
      url: `${APP_URL}/signin`,
      ignoreHTTPSErrors: true,
      reuseExistingServer: !process.env.CI,
      timeout: 120_000,
      env: appEnv({ PORT: String(APP_PORT) }),
      stdout: 'pipe',
      stderr: 'pipe',
    },
  ],
})
