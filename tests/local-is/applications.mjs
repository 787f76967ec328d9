// WSO2's Application Management REST API v1 (`/api/server/v1/applications`, also under `/t/{tenant}`), the parts
// `npm run setup` uses: list with `filter`, get by id, PATCH (claim configuration, consent options, name,
// description) and the OIDC inbound protocol GET/PUT. Shapes, defaults, statuses and error bodies as quoted in
// /tmp/research/R1-wso2-management.md §2 (identity-api-server `applications.yaml`,
// `ServerApplicationManagementService`, `OAuthInboundFunctions`, the REST dispatcher's `ErrorMappings`).
import { appById, appByName, appsOf, saveClient, SP_NAME_REGEX } from './apps-registry.mjs';
import { LOCAL_CLAIM_URIS, oidcClaimsFor } from './claim-uris.mjs';
import { send } from './http.mjs';
import { filterApps } from './app-filter.mjs';
import { ApiError, authenticate, emptyStatus, forbidden, sendApiError, unauthorized } from './mgmt-auth.mjs';

export const APPS_PATH = '/api/server/v1/applications';
const SCOPE_OF = /** @type {Record<string, string>} */ ({ GET: 'internal_application_mgt_view', POST: 'internal_application_mgt_create', PUT: 'internal_application_mgt_update', PATCH: 'internal_application_mgt_update', DELETE: 'internal_application_mgt_delete' });
const LIST_ATTRIBUTES = new Set(['advancedConfigurations', 'templateId', 'templateVersion', 'clientId', 'issuer', 'associatedRoles.allowedAudience']);

const invalid = (/** @type {string} */ d) => new ApiError(400, 'APP-60001', 'Invalid Request.', d);

/** @param {any} t @param {import('./apps-registry.mjs').App} app */
const selfOf = (t, app) => `${t.prefix}${APPS_PATH}/${app.id}`;

/**
 * The claim configuration of an app; seed clients without one have every mapped attribute selected.
 * @param {import('./state.mjs').LocalIsRuntime} is @param {import('./apps-registry.mjs').App} app
 */
function claimConfigOf(is, app) {
  const stored = app.clientId ? is.state.clients.get(app.clientId)?.claim_configuration : app.claimConfiguration;
  if (stored) return structuredClone(stored);
  const requested = app.source === 'seed' && app.clientId ? Object.values(LOCAL_CLAIM_URIS) : [];
  return { dialect: 'LOCAL', claimMappings: [], requestedClaims: requested.map((uri) => ({ claim: { uri }, mandatory: false })) };
}

/** @param {import('./state.mjs').LocalIsRuntime} is @param {import('./apps-registry.mjs').App} app */
function advancedOf(is, app) {
  const c = app.clientId ? is.state.clients.get(app.clientId) : undefined;
  return {
    saas: false, discoverableByEndUsers: false, skipLoginConsent: !!c?.skip_login_consent, skipLogoutConsent: !!c?.skip_logout_consent,
    returnAuthenticatedIdpList: false, enableAuthorization: false,
  };
}

/** `ApplicationResponseModel` of `GET /applications/{id}`. @param {import('./state.mjs').LocalIsRuntime} is @param {any} t @param {import('./apps-registry.mjs').App} app */
function appView(is, t, app) {
  const protocol = app.protocol === 'oidc' ? { type: 'oauth2', self: `${selfOf(t, app)}/inbound-protocols/oidc` } : { type: 'samlsso', self: `${selfOf(t, app)}/inbound-protocols/saml` };
  return {
    id: app.id, name: app.name, description: app.description,
    ...(app.clientId ? { clientId: app.clientId } : {}), ...(app.issuer ? { issuer: app.issuer } : {}),
    isManagementApp: false, isB2BSelfServiceApp: false, applicationEnabled: true,
    associatedRoles: { allowedAudience: 'APPLICATION', roles: [] },
    claimConfiguration: claimConfigOf(is, app), inboundProtocols: [protocol],
    advancedConfigurations: advancedOf(is, app), access: 'WRITE',
  };
}

/** @param {URLSearchParams} q */
function listAttributes(q) {
  const attrs = (q.get('attributes') || '').split(',').map((s) => s.trim()).filter(Boolean);
  for (const a of attrs) if (!LIST_ATTRIBUTES.has(a)) throw new ApiError(400, 'APP-60505', 'Invalid Request.', `Attribute ${a} is not supported.`);
  return new Set(attrs);
}

/**
 * `GET /applications`: `ApplicationListResponse`; `limit` default 15 (at most 100), `offset` 0; `clientId` and
 * `issuer` only when asked for in `attributes` or used in the filter.
 * @param {import('./state.mjs').LocalIsRuntime} is @param {any} t @param {any} res @param {URLSearchParams} q
 */
