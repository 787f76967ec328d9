/**
 * `npm run test:e2e`: one production build for every spec, then Playwright (which starts the local
 * IS and the app, see playwright.config.ts). The build is reused when no source file is newer.
 * Extra arguments go to `playwright test` (e.g. `npm run test:e2e -- tests/e2e/login.spec.ts`).
 */
import { spawnSync } from 'node:child_process'
import { existsSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { ensureAppCertificate, ROOT } from './certs.mjs'

const SOURCES = ['app', 'lib', 'public', 'middleware.ts', 'instrumentation.ts', 'instrumentation-node.ts', 'next.config.mjs', 'package-lock.json', 'postcss.config.mjs']

function newest(path) {
  if (!existsSync(path)) return 0
  const stat = statSync(path)
  if (!stat.isDirectory()) return stat.mtimeMs
  return Math.max(0, ...readdirSync(path).map((name) => newest(join(path, name))))
}

function run(command, args, env = {}) {
  const result = spawnSync(command, args, { cwd: ROOT, stdio: 'inherit', env: { ...process.env, ...env } })
  if (result.status !== 0) process.exit(result.status ?? 1)
}

await ensureAppCertificate()
const buildId = join(ROOT, '.next', 'BUILD_ID')
const stale = !existsSync(buildId) || Math.max(...SOURCES.map((s) => newest(join(ROOT, s)))) > statSync(buildId).mtimeMs
if (stale || process.env.E2E_REBUILD === '1') {
  console.log('[e2e] building the app once for all specs')
  run(process.execPath, [join(ROOT, 'node_modules/next/dist/bin/next'), 'build'], { NODE_ENV: 'production' })
} else {
  console.log('[e2e] reusing the existing production build (.next)')
}
run(process.execPath, [join(ROOT, 'node_modules/@playwright/test/cli.js'), 'test', ...process.argv.slice(2)])
