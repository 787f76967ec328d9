/**
 * `npm start`: the production build over HTTPS at https://localhost:5000 (next start has no HTTPS).
 * Requires the AUTH_* configuration; a missing AUTH_SESSION_SECRET refuses to start — there is
 * never a built-in secret in production.
 *
 * Env: PORT (5000), HOSTNAME (localhost), AUTH_TLS_KEY / AUTH_TLS_CERT (default certs/app.key,
 * certs/app.crt, made on first start), AUTH_HTTP=1 to serve plain HTTP behind a TLS proxy.
 */
import { createServer as createHttpsServer } from 'node:https'
import { createServer as createHttpServer } from 'node:http'
import { readFileSync } from 'node:fs'
import next from 'next'
import { ensureAppCertificate, ROOT } from './certs.mjs'
import { loadEnv } from './env.mjs'

process.env.NODE_ENV = 'production'
loadEnv(false)

if (!process.env.AUTH_SESSION_SECRET?.trim()) {
  console.error(
    '\n[auth] AUTH_SESSION_SECRET is missing: a production start needs a random secret of at least 32 characters\n' +
      '       (for example `openssl rand -base64 32`). Set it in the environment or .env.production.local.\n',
  )
  process.exit(1)
}

const port = Number(process.env.PORT || 5000)
const hostname = process.env.HOSTNAME || 'localhost'
const app = next({ dev: false, dir: ROOT, hostname, port })
const handle = app.getRequestHandler()
await app.prepare()

// Large token sets are split over several cookies (lib/auth/session.ts); allow request headers up to 32 KB.
const options = { maxHeaderSize: 32 * 1024 }
let server
if (process.env.AUTH_HTTP === '1') {
  server = createHttpServer(options, (req, res) => handle(req, res))
} else {
  const defaults = await ensureAppCertificate()
  const key = readFileSync(process.env.AUTH_TLS_KEY || defaults.key)
  const cert = readFileSync(process.env.AUTH_TLS_CERT || defaults.cert)
  server = createHttpsServer({ ...options, key, cert }, (req, res) => handle(req, res))
}
server.listen(port, hostname, () => {
  const scheme = process.env.AUTH_HTTP === '1' ? 'http' : 'https'
  console.log(`myclinic (production) listening on ${scheme}://${hostname}:${port}`)
})
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    server.close()
    process.exit(0)
  })
}