function list(is, t, res, q) {
  const attrs = listAttributes(q);
  const { apps, attributes } = filterApps(appsOf(is, t.tenant), q.get('filter'));
  for (const a of attributes) attrs.add(a);
  const limit = Math.min(Math.max(Number.parseInt(q.get('limit') || '15', 10) || 15, 0), 100);
  const offset = Math.max(Number.parseInt(q.get('offset') || '0', 10) || 0, 0);
  const page = apps.slice(offset, offset + limit);
  const links = [];
  if (offset + limit < apps.length) links.push({ href: `${t.prefix}${APPS_PATH}?offset=${offset + limit}&limit=${limit}`, rel: 'next' });
  if (offset > 0) links.push({ href: `${t.prefix}${APPS_PATH}?offset=${Math.max(offset - limit, 0)}&limit=${limit}`, rel: 'previous' });
  const items = page.map((app) => ({
    id: app.id, name: app.name, description: app.description,
    ...(attrs.has('clientId') && app.clientId ? { clientId: app.clientId } : {}),
    ...(attrs.has('issuer') && app.issuer ? { issuer: app.issuer } : {}),
    ...(attrs.has('advancedConfigurations') ? { advancedConfigurations: advancedOf(is, app) } : {}),
    access: 'WRITE', self: selfOf(t, app),
  }));
  send(res, 200, { totalResults: apps.length, startIndex: offset + 1, count: items.length, applications: items, links });
}

/** Applies a PATCH's `claimConfiguration` (replaced as a whole; dialect LOCAL by default). @param {any} cc */
function normalClaimConfig(cc) {
  if (!cc || typeof cc !== 'object') throw invalid('claimConfiguration must be an object.');
  const requested = Array.isArray(cc.requestedClaims) ? cc.requestedClaims : [];
  for (const r of requested) if (typeof r?.claim?.uri !== 'string') throw invalid('Each requested claim needs claim.uri.');
  return {
    ...cc, dialect: cc.dialect || 'LOCAL', claimMappings: Array.isArray(cc.claimMappings) ? cc.claimMappings : [],
    requestedClaims: requested.map((/** @type {any} */ r) => ({ claim: { uri: r.claim.uri }, mandatory: r.mandatory === true })),
  };
}

/**
 * `PATCH /applications/{id}` → 200, empty body. Renaming to a taken name is 409 `APP-60007`.
 * @param {import('./state.mjs').LocalIsRuntime} is @param {any} t @param {any} res @param {import('./apps-registry.mjs').App} app @param {any} b
 */
async function patch(is, t, res, app, b) {
  if (b.name !== undefined && b.name !== app.name) {
    if (typeof b.name !== 'string' || !new RegExp(SP_NAME_REGEX).test(b.name)) throw invalid(`The Application name: '${b.name}' is not valid! It is not adhering to the regex: ${SP_NAME_REGEX}`);
    if (appByName(is, t.tenant, b.name)) throw new ApiError(409, 'APP-60007', 'Error updating application.', `An application with name: '${b.name}' already exists in tenantDomain: ${t.tenant}`);
  }
  const cc = b.claimConfiguration !== undefined ? normalClaimConfig(b.claimConfiguration) : undefined;
  const adv = b.advancedConfigurations || {};
  if (app.clientId) {
    const c = { ...is.state.clients.get(app.clientId) };
    if (cc) Object.assign(c, { claim_configuration: cc, requested_claims: oidcClaimsFor(cc.requestedClaims.map((/** @type {any} */ r) => r.claim.uri)) });
    if (typeof adv.skipLoginConsent === 'boolean') c.skip_login_consent = adv.skipLoginConsent;
    if (typeof adv.skipLogoutConsent === 'boolean') c.skip_logout_consent = adv.skipLogoutConsent;
    if (b.name !== undefined) c.name = b.name;
    await saveClient(is, app, c);
  } else if (cc) app.claimConfiguration = cc;
  if (typeof b.name === 'string') app.name = b.name;
  if (typeof b.description === 'string') app.description = b.description;
  emptyStatus(res, 200);
}

/**
 * `OpenIDConnectConfiguration` of `GET /applications/{id}/inbound-protocols/oidc`; `clientSecret` only for a
 * caller with `internal_application_mgt_client_secret_view` (IS 7.2+).
 * @param {import('./state.mjs').LocalIsRuntime} is @param {any} c client options @param {any} caller
 */
export function oidcView(is, c, caller) {
  const lt = is.state.lifetimes;
  return {
    clientId: c.client_id,
    ...(caller.scopes.has('internal_application_mgt_client_secret_view') && c.client_secret ? { clientSecret: c.client_secret } : {}),
    state: 'ACTIVE', grantTypes: [...c.grant_types], callbackURLs: c.callback_url ? [c.callback_url] : [], allowedOrigins: [],
    publicClient: !!c.public_client, pkce: { mandatory: !!c.pkce_mandatory, supportPlainTransformAlgorithm: !!c.pkce_support_plain },
    accessToken: { type: c.access_token_type === 'jwt' ? 'JWT' : 'Default', userAccessTokenExpiryInSeconds: lt.AccessToken, applicationAccessTokenExpiryInSeconds: lt.AccessToken, bindingType: 'None', revokeTokensWhenIDPSessionTerminated: false, validateTokenBinding: false },
    refreshToken: { expiryInSeconds: lt.RefreshToken, renewRefreshToken: true },
    idToken: { expiryInSeconds: lt.IdToken, audience: [], encryption: { enabled: false, algorithm: '', method: '' } },
    logout: { backChannelLogoutUrl: c.backchannel_logout_uri || '', frontChannelLogoutUrl: '' },
    validateRequestObjectSignature: false, scopeValidators: [],
    ...(c.token_endpoint_auth_method ? { clientAuthentication: { tokenEndpointAuthMethod: c.token_endpoint_auth_method } } : {}),
    subject: { subjectType: 'public' }, isFAPIApplication: false,
  };
}

