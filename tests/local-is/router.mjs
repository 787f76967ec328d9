// The main request handler: request log, test-control API, WSO2 tenant resolution, JWT access token aliases,
// scenario `before` hooks, then the management APIs, the authentication portal routes or the tenant's
// oidc-provider.
import * as crypto from 'node:crypto';

import { plainPkceToS256, prepareAuthorization } from './authorize.mjs';
import { acceptsHtml, dispatchToProvider, kindOf, parseAuthorization, readRequestBody, send, sendHtml } from './http.mjs';
import { dropUnauthorizedScopes, handleManagement, handleManagementControl, resetManagement } from './management.mjs';
import * as pages from './pages.mjs';
import { handleWso2Pages } from './pages-routes.mjs';
import { runBefore } from './scenarios.mjs';
import { handleScimMe } from './scim.mjs';
import { logRequest } from './state.mjs';
import { handleTestControl } from './test-control.mjs';
import { SUPER } from './wso2.mjs';

/**
 * WSO2 tenant paths: `/t/{tenant}/...`, anything else is the super tenant (README.md, "What it mimics": Paths).
 * @param {string} pathname
 * @returns {{ tenant: string, rest: string }} rest is the tenant-relative path
 */
export function resolveTenant(pathname) {
  const tm = /^\/t\/([^/]+)(\/.*)?$/.exec(pathname);
  if (!tm) return { tenant: SUPER, rest: pathname };
  return { tenant: decodeURIComponent(tm[1]), rest: tm[2] || '/' };
}

/** @param {any} req @param {URL} u @param {any} body @param {string} tenant */
function requestLogEntry(req, u, body, tenant) {
  return {
    t: new Date().toISOString(), method: req.method, path: u.pathname, query: Object.fromEntries(u.searchParams),
    body: body && typeof body === 'object' ? { ...body } : undefined,
    authorization: parseAuthorization(req.headers.authorization), tenant,
  };
}

/**
 * WSO2's answer for an unknown tenant: 404 `{"code":"18013","message":"Tenant not found",...}` (an HTML error
 * page for browsers).
 * @param {any} req @param {import('node:http').ServerResponse} res @param {string} tenant
 */
function tenantNotFound(req, res, tenant) {
  if (acceptsHtml(req)) return sendHtml(res, 404, pages.errorPage({ code: 'Tenant not found', message: `Tenant domain "${tenant}" is invalid or inactive.` }));
  return send(res, 404, { code: '18013', message: 'Tenant not found', description: `Tenant domain ${tenant} does not exist.`, traceId: crypto.randomUUID() });
}

/**
 * JWT access tokens handed out for `access_token_type: "jwt"` clients map to the provider's opaque token
 * (Bearer header, and `token` / `access_token` form members).
 * @param {import('./state.mjs').LocalIsRuntime} is @param {any} req
 */
function unaliasJwtAccessTokens(is, req) {
  const aliases = is.state.jwtAccessTokens;
  const auth = req.headers.authorization;
  if (auth && /^bearer /i.test(auth)) {
    const opaque = aliases.get(auth.slice(7).trim());
    if (opaque) req.headers.authorization = `Bearer ${opaque}`;
  }
  if (req.body?.token && aliases.has(String(req.body.token))) {
    req.body.token = aliases.get(String(req.body.token));
  }
  if (req.body?.access_token && aliases.has(String(req.body.access_token))) {
    req.body.access_token = aliases.get(String(req.body.access_token));
  }
}

/**
 * Runs the scenario's `before` hook of the endpoint kind: hang (held until close), close the connection,
 * delay, or answer instead of the IS.
 * @param {import('./state.mjs').LocalIsRuntime} is @param {any} req @param {import('node:http').ServerResponse} res
 * @param {string} kind @param {string} rest @param {string} tenant
 * @returns {Promise<boolean>} whether the request is dealt with
 */
