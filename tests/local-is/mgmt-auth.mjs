// The authentication and authorization valves in front of WSO2's REST APIs (`/api/identity/...`,
// `/api/server/...`): HTTP Basic with a user of the tenant, or a Bearer token from the client-credentials grant;
// one scope per method; WSO2's 401 and 403 bodies. Sources, as quoted in /tmp/research/R1-wso2-management.md:
// identity-carbon-auth-rest `APIErrorResponseHandler` and `BasicAuthenticationHandler` (§1.5, §2.7), the scope
// tables of carbon-identity-framework `resource-access-control-v2.xml.j2` (§1.1, §2.1).
import * as crypto from 'node:crypto';

import { findUser } from './wso2.mjs';

const UNAUTHORIZED = 'Authorization failure. Authorization information was invalid or missing from your request.';
const BAD_HEADER = 'Error occurred while trying to authenticate. The Authorization header values are not defined correctly.';
const BAD_CREDENTIALS = 'Error occurred while trying to authenticate. The auth user credentials are not defined correctly.';
const FORBIDDEN = 'Operation is not permitted. You do not have permissions to make this request.';

/** The internal scopes of the APIs the stand-in serves (an administrator holds all of them). */
export const MANAGEMENT_SCOPES = Object.freeze([
  'internal_dcr_view', 'internal_dcr_create', 'internal_dcr_update', 'internal_dcr_delete',
  'internal_application_mgt_view', 'internal_application_mgt_create', 'internal_application_mgt_update',
  'internal_application_mgt_delete', 'internal_application_mgt_client_secret_view',
  'internal_application_mgt_client_secret_create', 'internal_claim_meta_view',
]);

/**
 * @typedef {{ kind: 'user' | 'application', name: string, scopes: Set<string> }} Caller
 * @typedef {{ ok: true, caller: Caller } | { ok: false, description: string }} AuthResult
 */

/**
 * HTTP Basic: a user of the tenant's user store with the right password. Users with the `admin` role hold every
 * management scope; others only `internal_login` (their calls get the 403 of the authorization valve).
 * @param {import('./state.mjs').LocalIsRuntime} is @param {any} t @param {string} value base64 part
 * @returns {AuthResult}
 */
function basic(is, t, value) {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(value)) return { ok: false, description: BAD_HEADER };
  const decoded = Buffer.from(value, 'base64').toString('utf8');
  const i = decoded.indexOf(':');
  if (i <= 0) return { ok: false, description: BAD_CREDENTIALS };
  const user = findUser(is.seed.users, t.tenant, decoded.slice(0, i));
  if (!user || user.password !== decoded.slice(i + 1)) return { ok: false, description: UNAUTHORIZED };
  const admin = Array.isArray(user.claims?.roles) && user.claims.roles.includes('admin');
  return { ok: true, caller: { kind: 'user', name: user.username, scopes: new Set(admin ? MANAGEMENT_SCOPES : ['internal_login']) } };
}

/**
 * Bearer: an unexpired client-credentials token of this tenant; its scopes are those granted.
 * @param {any} t @param {string} value
 * @returns {Promise<AuthResult>}
 */
async function bearer(t, value) {
  const token = value ? await t.provider.ClientCredentials.find(value).catch(() => undefined) : undefined;
  if (!token) return { ok: false, description: UNAUTHORIZED };
  return { ok: true, caller: { kind: 'application', name: token.clientId, scopes: new Set(String(token.scope || '').split(' ').filter(Boolean)) } };
}

/**
 * Authenticates a management API request like WSO2's authentication valve.
 * @param {import('./state.mjs').LocalIsRuntime} is @param {any} t tenant @param {import('node:http').IncomingMessage} req
 * @returns {Promise<AuthResult>}
 */
export async function authenticate(is, t, req) {
  const h = String(req.headers.authorization || '').trim();
  const sp = h.indexOf(' ');
  const scheme = (sp > 0 ? h.slice(0, sp) : h).toLowerCase();
  const value = sp > 0 ? h.slice(sp + 1).trim() : '';
  if (scheme === 'basic') return basic(is, t, value);
  if (scheme === 'bearer') return bearer(t, value);
  return { ok: false, description: UNAUTHORIZED };
}

/**
 * The valve's error body: pretty-printed JSON, a numeric `code`, `application/json;charset=UTF-8`.
 * @param {import('node:http').ServerResponse} res @param {number} status @param {string} message
 * @param {string} description @param {Record<string, string>} headers
 */
function valveError(res, status, message, description, headers) {
  if (res.headersSent || res.destroyed) return;
  const body = JSON.stringify({ code: status, message, description, traceId: crypto.randomUUID() }, null, 2);
  res.writeHead(status, { 'content-type': 'application/json;charset=UTF-8', 'cache-control': 'no-store', ...headers });
  res.end(body);
}

/**
 * 401 of the authentication valve. The DCR API answers `WWW-Authenticate: Bearer`, the `/api/server` APIs
 * `Bearer realm=<HostName>`.
 * @param {import('node:http').ServerResponse} res @param {string} description @param {'dcr' | 'server'} api
 */
export function unauthorized(res, description, api) {
  valveError(res, 401, 'Unauthorized', description, { 'www-authenticate': api === 'dcr' ? 'Bearer' : 'Bearer realm=localhost' });
}

/** 403 of the authorization valve (the caller lacks the scope). @param {import('node:http').ServerResponse} res */
export function forbidden(res) {
  valveError(res, 403, 'Forbidden', FORBIDDEN, {});
}

/** A status with no body (DCR's NOT_FOUND_ → 401 and FORBIDDEN_ → 403, DELETE's 204). @param {import('node:http').ServerResponse} res @param {number} status */
export function emptyStatus(res, status) {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(status, { 'cache-control': 'no-store', 'content-length': '0' });
  res.end();
}

/** An `/api/server` error `{code, message, description, traceId}` with the status the REST dispatcher maps its code to. */
export class ApiError extends Error {
  /** @param {number} status @param {string | undefined} code @param {string} message @param {string} description */
  constructor(status, code, message, description) { super(description); this.status = status; this.code = code; this.title = message; }
}

/** Sends an {@link ApiError}; `traceId` is always present (a fresh UUID without a correlation id). @param {import('node:http').ServerResponse} res @param {ApiError} err */
export function sendApiError(res, err) {
  if (res.headersSent || res.destroyed) return;
  const body = JSON.stringify({ ...(err.code ? { code: err.code } : {}), message: err.title, description: err.message, traceId: crypto.randomUUID() });
  res.writeHead(err.status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(body);
}