/**
 * `PUT /applications/{id}/inbound-protocols/oidc` → 200, empty body. The body must carry the current client id
 * and secret; several callback URLs are 501 (use one `regexp=(...)` entry).
 * @param {import('./state.mjs').LocalIsRuntime} is @param {any} res @param {import('./apps-registry.mjs').App} app @param {any} b
 */
async function putOidc(is, res, app, b) {
  const old = is.state.clients.get(/** @type {string} */ (app.clientId));
  if (b.clientId !== old.client_id) throw invalid('Invalid ClientID provided for update.');
  if ((b.clientSecret ?? null) !== (old.client_secret ?? null)) throw invalid('Invalid ClientSecret provided for update.');
  const callbacks = Array.isArray(b.callbackURLs) ? b.callbackURLs.map(String) : [];
  if (callbacks.length > 1) throw new ApiError(501, undefined, 'Server error while trying the attempted operation.', 'Multiple callbacks for OAuth2 are not supported yet. Please use regex to define multiple callbacks.');
  if (!Array.isArray(b.grantTypes) || !b.grantTypes.length) throw invalid('grantTypes must have at least one grant type.');
  const c = {
    ...old, grant_types: b.grantTypes.map(String), callback_url: callbacks[0] || '', public_client: b.publicClient === true,
    pkce_mandatory: b.pkce?.mandatory === true, pkce_support_plain: b.pkce?.supportPlainTransformAlgorithm === true,
    backchannel_logout_uri: b.logout?.backChannelLogoutUrl || null, access_token_type: b.accessToken?.type === 'JWT' ? 'jwt' : 'opaque',
    ...(b.clientAuthentication?.tokenEndpointAuthMethod ? { token_endpoint_auth_method: String(b.clientAuthentication.tokenEndpointAuthMethod) } : {}),
  };
  await saveClient(is, app, c);
  emptyStatus(res, 200);
}

/**
 * Routes one authenticated request under `/applications`.
 * @param {import('./state.mjs').LocalIsRuntime} is @param {any} t @param {any} req @param {any} res
 * @param {string[]} parts path segments after `/applications` @param {URL} u @param {any} body @param {any} caller
 */
async function route(is, t, req, res, parts, u, body, caller) {
  const m = req.method;
  if (!parts.length) return m === 'GET' ? list(is, t, res, u.searchParams) : emptyStatus(res, 405);
  const app = appById(is, t.tenant, parts[0]);
  if (!app) throw new ApiError(404, 'APP-60006', 'Application not found.', `Application cannot be found for the provided id: ${parts[0]} in the tenantDomain: ${t.tenant}.`);
  const b = body && typeof body === 'object' ? body : {};
  if (parts.length === 1 && m === 'GET') return send(res, 200, appView(is, t, app));
  if (parts.length === 1 && m === 'PATCH') return patch(is, t, res, app, b);
  if (parts.length === 3 && parts[1] === 'inbound-protocols' && parts[2] === 'oidc') {
    if (!app.clientId) throw new ApiError(404, 'APP-60502', 'Inbound protocol not configured.', 'Inbound protocol not configured.');
    if (m === 'GET') return send(res, 200, oidcView(is, is.state.clients.get(app.clientId), caller));
    if (m === 'PUT') return putOidc(is, res, app, b);
  }
  return emptyStatus(res, 405);
}

/**
 * Handles the Application Management API if `rest` is under `/api/server/v1/applications`.
 * @param {import('./state.mjs').LocalIsRuntime} is @param {any} t @param {any} req @param {any} res
 * @param {string} rest @param {URL} u @param {any} body
 * @returns {Promise<boolean>}
 */
export async function handleApplications(is, t, req, res, rest, u, body) {
  if (rest !== APPS_PATH && !rest.startsWith(`${APPS_PATH}/`)) return false;
  const auth = await authenticate(is, t, req);
  if (!auth.ok) { unauthorized(res, auth.description, 'server'); return true; }
  const scope = SCOPE_OF[String(req.method)];
  if (scope && !auth.caller.scopes.has(scope)) { forbidden(res); return true; }
  const parts = rest.slice(APPS_PATH.length).split('/').filter(Boolean).map(decodeURIComponent);
  try {
    await route(is, t, req, res, parts, u, body, auth.caller);
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    sendApiError(res, err);
  }
  return true;
}
