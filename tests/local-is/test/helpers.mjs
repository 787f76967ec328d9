// Test helpers: HTTPS client trusting the local IS certificate, a tiny cookie jar, form parsing, login flow.
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Agent, fetch } from 'undici';
import { startLocalIs } from '../index.mjs';
import { BESTCARE, MYCLINIC, MYCLINIC_PKJWT, MYCLINIC_SKIP, MYCLINIC_SPA } from '../seed/index.mjs';

export const APP = 'https://localhost:5000';
/** The seeded clients (`{ name, client_id, client_secret }`), from seed/index.mjs. */
export { MYCLINIC, MYCLINIC_SKIP, MYCLINIC_SPA };
/** The private_key_jwt client and the B2B organization BestCare, from seed/index.mjs. */
export { BESTCARE, MYCLINIC_PKJWT };

/** A fresh temporary cert dir (key generation takes ~150 ms). */
export function testCertDir() {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'local-is-test-'));
}

/** @param {Partial<import('../index.mjs').LocalIsOptions>} [o] */
export async function startTestIs(o = {}) {
  const certDir = testCertDir();
  const is = await startLocalIs({ port: 0, certDir, testControl: true, quiet: true, ...o });
  const close = is.close;
  return { ...is, async close() { await close(); fs.rmSync(certDir, { recursive: true, force: true }); } };
}

export class CookieJar {
  constructor() { /** @type {Map<string, { name: string, value: string, path: string }>} */ this.m = new Map(); }
  /** @param {string[]} setCookies */
  store(setCookies) {
    for (const sc of setCookies || []) {
      const [nv, ...attrs] = sc.split(';').map((s) => s.trim());
      const i = nv.indexOf('=');
      const name = nv.slice(0, i);
      const value = nv.slice(i + 1);
      let p = '/';
      let expired = value === '';
      for (const a of attrs) {
        const [k, v = ''] = a.split('=');
        if (/^path$/i.test(k)) p = v || '/';
        if (/^expires$/i.test(k) && Date.parse(v) < Date.now()) expired = true;
        if (/^max-age$/i.test(k) && Number(v) <= 0) expired = true;
      }
      const key = `${name}|${p}`;
      if (expired) this.m.delete(key); else this.m.set(key, { name, value, path: p });
    }
  }
  /** @param {string} urlPath */
  header(urlPath) {
    return [...this.m.values()]
      .filter((c) => urlPath === c.path || urlPath.startsWith(c.path.endsWith('/') ? c.path : `${c.path}/`) || c.path === '/')
      .sort((a, b) => b.path.length - a.path.length)
      .map((c) => `${c.name}=${c.value}`).join('; ');
  }
  get(name) { return [...this.m.values()].find((c) => c.name === name)?.value; }
}

/** Browser-ish client bound to one IS instance. */
export function browser(is) {
  const agent = new Agent({ connect: { ca: is.caCert } });
  const jar = new CookieJar();
  /**
   * @param {string} url absolute or IS-relative
   * @param {{ method?: string, form?: Record<string,string>, headers?: Record<string,string>, json?: any }} [o]
   */
  async function request(url, o = {}) {
    const u = new URL(url, is.origin);
    const headers = { accept: 'text/html,application/xhtml+xml', ...o.headers };
    const cookie = jar.header(u.pathname);
    if (cookie) headers.cookie = cookie;
    let body;
    if (o.form) { body = new URLSearchParams(o.form).toString(); headers['content-type'] = 'application/x-www-form-urlencoded'; }
    if (o.json !== undefined) { body = JSON.stringify(o.json); headers['content-type'] = 'application/json'; }
    const r = await fetch(u, { method: o.method || (body ? 'POST' : 'GET'), headers, body, redirect: 'manual', dispatcher: agent });
    jar.store(r.headers.getSetCookie());
    const text = await r.text();
    const location = r.headers.get('location') ? new URL(r.headers.get('location'), u).href : undefined;
    return { status: r.status, headers: r.headers, text, location, json: () => JSON.parse(text) };
  }
  /** Follows redirects while they stay on the IS; returns the final response (its location may point at the app). */
  async function follow(url, o) {
    let r = await request(url, o);
    for (let i = 0; i < 15 && r.location && r.location.startsWith(is.origin); i++) r = await request(r.location);
    return r;
  }
  return { agent, jar, request, follow };
}

