/**
 * `npm run dev`: the app at https://localhost:5000 with a locally made certificate.
 * With no AUTH_SERVER_ORIGIN configured (environment or .env.local) it also starts the local WSO2
 * IS stand-in (tests/local-is) at https://localhost:9443 and points the app at its myclinic client.
 * A random session secret is made once and kept in .dev-session-secret (git-ignored).
 */
import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { Agent, fetch } from 'undici'
import { CERT_DIR, ensureAppCertificate, ROOT } from './certs.mjs'
import { banner, loadEnv } from './env.mjs'
import { MYCLINIC } from '../tests/local-is/seed/index.mjs'

loadEnv(true)
const children = []
const { key, cert } = await ensureAppCertificate()

function sessionSecret() {
  const file = join(ROOT, '.dev-session-secret')
  if (existsSync(file)) return readFileSync(file, 'utf8').trim()
  const secret = randomBytes(32).toString('base64url')
  writeFileSync(file, `${secret}\n`, { mode: 0o600 })
  return secret
}

async function waitFor(url, ca, timeoutMs = 30_000) {
  const dispatcher = new Agent({ connect: { ca } })
  const end = Date.now() + timeoutMs
  while (Date.now() < end) {
    try {
      const res = await fetch(url, { dispatcher })
      if (res.ok) return
    } catch {}
    await new Promise((r) => setTimeout(r, 300))
  }
  throw new Error(`timed out waiting for ${url}`)
}

let isLine
if (!process.env.AUTH_SERVER_ORIGIN) {
  const port = process.env.LOCAL_IS_PORT || '9443'
  const is = spawn(process.execPath, [join(ROOT, 'tests/local-is/server.mjs')], {
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, LOCAL_IS_PORT: port },
  })
  children.push(is)
  is.on('exit', (code) => {
    if (code) console.error(`[dev] local IS exited with code ${code}`)
  })
  const origin = `https://localhost:${port}`
  const caFile = join(CERT_DIR, 'local-is.crt')
  // The IS writes its certificate on first start; wait for it, then for discovery to answer.
  for (let i = 0; i < 100 && !existsSync(caFile); i++) await new Promise((r) => setTimeout(r, 200))
  await waitFor(`${origin}/oauth2/token/.well-known/openid-configuration`, readFileSync(caFile))
  Object.assign(process.env, {
    AUTH_SERVER_ORIGIN: origin,
    AUTH_CLIENT_ID: process.env.AUTH_CLIENT_ID || MYCLINIC.client_id,
    AUTH_CLIENT_SECRET: process.env.AUTH_CLIENT_SECRET || MYCLINIC.client_secret,
    AUTH_CERTIFICATE_PATH: process.env.AUTH_CERTIFICATE_PATH || 'certs/local-is.crt',
  })
  isLine = `Identity server: local WSO2 IS stand-in at ${origin} (no AUTH_SERVER_ORIGIN set)`
} else {
  isLine = `Identity server: ${process.env.AUTH_SERVER_ORIGIN}${process.env.AUTH_TENANT_PATH || ''}`
}
process.env.AUTH_SESSION_SECRET ||= sessionSecret()

const port = process.env.PORT || '5000'
const nextBin = join(ROOT, 'node_modules/next/dist/bin/next')
const app = spawn(
  process.execPath,
  [nextBin, 'dev', '-p', port, '-H', 'localhost', '--experimental-https', '--experimental-https-key', key, '--experimental-https-cert', cert],
  // Large token sets are split over several cookies: allow 32 KB of request headers, as npm start does.
  { stdio: 'inherit', env: { ...process.env, NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --max-http-header-size=32768`.trim() } },
)
children.push(app)

banner([
  `myclinic:        https://localhost:${port}`,
  isLine,
  process.env.AUTH_SERVER_ORIGIN?.startsWith('https://localhost:9443') || isLine.includes('stand-in')
    ? 'Try it:          log in as admin / admin'
    : 'Try it:          log in with a user of your identity server',
])

function shutdown(code = 0) {
  for (const child of children) child.kill('SIGTERM')
  process.exit(code)
}
process.on('SIGINT', () => shutdown(0))
process.on('SIGTERM', () => shutdown(0))
app.on('exit', (code) => shutdown(code ?? 0))
