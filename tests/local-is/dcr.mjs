// WSO2's Dynamic Client Registration API v1.1 (`/api/identity/oauth2/dcr/v1.1/register`, also under
// `/t/{tenant}`): register, read by client id or by name, update, delete, with WSO2's request and response
// shapes, defaults, statuses and error bodies. Sources, as quoted in /tmp/research/R1-wso2-management.md §1:
// identity-inbound-auth-oauth `RegistrationRequestDTO`, `DCRMService`, `DCRMUtils`, `DCRMConstants`,
// `RegisterApiServiceImpl` and the product-is `OAuthDCRMTestCase`.
import * as crypto from 'node:crypto';

import { addApp, appByClientId, appByName, deleteApp, newClientId, newClientSecret, registry, saveClient, SP_NAME_REGEX } from './apps-registry.mjs';
import { send } from './http.mjs';
import { authenticate, emptyStatus, forbidden, unauthorized } from './mgmt-auth.mjs';

export const DCR_PATH = '/api/identity/oauth2/dcr/v1.1/register';

/** Grant types the stand-in can serve (others are refused with WSO2's "not allowed" text). */
const GRANTS = new Set(['authorization_code', 'refresh_token', 'client_credentials']);
/** Token endpoint authentication methods the stand-in's clients support. */
const AUTH_METHODS = new Set(['client_secret_basic', 'client_secret_post']);
const SCOPE_OF = /** @type {Record<string, string>} */ ({ POST: 'internal_dcr_create', GET: 'internal_dcr_view', PUT: 'internal_dcr_update', DELETE: 'internal_dcr_delete' });

/** A DCR client error: 400 `{"error","error_description","traceId"}`. */
class DcrError extends Error {
  /** @param {string} error @param {string} description */
  constructor(error, description) { super(description); this.error = error; }
}
const metadataError = (/** @type {string} */ d) => new DcrError('invalid_client_metadata', d);

/**
 * The stored callback: one URI verbatim; several as `regexp=(u1|u2)`, each with only its first `?` escaped
 * (`DCRMService.validateAndSetCallbackURIs` / `createRegexPattern`).
 * @param {unknown} uris @param {string[]} grants
 */
export function storedCallback(uris, grants) {
  const list = Array.isArray(uris) ? uris.map(String) : [];
  if (!list.length) {
    if (grants.includes('authorization_code') || grants.includes('implicit')) {
      throw metadataError('RedirectUris property must have at least one URI value when using Authorization code or implicit grant types.');
    }
    return '';
  }
  for (const u of list) {
    if (!u.trim() || !URL.canParse(u)) throw new DcrError('invalid_redirect_uri', `Invalid redirect URI: ${u}`);
  }
  if (list.length === 1) return list[0];
  return `regexp=(${list.map((u) => u.replace('?', '\\?')).join('|')})`;
}

/** @param {unknown} name @param {import('./state.mjs').LocalIsRuntime} is @param {string} tenant @param {string} [self] */
function checkName(name, is, tenant, self) {
  if (typeof name !== 'string' || !name.trim()) throw metadataError('The client name is missing or empty.');
  if (!new RegExp(SP_NAME_REGEX).test(name)) throw metadataError(`Client Name is not adhering to the regex: ${SP_NAME_REGEX}`);
  const other = appByName(is, tenant, name);
  if (other && other.id !== self) throw metadataError(`Application with the name ${name} already exist in the system`);
}

/** @param {unknown} grants */
function checkGrants(grants) {
  const list = Array.isArray(grants) ? grants.map(String) : [];
  for (const g of list) if (!GRANTS.has(g)) throw metadataError(`'${g}' grant type is not allowed.`);
  return list;
}

/** Back-channel logout URI: absolute, no fragment (`DCRMUtils.isLogoutUriValid`). @param {unknown} uri */
function checkLogoutUri(uri) {
  if (uri === undefined || uri === null || uri === '') return null;
  const s = String(uri);
  if (!URL.canParse(s) || s.includes('#')) throw metadataError(`Invalid back-channel logout URI: ${s}`);
  return s;
}

/** @param {unknown} m */
function checkAuthMethod(m) {
  if (m === undefined || m === null || m === '') return null;
  if (!AUTH_METHODS.has(String(m))) throw metadataError(`'${m}' Token endpoint authentication method is not allowed.`);
  return String(m);
}

/**
 * Client options of a new registration (WSO2 defaults: secret always generated, PKCE off, not public, token
 * type Default, no requested claims, consent not skipped).
 * @param {import('./state.mjs').LocalIsRuntime} is @param {string} tenant @param {any} b request body
 */
