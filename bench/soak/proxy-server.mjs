/**
 * The soak's round-robin proxy: HTTPS on loopback in front of the app instances (plain HTTP
 * behind it, `AUTH_HTTP=1`), one request to the next instance in turn, keep-alive to each.
 * X-Forwarded-For/-Proto/-Host are set. When an instance cannot be reached the proxy answers
 * 502 with a plain-text body and no `data-error-code` (the soak counts that as an uncoded error).
 *
 * Keep-alive race: an instance closes a connection that has been idle for 5 s (Node's
 * keepAliveTimeout) while the proxy may be sending the next request on it. The proxy drops idle
 * connections after 4 s itself, and a GET or HEAD that fails with ECONNRESET on a reused
 * connection is sent once more on a new one (what Node's documentation recommends for
 * `request.reusedSocket`); that is the proxy's own business, not an error of the instance.
 *
 * Env: PROXY_PORT, PROXY_BACKENDS (comma-separated ports), PROXY_TLS_KEY, PROXY_TLS_CERT.
 */
import http from 'node:http'
import https from 'node:https'
import { readFileSync } from 'node:fs'

const backends = process.env.PROXY_BACKENDS.split(',').map(Number)
const agent = new http.Agent({ keepAlive: true, maxSockets: 64, timeout: 4000 })
let next = 0

/** Forwards one request to the next backend and streams the answer back. */
function forward(req, res) {
  send(req, res, backends[next++ % backends.length], true)
}

/** One attempt at one backend; `mayRetry`: a bodiless request that may be sent once more. */
function send(req, res, port, mayRetry) {
  const headers = { ...req.headers, 'x-forwarded-for': req.socket.remoteAddress, 'x-forwarded-proto': 'https', 'x-forwarded-host': req.headers.host }
  const upstream = http.request({ host: '127.0.0.1', port, method: req.method, path: req.url, headers, agent }, (answer) => {
    res.writeHead(answer.statusCode, answer.headers)
    answer.pipe(res)
  })
  upstream.on('error', (e) => {
    if (res.headersSent) return res.destroy()
    if (mayRetry && upstream.reusedSocket && e.code === 'ECONNRESET' && (req.method === 'GET' || req.method === 'HEAD')) return send(req, res, port, false)
    res.writeHead(502, { 'content-type': 'text/plain', 'x-soak-proxy': 'upstream-error' })
    res.end(`proxy: backend :${port} ${e.code ?? e.message}`)
  })
  if (req.method === 'GET' || req.method === 'HEAD') upstream.end()
  else req.pipe(upstream)
}

const server = https.createServer({ key: readFileSync(process.env.PROXY_TLS_KEY), cert: readFileSync(process.env.PROXY_TLS_CERT), maxHeaderSize: 32 * 1024 }, forward)
server.keepAliveTimeout = 30_000
server.listen(Number(process.env.PROXY_PORT), '127.0.0.1', () => console.log(`soak proxy on :${process.env.PROXY_PORT} → ${backends.join(', ')}`))
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => process.exit(0))
