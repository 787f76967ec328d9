import { createServer as createNetServer, type Server as NetServer } from 'node:net'
import { createServer, type Server } from 'node:https'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { AddressInfo } from 'node:net'
import selfsigned from 'selfsigned'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { createAuthFetch, deadline, jwksFetch, networkError, peekJson } from '../../../lib/auth/server/http'

let server: Server
let silent: NetServer
let base: string
let silentPort: number
let caPath: string
let otherCaPath: string

async function certificate(cn = 'localhost', extra: object = {}) {
  return selfsigned.generate([{ name: 'commonName', value: cn }], {
    keySize: 2048,
    ...extra,
    extensions: [{ name: 'subjectAltName', altNames: [{ type: 2, value: cn }, { type: 7, ip: '127.0.0.1' }] }],
  })
}

beforeAll(async () => {
  const pems = await certificate()
  const other = await certificate()
  const dir = mkdtempSync(join(tmpdir(), 'auth-http-'))
  caPath = join(dir, 'is.crt')
  otherCaPath = join(dir, 'other.crt')
  writeFileSync(caPath, pems.cert)
  writeFileSync(otherCaPath, other.cert)
  server = createServer({ key: pems.private, cert: pems.cert }, (req, res) => {
    if (req.url === '/hang') return
    if (req.url === '/big') return res.end('x'.repeat(600 * 1024))
    if (req.url === '/trickle') {
      // Headers at once, then one byte a second: the deadline covers the body too.
      res.writeHead(200, { 'content-type': 'application/json' })
      const timer = setInterval(() => res.write(' '), 1000)
      res.on('close', () => clearInterval(timer))
      return
    }
    if (req.url === '/redirect') {
      res.writeHead(302, { location: 'https://evil.example/' })
      return res.end()
    }
    if (req.url === '/status/500') {
      res.writeHead(500)
      return res.end('down')
    }
    if (req.url === '/not-jwks') return res.end('<html>')
    if (req.url === '/echo') {
      const chunks: Buffer[] = []
      req.on('data', (c: Buffer) => chunks.push(c))
      req.on('end', () => {
        res.setHeader('set-cookie', ['a=1', 'b=2'])
        res.setHeader('content-type', 'application/json')
        res.end(JSON.stringify({ method: req.method, type: req.headers['content-type'], auth: req.headers.authorization, body: Buffer.concat(chunks).toString() }))
      })
      return
    }
    res.setHeader('content-type', 'application/json')
    res.end(req.url === '/jwks' ? '{"keys":[]}' : '{"ok":true}')
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  base = `https://localhost:${(server.address() as AddressInfo).port}`
  // Accepts TCP connections and never speaks TLS: a handshake that never completes.
  silent = createNetServer(() => {})
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve))
  silentPort = (silent.address() as AddressInfo).port
})

afterAll(() => {
  server.closeAllConnections()
  server.close()
  silent.close()
})

