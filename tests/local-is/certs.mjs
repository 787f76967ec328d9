// Certificate helpers for the local WSO2 IS stand-in.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as crypto from 'node:crypto';
import { generate } from 'selfsigned';

const DAY = 24 * 60 * 60 * 1000;

/**
 * @param {string} certPem
 * @returns {crypto.X509Certificate | undefined}
 */
function parseCert(certPem) {
  try { return new crypto.X509Certificate(certPem); } catch { return undefined; }
}

/**
 * Loads <certDir>/<name>.key + .crt or creates a fresh self-signed RSA pair (SAN localhost, 127.0.0.1, ~1 year).
 * Regenerates when missing, unreadable or expiring within 7 days.
 * @param {string} certDir
 * @param {string} name file base name, e.g. "local-is"
 * @param {{ cn?: string, server?: boolean }} [o]
 * @returns {Promise<{ key: string, cert: string, keyPath: string, certPath: string, created: boolean }>}
 */
export async function ensureCert(certDir, name, o = {}) {
  const keyPath = path.join(certDir, `${name}.key`);
  const certPath = path.join(certDir, `${name}.crt`);
  if (fs.existsSync(keyPath) && fs.existsSync(certPath)) {
    const key = fs.readFileSync(keyPath, 'utf8');
    const cert = fs.readFileSync(certPath, 'utf8');
    const x = parseCert(cert);
    if (x && new Date(x.validTo).getTime() - Date.now() > 7 * DAY) {
      try {
        const pub = crypto.createPublicKey(crypto.createPrivateKey(key)).export({ type: 'spki', format: 'der' });
        if (Buffer.compare(pub, x.publicKey.export({ type: 'spki', format: 'der' })) === 0) {
          return { key, cert, keyPath, certPath, created: false };
        }
      } catch { /* regenerate */ }
    }
  }
  fs.mkdirSync(certDir, { recursive: true });
  const notBeforeDate = new Date(Date.now() - 60 * 1000);
  const notAfterDate = new Date(notBeforeDate.getTime() + 365 * DAY);
  const pems = await generate([{ name: 'commonName', value: o.cn || 'localhost' }], {
    keyType: 'rsa',
    keySize: 2048,
    algorithm: 'sha256',
    notBeforeDate,
    notAfterDate,
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: [{ type: 2, value: 'localhost' }, { type: 7, ip: '127.0.0.1' }] },
    ],
  });
  // atomic writes so that concurrent starts never read half-written files
  const tmp = `.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`;
  fs.writeFileSync(keyPath + tmp, pems.private, { mode: 0o600 });
  fs.writeFileSync(certPath + tmp, pems.cert);
  fs.renameSync(keyPath + tmp, keyPath);
  fs.renameSync(certPath + tmp, certPath);
  return { key: pems.private, cert: pems.cert, keyPath, certPath, created: true };
}

/**
 * WSO2 key id: base64url(no padding) of the lower-case hex SHA-256 of the certificate DER, + "_RS256".
 * @param {string} certPem
 */
export function wso2Thumbprint(certPem) {
  const der = new crypto.X509Certificate(certPem).raw;
  const hex = crypto.createHash('sha256').update(der).digest('hex');
  return Buffer.from(hex, 'utf8').toString('base64url');
}

/**
 * Builds the signing material: private KeyObject, private JWK (for oidc-provider), public JWK as published.
 * @param {{ key: string, cert: string }} pair
 */
export function signingMaterial(pair) {
  const privateKey = crypto.createPrivateKey(pair.key);
  const thumb = wso2Thumbprint(pair.cert);
  const kid = `${thumb}_RS256`;
  const der = new crypto.X509Certificate(pair.cert).raw;
  const x5tS256 = crypto.createHash('sha256').update(der).digest('base64url');
  const privateJwk = { ...privateKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' };
  const pub = crypto.createPublicKey(privateKey).export({ format: 'jwk' });
  const publicJwk = { kty: 'RSA', e: pub.e, n: pub.n, use: 'sig', alg: 'RS256', kid, 'x5t#S256': x5tS256 };
  return { privateKey, privateJwk, publicJwk, kid, thumb };
}
