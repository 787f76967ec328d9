/**
 * Command line of `npm run auth:add`: parsing (node:util parseArgs) and validation. Touches
 * neither the network nor the disk.
 */
import { resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { AuthAddError } from './errors.mjs'

export const USAGE = `npm run auth:add -- <path-to-next-app> [options]

Adds lib/auth (OpenID Connect login with WSO2 Identity Server or Asgardeo) to a Next.js 16
App Router app: copies lib/auth, writes auth.ts, the auth route handlers and the guard, patches
next.config (and tsconfig.json when it has no @/* alias) and adds the dependencies to package.json.

  --proxy          guard with proxy.ts (Node.js runtime: revocation checks, inline refresh)
                   instead of middleware.ts (edge runtime)
  --signin-page    add a public sign-in page at /signin; without it, visitors without a
                   session go straight to the identity server
  --server         also write server.mjs: the production server over HTTPS with room for
                   large session cookies (next start has no HTTPS)
  --redis          also add the redis package (for REDIS_URL, several instances)
  --host <origin>  where the app runs, for the printed .env.local and URLs
                   (default http://localhost:3000, where next dev listens)
  --force          overwrite files that differ from what auth:add writes
  --dry-run        show what would change, write nothing
  --help, -h       this text

Running it again changes nothing; a file that differs is refused unless --force.`

const SPEC = /** @type {const} */ ({
  proxy: { type: 'boolean' },
  'signin-page': { type: 'boolean' },
  server: { type: 'boolean' },
  redis: { type: 'boolean' },
  host: { type: 'string' },
  force: { type: 'boolean' },
  'dry-run': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
})

/**
 * @typedef {object} Options
 * @property {string} target - Absolute path of the app.
 * @property {'middleware' | 'proxy'} guard
 * @property {boolean} signInPage
 * @property {boolean} server
 * @property {boolean} redis
 * @property {string} host - Origin, no trailing slash.
 * @property {boolean} force
 * @property {boolean} dryRun
 */

/**
 * The app's origin: http(s), no path, query or credentials.
 *
 * @param {string} value
 * @returns {string}
 */
export function parseHost(value) {
  let url
  try {
    url = new URL(value)
  } catch {
    throw new AuthAddError('usage', `--host ${value} is not a URL`, { hint: 'For example --host https://app.example.com' })
  }
  const bare = url.pathname === '/' && !url.search && !url.hash && !url.username && !url.password
  if (!/^https?:$/.test(url.protocol) || !bare) {
    throw new AuthAddError('usage', `--host ${value} must be an origin (http or https, no path)`, { hint: 'For example --host https://app.example.com' })
  }
  return url.origin
}

/**
 * @param {string[]} argv - Arguments after the script name.
 * @param {string} [cwd] - Resolves a relative target.
 * @returns {{ help: true } | { help: false, options: Options }}
 */
export function parseCommandLine(argv, cwd = process.cwd()) {
  let parsed
  try {
    parsed = parseArgs({ args: argv, options: SPEC, allowPositionals: true, strict: true })
  } catch (error) {
    throw new AuthAddError('usage', /** @type {Error} */ (error).message, { hint: 'Run `npm run auth:add -- --help` for the options.' })
  }
  const { values, positionals } = parsed
  if (values.help) return { help: true }
  if (positionals.length !== 1) {
    throw new AuthAddError('usage', positionals.length ? 'give exactly one target folder' : 'the path of the Next.js app is missing', { hint: 'npm run auth:add -- ../my-app [--proxy] [--signin-page]' })
  }
  return {
    help: false,
    options: {
      target: resolve(cwd, positionals[0]),
      guard: values.proxy ? 'proxy' : 'middleware',
      signInPage: Boolean(values['signin-page']),
      server: Boolean(values.server),
      redis: Boolean(values.redis),
      host: parseHost(values.host ?? 'http://localhost:3000'),
      force: Boolean(values.force),
      dryRun: Boolean(values['dry-run']),
    },
  }
}