describe('createAuthFetch (certificate_path, timeouts, caps)', () => {
  it('sends the method, headers and body the way fetch would (forms, JSON, FormData) and keeps repeated response headers', async () => {
    const fetch = createAuthFetch({ certificatePath: caPath, timeoutMs: 5000 })
    const form = await fetch(`${base}/echo`, { method: 'POST', headers: new Headers({ authorization: 'Basic eDp5' }), body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: 'r t' }) })
    expect(await form.json()).toEqual({ method: 'POST', type: 'application/x-www-form-urlencoded;charset=UTF-8', auth: 'Basic eDp5', body: 'grant_type=refresh_token&refresh_token=r+t' })
    expect(form.headers.getSetCookie()).toEqual(['a=1', 'b=2'])
    const json = await fetch(`${base}/echo`, { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: '{"x":1}' })
    expect(await json.json()).toMatchObject({ method: 'PATCH', type: 'application/json', body: '{"x":1}' })
    const data = new FormData()
    data.set('name', 'value')
    const multipart = (await (await fetch(`${base}/echo`, { method: 'POST', body: data })).json()) as { type: string; body: string }
    expect(multipart.type).toMatch(/^multipart\/form-data; boundary=/)
    expect(multipart.body).toContain('value')
  })

  it('trusts the configured certificate in addition to the public CAs', async () => {
    const fetch = createAuthFetch({ certificatePath: caPath, timeoutMs: 5000 })
    const response = await fetch(`${base}/ok`)
    expect(response).toBeInstanceOf(Response)
    expect(await response.json()).toEqual({ ok: true })
  })

  it('refuses a certificate from another CA, and a self-signed one with no CA configured (idp_tls_error)', async () => {
    await expect(createAuthFetch({ certificatePath: otherCaPath, timeoutMs: 5000 })(`${base}/ok`)).rejects.toMatchObject({ code: 'idp_tls_error', status: 502 })
    await expect(createAuthFetch({ timeoutMs: 5000 })(`${base}/ok`)).rejects.toMatchObject({ code: 'idp_tls_error' })
  })

  it.each([
    ['waiting for headers', '/hang'],
    ['reading the body', '/trickle'],
  ])('classifies a deadline passing while %s as idp_timeout (504)', async (_, path) => {
    const fetch = createAuthFetch({ certificatePath: caPath, timeoutMs: 600 })
    await expect(fetch(`${base}${path}`)).rejects.toMatchObject({ code: 'idp_timeout', status: 504 })
  })

  it('classifies a TLS handshake that never completes as idp_timeout (504), not unreachable, at the deadline', async () => {
    for (const certificatePath of [caPath, undefined]) {
      const fetch = createAuthFetch({ certificatePath, timeoutMs: 600 })
      const started = Date.now()
      await expect(fetch(`https://localhost:${silentPort}/x`)).rejects.toMatchObject({ code: 'idp_timeout', status: 504 })
      // undici alone would wait for its own connect timeout (5.6 s with the certificate, 10 s without).
      expect(Date.now() - started).toBeLessThan(5000)
    }
  })

  it('maps undici and Node timeout codes to idp_timeout whatever the timer that fired', () => {
    for (const code of ['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT', 'ETIMEDOUT']) {
      const error = new TypeError('fetch failed', { cause: Object.assign(new Error('x'), { code }) })
      expect(networkError(error, 'https://is.test/x').code).toBe('idp_timeout')
    }
    expect(networkError(new TypeError('fetch failed'), 'https://is.test/x', true).code).toBe('idp_timeout')
  })

  it('reports a closed port as idp_unreachable (502)', async () => {
    await expect(createAuthFetch({ certificatePath: caPath, timeoutMs: 2000 })('https://localhost:1/x')).rejects.toMatchObject({ code: 'idp_unreachable', status: 502 })
  })

  it('caps the response body and never follows redirects', async () => {
    const fetch = createAuthFetch({ certificatePath: caPath, timeoutMs: 5000 })
    await expect(fetch(`${base}/big`)).rejects.toMatchObject({ code: 'idp_bad_response' })
    expect((await fetch(`${base}/redirect`)).status).toBe(302)
  })

  it('refuses a certificate for another host name, and an expired one', async () => {
    for (const variant of ['other-host', 'expired'] as const) {
      const pems = await certificate(variant === 'other-host' ? 'other.test' : 'localhost', variant === 'expired' ? { notBeforeDate: new Date(Date.now() - 3 * 86400_000), notAfterDate: new Date(Date.now() - 86400_000) } : {})
      const dir = mkdtempSync(join(tmpdir(), 'auth-tls-'))
      writeFileSync(join(dir, 'ca.crt'), pems.cert)
      const bad = createServer({ key: pems.private, cert: pems.cert }, (_req, res) => res.end('{}'))
      await new Promise<void>((resolve) => bad.listen(0, '127.0.0.1', resolve))
      const fetch = createAuthFetch({ certificatePath: join(dir, 'ca.crt'), timeoutMs: 5000 })
      await expect(fetch(`https://localhost:${(bad.address() as AddressInfo).port}/`)).rejects.toMatchObject({ code: 'idp_tls_error', status: 502 })
      bad.close()
    }
  })

  it('names a missing certificate file in a config error', () => {
    expect(() => createAuthFetch({ certificatePath: '/nonexistent/wso2.crt', timeoutMs: 1000 })).toThrow(/AUTH_CERTIFICATE_PATH/)
  })
})