function newClientOptions(is, tenant, b) {
  checkName(b.client_name, is, tenant);
  const clientId = b.ext_param_client_id ? String(b.ext_param_client_id) : newClientId();
  if (b.ext_param_client_id && is.state.clients.has(clientId)) throw metadataError(`Client id ${clientId} already exist in the system`);
  const grants = checkGrants(b.grant_types);
  return {
    name: b.client_name, client_id: clientId, client_secret: b.ext_param_client_secret ? String(b.ext_param_client_secret) : newClientSecret(),
    public_client: b.ext_public_client === true, token_endpoint_auth_method: checkAuthMethod(b.token_endpoint_auth_method),
    callback_url: storedCallback(b.redirect_uris, grants), grant_types: grants,
    pkce_mandatory: b.ext_pkce_mandatory === true, pkce_support_plain: b.ext_pkce_support_plain === true,
    skip_login_consent: false, skip_logout_consent: false,
    backchannel_logout_uri: checkLogoutUri(b.backchannel_logout_uri), backchannel_logout_session_required: b.backchannel_logout_session_required !== false,
    access_token_type: b.ext_token_type === 'JWT' || b.token_type_extension === 'JWT' ? 'jwt' : 'opaque', extra_access_token_claims: {},
    requested_claims: [],
  };
}

/**
 * The response DTO (`DCRMUtils.getApplicationDTOFromApplication`), IS 7.2 defaults: nulls left out,
 * `client_secret_expires_at` 0, several redirect URIs as the stored `regexp=(...)` element unless
 * `decodeRedirectUris` is on, no `backchannel_logout_uri`.
 * @param {import('./state.mjs').LocalIsRuntime} is @param {import('./apps-registry.mjs').App} app @param {any} c client options
 */
export function dcrView(is, app, c) {
  const lt = is.state.lifetimes;
  let redirectUris = c.callback_url ? [c.callback_url] : [];
  if (registry(is).options.decodeRedirectUris && /^regexp=\((.*)\)$/.test(c.callback_url)) {
    redirectUris = c.callback_url.slice(8, -1).split('|').map((/** @type {string} */ u) => u.replace('\\?', '?'));
  }
  const type = c.access_token_type === 'jwt' ? 'JWT' : 'Default';
  return {
    client_id: c.client_id, client_secret: c.client_secret, client_secret_expires_at: 0, redirect_uris: redirectUris,
    grant_types: [...c.grant_types], client_name: app.name, ext_application_owner: app.owner,
    ext_application_token_lifetime: lt.AccessToken, ext_user_token_lifetime: lt.AccessToken,
    ext_refresh_token_lifetime: lt.RefreshToken, ext_id_token_lifetime: lt.IdToken,
    ext_pkce_mandatory: !!c.pkce_mandatory, ext_pkce_support_plain: !!c.pkce_support_plain, ext_public_client: !!c.public_client,
    token_type_extension: type, ext_token_type: type,
    ...(c.token_endpoint_auth_method ? { token_endpoint_auth_method: c.token_endpoint_auth_method } : {}),
    subject_type: 'public', require_pushed_authorization_requests: false, require_signed_request_object: false,
    tls_client_certificate_bound_access_tokens: false,
  };
}

/** @param {import('./state.mjs').LocalIsRuntime} is @param {any} t @param {any} res @param {any} caller @param {any} b */
async function register(is, t, res, caller, b) {
  if (registry(is).options.dcr === 'mandate_ssa' && !b.software_statement) {
    throw new DcrError('invalid_software_statement', 'Mandatory software statement is missing');
  }
  const copts = newClientOptions(is, t.tenant, b);
  const app = addApp(is, { tenant: t.tenant, name: copts.name, description: `Service Provider for application ${copts.name}`, source: 'dcr', protocol: 'oidc', clientId: copts.client_id, owner: caller.name });
  try {
    await saveClient(is, app, copts);
  } catch (err) {
    deleteApp(is, app);
    throw metadataError(String(/** @type {any} */ (err)?.error_description || /** @type {any} */ (err)?.message || err));
  }
  send(res, 201, dcrView(is, app, copts));
}

/**
 * `PUT /register/{client_id}` (`DCRMService.updateApplication`): renames with the same checks, empty
 * `grant_types` / `redirect_uris` keep the old value, omitted booleans become false.
 * @param {import('./state.mjs').LocalIsRuntime} is @param {any} t @param {any} res @param {import('./apps-registry.mjs').App} app @param {any} b
 */
