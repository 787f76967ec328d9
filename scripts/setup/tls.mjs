/**
 * The server certificate: fetched with a TLS handshake that accepts any certificate (so it can be shown and
 * judged before it is trusted), described (subject, issuer, validity, SHA-256 fingerprint), checked (dates,
 * host name) and turned into PEM and into an undici dispatcher that trusts it in addition to the public CAs.
 */
import * as crypto from 'node:crypto';
import { isIP } from 'node:net';
import * as tls from 'node:tls';
import { Agent } from 'undici';

import { SetupError } from './errors.mjs';

/**
 * @typedef {object} ServerCertificate
 * @property {crypto.X509Certificate[]} chain leaf first, as the server sent it
 * @property {tls.PeerCertificate} peer Node's description of the leaf (for the host name check)
 * @property {boolean} publiclyTrusted the chain verifies against Node's public CAs
 */

/** @param {any} err @param {string} where */
function unreachable(err, where) {
  const code = err?.code ? ` (${err.code})` : '';
  const reason = err?.code === 'ECONNREFUSED' ? 'nothing listens there'
    : err?.code === 'ENOTFOUND' || err?.code === 'EAI_AGAIN' ? 'the host name does not resolve'
      : /wrong version number|packet length too long|unknown protocol/i.test(String(err?.message)) ? 'it does not speak TLS (is it the http port?)'
        : String(err?.message || err);
  return new SetupError('setup_unreachable', `Cannot reach ${where}: ${reason}${code}.`, {
    hint: 'Check that the IS is running and the URL is right (WSO2 IS listens on https://localhost:9443 by default; a port offset n makes it 9443+n).',
    cause: err,
  });
}

/**
 * Connects to `host:port` and returns the certificate chain the server presents.
 * @param {string} host @param {number} port @param {number} timeoutMs
 * @returns {Promise<ServerCertificate>}
 */
export function fetchServerCertificate(host, port, timeoutMs) {
  const where = `${host}:${port}`;
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host, port, servername: isIP(host) ? undefined : host, rejectUnauthorized: false });
    const timer = setTimeout(() => { socket.destroy(); reject(unreachable({ message: `no TLS handshake within ${timeoutMs / 1000} s` }, where)); }, timeoutMs);
    socket.once('error', (err) => { clearTimeout(timer); reject(unreachable(err, where)); });
    socket.once('secureConnect', () => {
      clearTimeout(timer);
      const peer = socket.getPeerCertificate(true);
      const publiclyTrusted = socket.authorized;
      socket.end();
      if (!peer?.raw) { reject(unreachable({ message: 'the server sent no certificate' }, where)); return; }
      /** @type {crypto.X509Certificate[]} */ const chain = [];
      const seen = new Set();
      for (let c = peer; c?.raw && !seen.has(c.fingerprint256); c = c.issuerCertificate) {
        seen.add(c.fingerprint256);
        chain.push(new crypto.X509Certificate(c.raw));
      }
      resolve({ chain, peer, publiclyTrusted });
    });
  });
}

/**
 * What setup shows about a certificate.
 * @param {crypto.X509Certificate} cert
 */
export function describeCertificate(cert) {
  const oneLine = (/** @type {string} */ dn) => dn.split('\n').filter(Boolean).join(', ');
  return {
    subject: oneLine(cert.subject),
    issuer: oneLine(cert.issuer),
    validFrom: new Date(cert.validFrom),
    validTo: new Date(cert.validTo),
    fingerprint: cert.fingerprint256,
    selfSigned: cert.subject === cert.issuer,
  };
}

/**
 * Refuses a certificate that has expired, is not yet valid, or is not for `host` (the app would fail with
 * `idp_tls_error` on every call).
 * @param {ServerCertificate} sc @param {string} host @param {number} port @param {Date} [now]
 */
export function checkCertificate(sc, host, port, now = new Date()) {
  const d = describeCertificate(sc.chain[0]);
  if (d.validTo < now) throw new SetupError('setup_cert_invalid', `The server certificate expired on ${d.validTo.toISOString().slice(0, 10)}.`, { hint: 'Renew the IS certificate (keystore wso2carbon) and run setup again.' });
  if (d.validFrom > now) throw new SetupError('setup_cert_invalid', `The server certificate is valid only from ${d.validFrom.toISOString()}; check the clocks.`);
  const mismatch = tls.checkServerIdentity(host, sc.peer);
  if (mismatch) {
    const names = sc.peer.subjectaltname || `CN=${sc.peer.subject?.CN ?? '?'}`;
    throw new SetupError('setup_cert_invalid', `The server certificate is not for "${host}" (it names ${names}).`, {
      hint: `Use the host name the certificate is for (WSO2's default certificate is for localhost: --server https://localhost:${port}).`,
    });
  }
}

/** PEM of the whole chain, leaf first. @param {crypto.X509Certificate[]} chain */
export const chainPem = (chain) => chain.map((c) => c.toString().trim()).join('\n') + '\n';

/** SHA-256 fingerprint of the first certificate of a PEM file's text, or undefined. @param {string} pem */
export function pemFingerprint(pem) {
  try { return new crypto.X509Certificate(pem).fingerprint256; } catch { return undefined; }
}

/**
 * An undici dispatcher trusting the public CAs plus `pem` (when given), as the app trusts
 * `AUTH_CERTIFICATE_PATH` in addition to the public CAs.
 * @param {string | undefined} pem
 */
export function trustingDispatcher(pem) {
  return new Agent({ connect: pem ? { ca: [...tls.rootCertificates, pem] } : {} });
}