describe('jwksFetch', () => {
  it('passes a JWK Set and reports a non-200 or non-JWKS answer as the IS failing', async () => {
    const fetch = jwksFetch(createAuthFetch({ certificatePath: caPath, timeoutMs: 5000 }))
    expect((await fetch(`${base}/jwks`)).status).toBe(200)
    await expect(fetch(`${base}/status/500`)).rejects.toMatchObject({ code: 'idp_error' })
    await expect(fetch(`${base}/not-jwks`)).rejects.toMatchObject({ code: 'idp_bad_response' })
  })
})

describe('peekJson', () => {
  it('parses a body without consuming it, from the buffered bytes or through a clone', async () => {
    const fetch = createAuthFetch({ certificatePath: caPath, timeoutMs: 5000 })
    const ours = await fetch(`${base}/jwks`)
    expect(await peekJson(ours)).toEqual({ keys: [] })
    expect(await peekJson(ours)).toEqual({ keys: [] })
    expect(ours.bodyUsed).toBe(false)
    expect(await ours.json()).toEqual({ keys: [] })
    const foreign = Response.json({ a: 1 })
    expect(await peekJson(foreign)).toEqual({ a: 1 })
    expect(await foreign.json()).toEqual({ a: 1 })
    await expect(peekJson(await fetch(`${base}/not-jwks`))).rejects.toThrow(SyntaxError)
  })
})

describe('deadline (one per call, nothing left behind)', () => {
  it('aborts with a TimeoutError when the time is up', () => {
    vi.useFakeTimers()
    try {
      const d = deadline(1000)
      vi.advanceTimersByTime(999)
      expect(d.signal.aborted).toBe(false)
      vi.advanceTimersByTime(1)
      expect(d.signal.aborted).toBe(true)
      expect((d.signal.reason as DOMException).name).toBe('TimeoutError')
      expect(d.expired()).toBe(true)
    } finally {
      vi.useRealTimers()
    }
  })

  it('released, it leaves no timer and no listener on the caller\'s signal', () => {
    vi.useFakeTimers()
    try {
      const outer = new AbortController()
      const add = vi.spyOn(outer.signal, 'addEventListener')
      const remove = vi.spyOn(outer.signal, 'removeEventListener')
      const d = deadline(1000, outer.signal)
      expect(vi.getTimerCount()).toBe(1)
      d.release()
      expect(vi.getTimerCount()).toBe(0)
      expect(remove).toHaveBeenCalledWith('abort', add.mock.calls[0][1])
      outer.abort()
      vi.advanceTimersByTime(2000)
      expect(d.signal.aborted).toBe(false)
      expect(d.expired()).toBe(false)
    } finally {
      vi.useRealTimers()
    }
  })

  it('follows the caller\'s signal, also one aborted already, and that is not a timeout', () => {
    const outer = new AbortController()
    const d = deadline(60_000, outer.signal)
    outer.abort(new Error('caller gave up'))
    expect(d.signal.aborted).toBe(true)
    expect((d.signal.reason as Error).message).toBe('caller gave up')
    expect(d.expired()).toBe(false)
    d.release()
    const early = deadline(60_000, AbortSignal.abort())
    expect(early.signal.aborted).toBe(true)
    early.release()
  })

  it('a finished call leaves no timer of its own pending', async () => {
    const fetch = createAuthFetch({ certificatePath: caPath, timeoutMs: 5000 })
    const set = vi.spyOn(globalThis, 'setTimeout')
    const clear = vi.spyOn(globalThis, 'clearTimeout')
    try {
      await (await fetch(`${base}/jwks`)).json()
      const ours = set.mock.results.filter((r, i) => set.mock.calls[i][1] === 5000).map((r) => r.value)
      expect(ours).toHaveLength(1)
      expect(clear.mock.calls.map(([t]) => t)).toContain(ours[0])
    } finally {
      set.mockRestore()
      clear.mockRestore()
    }
  })
})
