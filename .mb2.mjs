import { createServer } from 'node:https'
import https from 'node:https'
import { readFileSync } from 'node:fs'
import { Agent, request } from 'undici'
import selfsigned from 'selfsigned'
import { createSecureContext, rootCertificates } from 'node:tls'
const p = await selfsigned.generate([{ name: 'commonName', value: 'localhost' }], { keySize: 2048, extensions: [{ name: 'subjectAltName', altNames: [{ type: 2, value: 'localhost' }] }] })
const body = JSON.stringify({ access_token: 'x'.repeat(36), id_token: 'y'.repeat(900), refresh_token: 'z'.repeat(36), token_type: 'Bearer', expires_in: 3600, scope: 'openid profile' })
const srv = createServer({ key: p.private, cert: p.cert }, (req, res) => { req.resume(); req.on('end', () => { res.setHeader('content-type', 'application/json'); res.setHeader('cache-control','no-store'); res.end(body) }) })
await new Promise((r) => srv.listen(0, '127.0.0.1', r))
const url = `https://localhost:${srv.address().port}/oauth2/token`
// server in a child would be fairer; measure client+server in-process, then server-only separately
const sc = createSecureContext({ ca: [...rootCertificates, p.cert] })
const dispatcher = new Agent({ connect: { secureContext: sc } })
const form = 'grant_type=authorization_code&code=abc&redirect_uri=https%3A%2F%2Flocalhost%3A5000%2Flogin&code_verifier=' + 'v'.repeat(43)
const N = 2000
async function run(name, fn) {
  for (let i = 0; i < 200; i++) await fn()
  const t = process.cpuUsage(); for (let i = 0; i < N; i++) await fn(); const u = process.cpuUsage(t)
  console.log(name, ((u.user + u.system) / N).toFixed(1), 'µs cpu per request (client+server)')
}
await run('undici.request', async () => { const r = await request(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: 'Basic eDp5', accept: 'application/json' }, body: form, dispatcher }); await r.body.text() })
const ka = new https.Agent({ keepAlive: true, ca: p.cert })
await run('node https', () => new Promise((resolve, reject) => { const req = https.request(url, { method: 'POST', agent: ka, headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: 'Basic eDp5', accept: 'application/json' } }, (res) => { const c = []; res.on('data', (d) => c.push(d)); res.on('end', () => resolve(Buffer.concat(c).toString())) }); req.on('error', reject); req.end(form) }))
srv.close(); process.exit(0)
