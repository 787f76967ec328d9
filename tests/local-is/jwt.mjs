// JWT helpers: the IS signing key (RS256, WSO2 kid), WSO2's at_hash/c_hash and the helpers handed to scenarios.
import * as crypto from 'node:crypto';
import { decodeJwt, decodeProtectedHeader } from 'jose';

/** Seconds since the epoch. */
export const epoch = () => Math.floor(Date.now() / 1000);

/** @param {any} s */
export const b64u = (s) => Buffer.from(s).toString('base64url');

/**
 * Left half of the SHA-256 hash, base64url: `at_hash` / `c_hash` (OIDC Core 3.3.2.11) as WSO2 puts them in
 * ID tokens (README.md, "What it mimics": Tokens).
 * @param {string} v
 */
export const leftHalfHash = (v) => {
  const h = crypto.createHash('sha256').update(v).digest();
  return h.subarray(0, h.length / 2).toString('base64url');
};

/**
 * A synchronous RS256 signer with the IS signing key. WSO2 headers carry `alg` and the WSO2 `kid` (no `typ`):
 * the real kid is used unless the header names one; `kid: null` leaves it out.
 * @param {{ privateKey: crypto.KeyObject, kid: string }} sig signing material from certs.mjs
 * @returns {(payload: object, header?: Record<string, any>) => string}
 */
export function createSigner(sig) {
  return function signJwt(payload, header = {}) {
    const h = { ...header, alg: 'RS256', kid: 'kid' in header ? header.kid : sig.kid };
    if (h.kid === null || h.kid === undefined) delete h.kid;
    const data = `${b64u(JSON.stringify(h))}.${b64u(JSON.stringify(payload))}`;
    return `${data}.${crypto.sign('sha256', Buffer.from(data), sig.privateKey).toString('base64url')}`;
  };
}

/**
 * The `helpers` argument of scenario `after` hooks (README.md, "Scenarios").
 * @param {(payload: object, header?: object) => string} signJwt
 * @param {string} issuer
 */
export function scenarioHelpers(signJwt, issuer) {
  return {
    decodeJwt: (/** @type {string} */ jwt) => ({ header: decodeProtectedHeader(jwt), payload: decodeJwt(jwt) }),
    sign: signJwt,
    issuer,
    now: epoch,
  };
}
