/**
 * `npm run test:e2e`: one production build for every spec, then Playwright (which starts the local
 * IS and the app, see playwright.config.ts). The build is reused while its inputs are unchanged
 * (a fingerprint of their content, see build-inputs.mjs).
 * Extra arguments go to `playwright test` (e.g. `npm run test:e2e -- tests/e2e/login.spec.ts`).
 */
import { spawnSync } from 'node:child_process'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { buildFingerprint } from './build-inputs.mjs'
import { ensureAppCertificate, ROOT } from './certs.mjs'

function run(command, args, env = {}) {
  const result = spawnSync(command, args, { cwd: ROOT, stdio: 'inherit', env: { ...process.env, ...env } })
  if (result.status !== 0) process.exit(result.status ?? 1)
}

await ensureAppCertificate()
const stamp = join(ROOT, '.next', 'e2e-build-inputs')
const fingerprint = buildFingerprint(ROOT)
const built = existsSync(join(ROOT, '.next', 'BUILD_ID')) && existsSync(stamp) && readFileSync(stamp, 'utf8') === fingerprint
if (!built || process.env.E2E_REBUILD === '1') {
  console.log('[e2e] building the app once for all specs')
  run(process.execPath, [join(ROOT, 'node_modules/next/dist/bin/next'), 'build'], { NODE_ENV: 'production' })
  writeFileSync(stamp, fingerprint)
} else {
  console.log('[e2e] reusing the existing production build (.next)')
}
run(process.execPath, [join(ROOT, 'node_modules/@playwright/test/cli.js'), 'test', ...process.argv.slice(2)])
