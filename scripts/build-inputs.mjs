/**
 * What the production build is made of, as one fingerprint, so `npm run test:e2e` rebuilds exactly
 * when something the build reads changed. Everything in the project root counts except what the
 * build never reads (tests, docs, bench, scripts other than the server, dot folders, build
 * output), so a new top-level folder (components/, say) can never be forgotten.
 */
import { createHash } from 'node:crypto'
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'

/** Top-level entries the build does not read. */
export const NOT_BUILD_INPUTS = new Set(['node_modules', '.next', '.git', 'tests', 'docs', 'bench', 'scripts', 'certs', 'test-results', 'playwright-report', '.ci', 'README.md', '.env.example', '.dev-session-secret', 'tsconfig.tsbuildinfo'])

function* files(dir, root) {
  for (const name of readdirSync(dir).sort()) {
    if (dir === root && (NOT_BUILD_INPUTS.has(name) || (name.startsWith('.') && !name.startsWith('.env')))) continue
    const path = join(dir, name)
    const stat = statSync(path)
    if (stat.isDirectory()) yield* files(path, root)
    else yield path
  }
}

/**
 * The SHA-256 of every build input's path and content.
 *
 * @param {string} root - The project root.
 * @returns {string} Hex digest.
 */
export function buildFingerprint(root) {
  const hash = createHash('sha256')
  for (const path of files(root, root)) {
    hash.update(relative(root, path)).update('\0').update(readFileSync(path)).update('\0')
  }
  return hash.digest('hex')
}
