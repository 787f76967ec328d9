import { createServer, type Server } from 'node:https'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { AddressInfo } from 'node:net'
import selfsigned from 'selfsigned'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createAuthFetch } from './http'

let server: Server
let base: string
let caPath: string
let otherCaPath: string

async function certificate() {
  return selfsigned.generate([{ name: 'commonName', value: 'localhost' }], {
    keySize: 2048,
    extensions: [{ name: 'subjectAltName', altNames: [{ type: 2, value: 'localhost' }, { type: 7, ip: '127.0.0.1' }] }],
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
    if (req.url === '/redirect') {
      res.writeHead(302, { location: 'https://evil.example/' })
      return res.end()
    }
    res.setHeader('content-type', 'application/json')
    res.end('{"ok":true}')
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  base = `https://localhost:${(server.address() as AddressInfo).port}`
})

afterAll(() => {
  server.closeAllConnections()
  server.close()
})

describe('createAuthFetch (AUTH_CERTIFICATE_PATH, timeouts, caps)', () => {
  it('trusts the configured certificate', async () => {
    const fetch = createAuthFetch({ certificatePath: caPath, timeoutMs: 5000 })
    const response = await fetch(`${base}/ok`)
    expect(response).toBeInstanceOf(Response)
    expect(await response.json()).toEqual({ ok: true })
  })

  it('refuses a certificate from another CA with idp_tls_error', async () => {
    const fetch = createAuthFetch({ certificatePath: otherCaPath, timeoutMs: 5000 })
    await expect(fetch(`${base}/ok`)).rejects.toMatchObject({ code: 'idp_tls_error', status: 502 })
  })

  it('refuses a self-signed certificate with no CA configured', async () => {
    const fetch = createAuthFetch({ timeoutMs: 5000 })
    await expect(fetch(`${base}/ok`)).rejects.toMatchObject({ code: 'idp_tls_error' })
  })

  it('times out a hanging server with idp_timeout (504)', async () => {
    const fetch = createAuthFetch({ certificatePath: caPath, timeoutMs: 300 })
    await expect(fetch(`${base}/hang`)).rejects.toMatchObject({ code: 'idp_timeout', status: 504 })
  })

  it('reports a closed port as idp_unreachable (502)', async () => {
    const fetch = createAuthFetch({ certificatePath: caPath, timeoutMs: 2000 })
    await expect(fetch('https://localhost:1/x')).rejects.toMatchObject({ code: 'idp_unreachable', status: 502 })
  })

  it('caps the response body', async () => {
    const fetch = createAuthFetch({ certificatePath: caPath, timeoutMs: 5000 })
    await expect(fetch(`${base}/big`)).rejects.toMatchObject({ code: 'idp_bad_response' })
  })

  it('does not follow redirects', async () => {
    const fetch = createAuthFetch({ certificatePath: caPath, timeoutMs: 5000 })
    expect((await fetch(`${base}/redirect`)).status).toBe(302)
  })

  it('refuses a certificate for another host name, and an expired one (rp-security TL-02)', async () => {
    for (const variant of ['other-host', 'expired'] as const) {
      const pems = await selfsigned.generate([{ name: 'commonName', value: variant === 'other-host' ? 'other.test' : 'localhost' }], {
        keySize: 2048,
        ...(variant === 'expired' ? { notBeforeDate: new Date(Date.now() - 3 * 86400_000), notAfterDate: new Date(Date.now() - 86400_000) } : {}),
        extensions: [{ name: 'subjectAltName', altNames: [{ type: 2, value: variant === 'other-host' ? 'other.test' : 'localhost' }] }],
      })
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
