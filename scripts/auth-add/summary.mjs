/**
 * What auth:add prints after it ran: the files, the `.env.local` to try the app against this
 * repository's local WSO2 IS stand-in, the URLs to register at a real IS, and what is left to do.
 */
import { randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { REPO_ROOT } from './libauth.mjs'

/** The marker lines around the printed .env.local (tests/e2e/fresh-app.spec.ts reads between them). */
export const ENV_BEGIN = '----- .env.local -----'
export const ENV_END = '-----------------------'

/** The stand-in's `myclinic` client (tests/local-is/seed/clients.json). */
export function localIsClient() {
  const clients = JSON.parse(readFileSync(join(REPO_ROOT, 'tests/local-is/seed/clients.json'), 'utf8'))
  const client = clients.find((c) => c.name === 'myclinic')
  return { id: client.client_id, secret: client.client_secret, callbacks: String(client.callback_url) }
}

/** A new session secret: 32 random bytes, base64. */
export const newSessionSecret = () => randomBytes(32).toString('base64')

/**
 * The `.env.local` for the local IS stand-in.
 *
 * @param {string} host - AUTH_CLIENT_HOST.
 * @param {string} [secret]
 */
export function localEnv(host, secret = newSessionSecret()) {
  const client = localIsClient()
  return [
    `AUTH_CLIENT_HOST=${host}`,
    'AUTH_SERVER_ORIGIN=https://localhost:9443',
    `AUTH_CLIENT_ID=${client.id}`,
    `AUTH_CLIENT_SECRET=${client.secret}`,
    `AUTH_CERTIFICATE_PATH=${join(REPO_ROOT, 'certs', 'local-is.crt')}`,
    `AUTH_SESSION_SECRET=${secret}`,
  ].join('\n')
}

/** @param {string} text */
const escapeRegExp = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

/**
 * The URLs to register at the IS for an app at `host`.
 *
 * @param {string} host
 * @param {boolean} signInPage - Post-logout redirect to /signin (else /logout).
 */
export function registrationUrls(host, signInPage) {
  const login = `${host}/login`
  const postLogout = `${host}${signInPage ? '/signin' : '/logout'}`
  return { login, postLogout, backchannel: `${host}/logout/backchannel`, regexp: `regexp=(${escapeRegExp(login)}|${escapeRegExp(postLogout)})` }
}

/** The file lines: lib/auth as one line, every other change as its own. */
function fileLines(plan) {
  const words = { create: 'created', update: 'updated', same: 'unchanged', remove: 'removed', manual: 'BY HAND', conflict: 'differs' }
  const lib = plan.changes.filter((c) => c.lib)
  const tally = new Map()
  for (const c of lib) tally.set(c.action, (tally.get(c.action) ?? 0) + 1)
  const counts = [...tally].map(([action, n]) => `${n} ${words[action]}`)
  const libDir = lib[0]?.path.replace(/\/auth\/.*$/, '/auth/') ?? 'lib/auth/'
  const copied = lib.some((c) => c.action === 'create' || c.action === 'update')
  const lines = [`  ${(copied ? 'copied' : 'unchanged').padEnd(10)} ${libDir}  (${lib.length} files: ${counts.join(', ')})`]
  for (const c of plan.changes.filter((c) => !c.lib)) {
    const note = c.note && c.action !== 'same' ? `  (${c.note})` : ''
    lines.push(`  ${words[c.action].padEnd(10)} ${c.path}${note}`)
  }
  for (const extra of plan.extraLibFiles) lines.push(`  kept       ${extra}  (not in this lib/auth; delete it if it is an old file)`)
  return lines
}

/** The lines about the local IS stand-in when --host is not one of its registered origins. */
function standInLines(host, signInPage) {
  const client = localIsClient()
  const urls = registrationUrls(host, signInPage)
  if (client.callbacks.includes(urls.login) && client.callbacks.includes(urls.postLogout)) return []
  const body = JSON.stringify({ callback_url: urls.regexp, backchannel_logout_uri: urls.backchannel })
  return [
    `   The stand-in's client accepts only https://localhost:5000 and http://localhost:3000; register ${host}`,
    '   through its test control (start it with LOCAL_IS_TEST_CONTROL=1 npm run local-is):',
    `     curl -sk -X PUT https://localhost:9443/__test/client/${client.id} -H 'content-type: application/json' -d '${body}'`,
  ]
}

/** What to register at a real WSO2 IS or Asgardeo, and which keys to set. */
function realIsLines(host, signInPage) {
  const urls = registrationUrls(host, signInPage)
  return [
    `For your own WSO2 Identity Server or Asgardeo application (Protocol tab), with the app at ${host}:`,
    `  login callback              ${urls.login}`,
    `  post-logout redirect        ${urls.postLogout}`,
    `  WSO2's one callback entry   ${urls.regexp}`,
    `  back-channel logout URL     ${urls.backchannel}   (the IS must be able to reach it)`,
    'and set AUTH_CLIENT_HOST (the app\'s URL), AUTH_SERVER_ORIGIN (the IS; https://api.asgardeo.io with',
    'AUTH_TENANT_PATH=/t/<organization> for Asgardeo), AUTH_CLIENT_ID, AUTH_CLIENT_SECRET, AUTH_SESSION_SECRET',
    '(a new one per environment: openssl rand -base64 32) and, for an IS with a private CA only, AUTH_CERTIFICATE_PATH.',
  ]
}

/**
 * Everything auth:add prints after a run.
 *
 * @param {import('./plan.mjs').Plan} plan
 * @param {import('./args.mjs').Options} options
 * @returns {string}
 */
export function summary(plan, options) {
  const { host, signInPage, guard } = options
  const wrote = plan.changes.some((c) => c.action === 'create' || c.action === 'update' || c.action === 'remove')
  const manual = plan.changes.filter((c) => c.action === 'manual')
  const head = `${options.dryRun ? 'auth:add --dry-run (nothing written)' : 'auth:add'}: ${plan.target.root} (${guard}.ts, ${signInPage ? 'sign-in page at /signin' : 'no sign-in page'})`
  return [
    head,
    '',
    ...fileLines(plan),
    ...(wrote || options.dryRun ? [] : ['', 'Nothing to do: the app has lib/auth as this command writes it.']),
    ...manual.map((c) => `\n✖ ${c.path} was not patched: ${c.note}`),
    '',
    'Next steps',
    `  1. npm install   (in ${plan.target.root})`,
    '  2. Write .env.local. To try the app against this repository\'s local WSO2 IS stand-in',
    `     (npm run local-is in ${REPO_ROOT}; log in as admin / admin):`,
    '',
    ENV_BEGIN,
    localEnv(host),
    ENV_END,
    '',
    ...standInLines(host, signInPage),
    `  3. In a page:  import { auth } from '${plan.authImport}'  and  const session = await auth.requireSession()`,
    `  4. npm run dev, then open ${host === 'http://localhost:3000' ? host : `${host} (start the app there)`}`,
    '',
    ...realIsLines(host, signInPage),
    '',
    'Production: next start has no HTTPS and allows 16 KB of request headers; use server.mjs',
    `(${options.server ? 'written' : 'auth:add --server writes it'}) or a reverse proxy (docs/lib-auth.md, "Production").`,
    ...(options.redis ? [] : ['Several instances: npm install redis and set REDIS_URL (auth:add --redis adds the package).']),
  ].join('\n')
}
