/**
 * lib/auth in an app that is not myclinic (issue 10): a minimal Next.js 16 app in a temp folder goes
 * through docs/lib-auth.md (`npm run auth:add`, the printed `.env.local`, the page from the docs),
 * is built once per variant without `redis` installed, and a user logs in and out in Chromium
 * against the local IS. Variant 1: middleware.ts, no sign-in page, `next start` over http,
 * built before .env.local exists (as in CI). Variant 2: proxy.ts with --signin-page and
 * --server, `.env.local` written before the build (the docs' order), served by server.mjs over https.
 */
import { existsSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { expect, test, type Page } from '@playwright/test'
import { IS_URL, REAL_IS, USERNAME } from './env'
import { authAdd, build, cleanUp, docsBlock, freePort, printedEnv, printedRegistration, ROOT, scaffold, start, type RunningApp } from './fresh-app'
import { answerConsent, isControl, signInAtIs } from './helpers'

interface Variant {
  title: string
  flags: string[]
  scheme: 'http' | 'https'
  envBeforeBuild: boolean
  command: (port: number) => string[]
  env: (port: number) => Record<string, string>
}

const VARIANTS: Variant[] = [
  {
    title: 'middleware.ts, no sign-in page, next start over http',
    flags: [],
    scheme: 'http',
    envBeforeBuild: false,
    command: (port) => ['node_modules/next/dist/bin/next', 'start', '-p', String(port)],
    env: () => ({}),
  },
  {
    title: 'proxy.ts with --signin-page, server.mjs over https',
    flags: ['--proxy', '--signin-page', '--server'],
    scheme: 'https',
    envBeforeBuild: true,
    command: () => ['server.mjs'],
    env: (port) => ({ PORT: String(port), AUTH_TLS_KEY: join(ROOT, 'certs/app.key'), AUTH_TLS_CERT: join(ROOT, 'certs/app.crt') }),
  },
]

/** Seconds since `t0`, for the timing line of each variant. */
const since = (t0: number) => ((Date.now() - t0) / 1000).toFixed(1)

async function logInAtIs(page: Page, origin: string) {
  await expect(page).toHaveURL(new RegExp(`^${IS_URL}/`))
  await signInAtIs(page)
  await answerConsent(page, 'Allow', origin)
  await expect(page).toHaveURL(`${origin}/`)
  await expect(page.getByText(`Hi ${USERNAME}`)).toBeVisible()
}

async function logOutAtIs(page: Page) {
  await page.getByRole('button', { name: 'Log out' }).click()
  await expect(page).toHaveURL(new RegExp(`^${IS_URL}/`))
  await expect(page.getByText('Are you sure that you want to logout?')).toBeVisible()
  await page.getByRole('button', { name: 'Yes' }).click()
}

for (const variant of VARIANTS) {
  test.describe(`fresh Next.js app: ${variant.title}`, () => {
    test.skip(REAL_IS, 'registers its callback URLs through the local IS test control')
    test.describe.configure({ timeout: 600_000 })

    let dir: string | undefined
    let app: RunningApp | undefined
    let origin = ''
    let clientPath = ''
    let buildLog = ''

    test.beforeAll(async () => {
      const t0 = Date.now()
      const port = await freePort()
      origin = `${variant.scheme}://localhost:${port}`
      dir = scaffold()
      const t1 = Date.now()
      const output = authAdd(dir, [...variant.flags, '--host', origin])
      writeFileSync(join(dir, 'app', 'page.tsx'), docsBlock('app/page.tsx'))
      if (variant.envBeforeBuild) writeFileSync(join(dir, '.env.local'), printedEnv(output))
      const t2 = Date.now()
      buildLog = build(dir)
      const t3 = Date.now()
      if (!variant.envBeforeBuild) writeFileSync(join(dir, '.env.local'), printedEnv(output))
      const registration = printedRegistration(output)
      expect(registration, 'auth:add prints the test-control call for a port the stand-in does not know').not.toBeNull()
      clientPath = registration!.path
      const is = await isControl()
      expect((await is.put(clientPath, { data: registration!.body })).ok()).toBe(true)
      await is.dispose()
      app = await start(dir, variant.command(port), `${origin}/login`, variant.env(port))
      const s = (a: number, b: number) => ((b - a) / 1000).toFixed(1)
      console.log(`[fresh-app] ${variant.title}: ${since(t0)}s = app and node_modules ${s(t0, t1)}s + auth:add ${s(t1, t2)}s + next build ${s(t2, t3)}s + start ${since(t3)}s`)
    })

    test.afterAll(async () => {
      await app?.stop()
      if (clientPath) {
        const is = await isControl()
        await is.delete(clientPath)
        await is.dispose()
      }
      cleanUp(dir)
    })

    test('builds without redis installed, with / rendered per request', () => {
      expect(existsSync(join(dir!, 'node_modules', 'redis'))).toBe(false)
      expect(existsSync(join(dir!, 'node_modules', '@redis'))).toBe(false)
      expect(existsSync(join(dir!, '.next', 'BUILD_ID'))).toBe(true)
      // A page prerendered at build time would hold a redirect to /login for good.
      expect(buildLog).toMatch(/ƒ \/\n/)
    })

    test('logs in and out in Chromium', async ({ page, context }) => {
      const is = await isControl()
      await is.delete('/__test/backchannel')
      await page.goto(`${origin}/`)
      if (variant.flags.includes('--signin-page')) {
        await expect(page).toHaveURL(`${origin}/signin`)
        await page.getByRole('link', { name: 'Login' }).click()
      }
      await logInAtIs(page, origin)
      const cookies = await context.cookies(origin)
      const session = cookies.find((c) => c.name.includes('fresh-app-session'))
      expect(session).toMatchObject({ httpOnly: true, secure: variant.scheme === 'https' })
      expect(session!.name.startsWith('__Host-')).toBe(variant.scheme === 'https')
      await page.reload()
      await expect(page.getByText(`Hi ${USERNAME}`)).toBeVisible()

      await logOutAtIs(page)
      if (variant.flags.includes('--signin-page')) {
        // The IS adds the logout request's state to the post-logout redirect.
        await expect(page).toHaveURL(new RegExp(`^${origin}/signin(\\?|$)`))
        await expect(page.getByRole('link', { name: 'Login' })).toBeVisible()
      } else {
        await expect(page).toHaveURL(new RegExp(`^${origin}/logout`))
        await expect(page.getByRole('heading', { name: /You are signed out/ })).toBeVisible()
      }
      expect((await context.cookies(origin)).some((c) => c.name.includes('fresh-app-session'))).toBe(false)
      const deliveries = (await (await is.get('/__test/backchannel')).json()) as { uri: string; status: number }[]
      expect(deliveries.filter((d) => d.uri === `${origin}/logout/backchannel`).map((d) => d.status)).toEqual([200])
      await is.dispose()

      await page.goto(`${origin}/`)
      await expect(page).toHaveURL(variant.flags.includes('--signin-page') ? `${origin}/signin` : new RegExp(`^${IS_URL}/`))
    })
  })
}