async function applyBeforeHook(is, req, res, kind, rest, tenant) {
  const r = runBefore(is.state.scenario, kind, { method: req.method, path: rest, tenant });
  if (r === 'hang') { is.pending.add(res); res.on('close', () => is.pending.delete(res)); return true; }
  if (r === 'close') { req.socket.destroy(); return true; }
  if (r && typeof r === 'object') {
    if (r.delayMs) await new Promise((ok) => { setTimeout(ok, r.delayMs); });
    if (r.status) { send(res, r.status, r.body ?? '', r.type || 'application/json', r.headers || {}); return true; }
  }
  return false;
}

/**
 * WSO2 discovery paths: `/oauth2/token/.well-known/openid-configuration` and `/oauth2/oidcdiscovery/...`;
 * any other `/oauth2/<x>/.well-known/openid-configuration` is a 400.
 * @param {any} t @param {any} req @param {import('node:http').ServerResponse} res @param {string} which the <x>
 */
function discovery(t, req, res, which) {
  if (which !== 'token' && which !== 'oidcdiscovery') {
    return send(res, 400, { error: 'invalid_request', error_description: `Invalid issuer path: ${which}` });
  }
  return dispatchToProvider(t, req, res, '/.well-known/openid-configuration');
}

/**
 * A tenant's request after the hooks: portal pages, discovery, provider endpoints (with plain PKCE converted),
 * else 404.
 * @param {import('./state.mjs').LocalIsRuntime} is @param {any} t @param {any} req
 * @param {import('node:http').ServerResponse} res @param {string} rest @param {URL} u @param {any} body
 */
async function dispatch(is, t, req, res, rest, u, body) {
  if (await handleManagement(is, t, req, res, rest, u, body)) return undefined;
  if (await handleWso2Pages(is, t, req, res, rest, u, body)) return undefined;
  if (await handleScimMe(is, t, req, res, rest)) return undefined;
  const dm = /^\/oauth2\/([^/]+)\/\.well-known\/openid-configuration$/.exec(rest);
  if (dm) return discovery(t, req, res, dm[1]);
  if (rest === '/oauth2/authorize') plainPkceToS256(req, u);
  if ((rest === '/oauth2/authorize' || rest === '/oauth2/par') && await prepareAuthorization(is, t, req, res, rest, u)) return undefined;
  dropUnauthorizedScopes(is, req, rest, body);
  if (rest.startsWith('/oauth2/') || rest.startsWith('/oidc/logout') || rest === '/.well-known/openid-configuration') {
    return dispatchToProvider(t, req, res, `${rest}${u.search}`);
  }
  if (acceptsHtml(req)) return sendHtml(res, 404, pages.errorPage({ code: '404', message: 'Not found' }));
  return send(res, 404, { error: 'not_found' });
}

/**
 * The main request handler of the local IS.
 * @param {import('./state.mjs').LocalIsRuntime} is
 * @returns {(req: any, res: import('node:http').ServerResponse) => Promise<unknown>}
 */
export function createHandler(is) {
  return async function handle(req, res) {
    const u = new URL(req.url || '/', is.origin);
    req.headers.host = `localhost:${is.port}`;
    const body = await readRequestBody(req);
    if (u.pathname.startsWith('/__test')) {
      if (!is.testControl) return send(res, 404, { error: 'not found' });
      if (handleManagementControl(is, req, res, u, body)) return undefined;
      if (u.pathname === '/__test/reset' && (req.method === 'DELETE' || req.method === 'POST')) resetManagement(is);
      return handleTestControl(is, req, res, u, body);
    }
    const { tenant, rest } = resolveTenant(u.pathname);
    logRequest(is.state, requestLogEntry(req, u, body, tenant));
    const t = is.tenants.get(tenant);
    if (!t) return tenantNotFound(req, res, tenant);
    req.tenant = t.tenant;
    req.tenantPrefix = t.prefix;
    unaliasJwtAccessTokens(is, req);
    const kind = kindOf(rest, req.method, body);
    if (kind && await applyBeforeHook(is, req, res, kind, rest, t.tenant)) return undefined;
    return dispatch(is, t, req, res, rest, u, body);
  };
}