async function update(is, t, res, app, b) {
  const old = is.state.clients.get(String(app.clientId));
  const name = b.client_name === undefined ? app.name : b.client_name;
  checkName(name, is, t.tenant, app.id);
  const grants = Array.isArray(b.grant_types) && b.grant_types.length ? checkGrants(b.grant_types) : old.grant_types;
  const c = {
    ...old, name, grant_types: grants,
    callback_url: Array.isArray(b.redirect_uris) && b.redirect_uris.length ? storedCallback(b.redirect_uris, grants) : old.callback_url,
    pkce_mandatory: b.ext_pkce_mandatory === true, pkce_support_plain: b.ext_pkce_support_plain === true, public_client: b.ext_public_client === true,
    ...(b.backchannel_logout_uri !== undefined ? { backchannel_logout_uri: checkLogoutUri(b.backchannel_logout_uri) } : {}),
    ...(b.token_endpoint_auth_method !== undefined ? { token_endpoint_auth_method: checkAuthMethod(b.token_endpoint_auth_method) } : {}),
    ...(b.ext_token_type !== undefined ? { access_token_type: b.ext_token_type === 'JWT' ? 'jwt' : 'opaque' } : {}),
  };
  await saveClient(is, app, c);
  app.name = name;
  send(res, 200, dcrView(is, app, c));
}

/**
 * One DCR request after authentication. Unknown client ids and names are 401 with an empty body, seed apps
 * cannot be deleted (403, empty), as `NOT_FOUND_` / `FORBIDDEN_` errors are mapped.
 * @param {import('./state.mjs').LocalIsRuntime} is @param {any} t @param {any} req @param {any} res
 * @param {string} id client id from the path ('' for none) @param {URL} u @param {any} body @param {any} caller
 */
async function route(is, t, req, res, id, u, body, caller) {
  const m = req.method;
  if (m === 'POST' && !id) return register(is, t, res, caller, body && typeof body === 'object' ? body : {});
  if (m === 'GET' && !id) {
    const name = u.searchParams.get('client_name');
    if (!name) throw metadataError('Insufficient data in the request');
    const app = appByName(is, t.tenant, name);
    return app?.clientId ? send(res, 200, dcrView(is, app, is.state.clients.get(app.clientId))) : emptyStatus(res, 401);
  }
  const app = id ? appByClientId(is, t.tenant, id) : undefined;
  if (!id || !['GET', 'PUT', 'DELETE'].includes(String(m))) return emptyStatus(res, 405);
  if (!app) return emptyStatus(res, 401);
  if (m === 'GET') return send(res, 200, dcrView(is, app, is.state.clients.get(String(app.clientId))));
  if (m === 'PUT') return update(is, t, res, app, body && typeof body === 'object' ? body : {});
  if (app.source === 'seed') return emptyStatus(res, 403);
  deleteApp(is, app);
  return emptyStatus(res, 204);
}

/**
 * Handles the DCR API if `rest` is one of its paths: authentication valve (401), scope (403), then the request.
 * The `dcr` test-control option can make it `not_deployed` (404), `forbidden` (every caller lacks the scope)
 * or `mandate_ssa` (`oauth.dcr.mandate_ssa`).
 * @param {import('./state.mjs').LocalIsRuntime} is @param {any} t @param {any} req @param {any} res
 * @param {string} rest @param {URL} u @param {any} body
 * @returns {Promise<boolean>} whether the request was a DCR request
 */
export async function handleDcr(is, t, req, res, rest, u, body) {
  if (rest !== DCR_PATH && !rest.startsWith(`${DCR_PATH}/`)) return false;
  const { dcr } = registry(is).options;
  if (dcr === 'not_deployed') { send(res, 404, { error: 'not_found' }); return true; }
  const auth = await authenticate(is, t, req);
  if (!auth.ok) { unauthorized(res, auth.description, 'dcr'); return true; }
  const scope = SCOPE_OF[String(req.method)];
  if (dcr === 'forbidden' || (scope && !auth.caller.scopes.has(scope))) { forbidden(res); return true; }
  const id = decodeURIComponent(rest.slice(DCR_PATH.length).replace(/^\/+/, '').replace(/\/+$/, ''));
  try {
    await route(is, t, req, res, id, u, body, auth.caller);
  } catch (err) {
    if (!(err instanceof DcrError)) throw err;
    send(res, 400, { error: err.error, error_description: err.message, traceId: crypto.randomUUID() });
  }
  return true;
}
