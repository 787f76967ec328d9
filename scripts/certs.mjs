/**
 * Makes the app's HTTPS certificate for https://localhost:5000 on first use (no mkcert download):
 * certs/app.key and certs/app.crt, self-signed, SAN localhost + 127.0.0.1. Kept, git-ignored.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { X509Certificate } from 'node:crypto'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import selfsigned from 'selfsigned'

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..')
export const CERT_DIR = join(ROOT, 'certs')

function stillValid(certPath) {
  try {
    const cert = new X509Certificate(readFileSync(certPath))
    return new Date(cert.validTo).getTime() - Date.now() > 7 * 24 * 3600 * 1000
  } catch {
    return false
  }
}

export async function ensureAppCertificate(dir = CERT_DIR) {
  const key = join(dir, 'app.key')
  const cert = join(dir, 'app.crt')
  if (existsSync(key) && existsSync(cert) && stillValid(cert)) return { key, cert }
  mkdirSync(dir, { recursive: true })
  const notAfter = new Date(Date.now() + 365 * 24 * 3600 * 1000)
  const pems = await selfsigned.generate([{ name: 'commonName', value: 'localhost' }], {
    keySize: 2048,
    algorithm: 'sha256',
    notAfterDate: notAfter,
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: [{ type: 2, value: 'localhost' }, { type: 7, ip: '127.0.0.1' }] },
    ],
  })
  writeFileSync(key, pems.private, { mode: 0o600 })
  writeFileSync(cert, pems.cert)
  return { key, cert }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { cert } = await ensureAppCertificate()
  console.log(`app certificate: ${cert}`)
}
