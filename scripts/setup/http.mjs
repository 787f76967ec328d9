/**
 * HTTP for setup: one undici dispatcher (trusting the accepted certificate), a timeout per request, no
 * redirects followed, a 1 MB body cap, JSON or form bodies, and network failures as `setup_unreachable`.
 */
import { fetch } from 'undici';

import { SetupError } from './errors.mjs';

const MAX_BODY = 1024 * 1024;

/**
 * @typedef {object} HttpResponse
 * @property {number} status
 * @property {Headers} headers
 * @property {string} text
 * @property {any} json the parsed body, or undefined when it is not JSON
 */

/**
 * @typedef {object} RequestOptions
 * @property {string} [authorization] Authorization header
 * @property {unknown} [json] JSON body
 * @property {Record<string, string>} [form] form body
 */

/** @param {any} err @param {string} url @param {number} timeoutMs */
function networkError(err, url, timeoutMs) {
  const cause = err?.cause ?? err;
  const where = new URL(url).origin;
  if (err?.name === 'TimeoutError' || err?.name === 'AbortError') {
    return new SetupError('setup_unreachable', `${where} did not answer within ${timeoutMs / 1000} s (${new URL(url).pathname}).`, { hint: 'A slow IS or a firewall; try again or raise --timeout.', cause: err });
  }
  const code = cause?.code ? ` (${cause.code})` : '';
  return new SetupError('setup_unreachable', `The request to ${url} failed: ${cause?.message || err?.message || err}${code}.`, { cause: err });
}

/** @param {Response} r */
async function readCapped(r) {
  const buf = Buffer.from(await r.arrayBuffer());
  return buf.subarray(0, MAX_BODY).toString('utf8');
}

/**
 * @param {{ dispatcher: import('undici').Dispatcher, timeoutMs: number }} cfg
 */
export function createHttp({ dispatcher, timeoutMs }) {
  /**
   * @param {string} method @param {string} url @param {RequestOptions} [o]
   * @returns {Promise<HttpResponse>}
   */
  async function request(method, url, o = {}) {
    /** @type {Record<string, string>} */
    const headers = { accept: 'application/json' };
    if (o.authorization) headers.authorization = o.authorization;
    let body;
    if (o.json !== undefined) { body = JSON.stringify(o.json); headers['content-type'] = 'application/json'; }
    if (o.form) { body = new URLSearchParams(o.form).toString(); headers['content-type'] = 'application/x-www-form-urlencoded'; }
    let r;
    try {
      r = await fetch(url, { method, headers, body, dispatcher, redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) });
    } catch (err) {
      throw networkError(err, url, timeoutMs);
    }
    const text = await readCapped(/** @type {any} */ (r)).catch((err) => { throw networkError(err, url, timeoutMs); });
    let json;
    try { json = text ? JSON.parse(text) : undefined; } catch { json = undefined; }
    return { status: r.status, headers: /** @type {any} */ (r.headers), text, json };
  }
  return { request };
}

/**
 * A short description of an answer for error messages: status and the JSON error members or the start of
 * the body.
 * @param {HttpResponse} r
 */
export function describeResponse(r) {
  const j = r.json;
  if (j && typeof j === 'object') {
    const parts = [j.code === r.status ? undefined : j.code, j.error, j.message, j.error_description, j.description].filter((x) => x !== undefined && x !== null && x !== '');
    if (parts.length) return `HTTP ${r.status}: ${parts.join(' — ')}`;
  }
  const t = r.text.trim().replace(/\s+/g, ' ');
  return `HTTP ${r.status}${t ? `: ${t.slice(0, 160)}` : ' with an empty body'}`;
}

/**
 * `Basic` credentials: user and password as they are (WSO2's BasicAuthenticationHandler splits the decoded
 * value at the first colon).
 * @param {string} user @param {string} password
 */
export const basicAuth = (user, password) => `Basic ${Buffer.from(`${user}:${password}`, 'utf8').toString('base64')}`;

/**
 * `client_secret_basic` credentials: id and secret form-encoded first (RFC 6749 2.3.1).
 * @param {string} id @param {string} secret
 */
export function clientBasicAuth(id, secret) {
  const enc = (/** @type {string} */ s) => encodeURIComponent(s).replace(/%20/g, '+');
  return basicAuth(enc(id), enc(secret));
}
