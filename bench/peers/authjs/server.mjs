/**
 * The production build over HTTPS, the same kind of custom server as myclinic's scripts/start.mjs:
 * `next({ dev: false })` behind node:https with a 32 KB header limit. Shared by the bench peers.
 *
 * Env: PORT, HOSTNAME (localhost), PEER_TLS_KEY / PEER_TLS_CERT (PEM files; the bench passes
 * myclinic's certs/app.key and certs/app.crt), PEER_DIR (the Next.js project, default this folder).
 */
import { createServer } from 'node:https'
import { readFileSync } from 'node:fs'
import { dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import next from 'next'

process.env.NODE_ENV = 'production'
const dir = process.env.PEER_DIR || dirname(fileURLToPath(import.meta.url))
const port = Number(process.env.PORT || 5543)
const hostname = process.env.HOSTNAME || 'localhost'
const app = next({ dev: false, dir, hostname, port })
const handle = app.getRequestHandler()
await app.prepare()

const server = createServer(
  { maxHeaderSize: 32 * 1024, key: readFileSync(process.env.PEER_TLS_KEY), cert: readFileSync(process.env.PEER_TLS_CERT) },
  (req, res) => handle(req, res),
)
server.listen(port, hostname, () => console.log(`peer (${dir}) listening on https://${hostname}:${port}`))
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    server.close()
    process.exit(0)
  })
}