/** Direct (non-browser) HTTPS call for back-channel endpoints. */
export async function call(is, url, { method = 'GET', form, headers = {}, basic, bearer, json } = {}) {
  const agent = new Agent({ connect: { ca: is.caCert } });
  const h = { ...headers };
  if (basic) h.authorization = `Basic ${Buffer.from(`${encodeURIComponent(basic[0])}:${encodeURIComponent(basic[1])}`).toString('base64')}`;
  if (bearer) h.authorization = `Bearer ${bearer}`;
  let body;
  if (form) { body = new URLSearchParams(form).toString(); h['content-type'] = 'application/x-www-form-urlencoded'; }
  if (json !== undefined) { body = JSON.stringify(json); h['content-type'] = 'application/json'; }
  const r = await fetch(new URL(url, is.origin), { method: body && method === 'GET' ? 'POST' : method, headers: h, body, redirect: 'manual', dispatcher: agent });
  const text = await r.text();
  await agent.close();
  let parsed;
  try { parsed = JSON.parse(text); } catch { parsed = undefined; }
  return { status: r.status, headers: r.headers, text, body: parsed };
}

/** Extracts a form's action and input fields (name → value) from HTML. */
export function parseForm(html, id) {
  const re = id ? new RegExp(`<form[^>]*id="${id.replace('.', '\\.')}"[^>]*>([\\s\\S]*?)</form>`) : /<form[^>]*>([\s\S]*?)<\/form>/;
  const m = re.exec(html);
  if (!m) throw new Error(`form ${id} not found in ${html.slice(0, 300)}`);
  const action = /action="([^"]*)"/.exec(m[0])?.[1]?.replace(/&#(\d+);/g, (_, n) => String.fromCharCode(Number(n))).replace(/&amp;/g, '&');
  const fields = {};
  for (const im of m[1].matchAll(/<input([^>]*)>/g)) {
    const name = /name="([^"]*)"/.exec(im[1])?.[1];
    const value = /value="([^"]*)"/.exec(im[1])?.[1] ?? '';
    if (name) fields[name] = value.replace(/&#(\d+);/g, (_, n) => String.fromCharCode(Number(n))).replace(/&amp;/g, '&');
  }
  return { action, fields };
}

export function pkce() {
  const verifier = crypto.randomBytes(32).toString('base64url');
  const challenge = crypto.createHash('sha256').update(verifier).digest('base64url');
  return { verifier, challenge };
}

/**
 * Runs authorize → login (→ consent Allow) and returns the response whose location is the app callback.
 * @param {ReturnType<typeof browser>} b
 */
export async function authorizeAndLogin(b, {
  prefix = '', clientId = MYCLINIC.client_id, redirectUri = `${APP}/login`, scope = 'openid profile email',
  state = 'st-' + crypto.randomUUID(), nonce = 'n-' + crypto.randomUUID(), username = 'admin', password = 'admin',
  consent = 'approveAlways', extra = {},
} = {}) {
  const q = new URLSearchParams({
    client_id: clientId, redirect_uri: redirectUri, response_type: 'code', scope, state, ...(nonce ? { nonce } : {}), ...extra,
  });
  let r = await b.follow(`${prefix}/oauth2/authorize?${q}`);
  if (r.status === 200 && r.text.includes('id="loginForm"')) {
    const { action, fields } = parseForm(r.text, 'loginForm');
    r = await b.follow(action, { form: { ...fields, usernameUserInput: username, username, password } });
  }
  if (r.status === 200 && r.text.includes('wants to access your account')) {
    const { action, fields } = parseForm(r.text, 'profile');
    r = await b.follow(action, { form: { ...fields, consent } });
  }
  return { res: r, state, nonce };
}

/** The query of a URL (absolute or IS-relative) as an object. */
export const queryOf = (url) => Object.fromEntries(new URL(url, 'https://x.invalid').searchParams);

/** Decodes a JWT payload without verifying it. */
export const claimsOf = (jwt) => JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString());

/** An authorize URL of the super tenant (or `prefix`) for a client, with defaults like authorizeAndLogin. */
export function authorizeUrl({ prefix = '', clientId = MYCLINIC.client_id, redirectUri = `${APP}/login`, scope = 'openid', state = 's', ...extra } = {}) {
  return `${prefix}/oauth2/authorize?${new URLSearchParams({ client_id: clientId, redirect_uri: redirectUri, response_type: 'code', scope, state, ...extra })}`;
}

/** Submits the login form of a login page response; returns the response after following IS redirects. */
export async function submitLogin(b, page, username, password) {
  const { action, fields } = parseForm(page.text, 'loginForm');
  return b.follow(action, { form: { ...fields, usernameUserInput: username, username, password } });
}
