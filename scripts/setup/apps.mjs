/**
 * Client of WSO2's Application Management REST API v1 (`/api/server/v1/applications`, R1 §2) for what DCR
 * cannot set or show: find an app by name (with its id and client id), the OIDC inbound protocol (one callback
 * entry, back-channel logout URL, PKCE; a PUT must echo the client id and secret), and the requested claims
 * (the Console's "User Attributes" tab) through PATCH.
 */
import { callbackAdmits, urlsOfEntry } from './dcr.mjs';
import { SetupError } from './errors.mjs';
import { describeResponse } from './http.mjs';

/** The user attributes the dashboard shows, as WSO2 local claim URIs (R1 §2.6). */
export const DASHBOARD_CLAIMS = Object.freeze({
  given_name: 'http://wso2.org/claims/givenname',
  family_name: 'http://wso2.org/claims/lastname',
  email: 'http://wso2.org/claims/emailaddress',
  username: 'http://wso2.org/claims/username',
});

/** @param {import('./http.mjs').HttpResponse} r @param {string} what @param {string} who */
function failure(r, what, who) {
  const d = describeResponse(r);
  if (r.status === 401) return new SetupError('setup_auth_failed', `The IS refused the credentials of the ${who} (${d}).`, { status: 401, hint: 'Check the administrator name and password (or the M2M application\'s credentials).' });
  if (r.status === 403) return new SetupError('setup_forbidden', `These credentials may not use the Application Management API for ${what} (${d}).`, { status: 403, hint: 'The user needs the application management permissions (an M2M application: authorize the Application Management API with internal_application_mgt_view/update and internal_application_mgt_client_secret_view).' });
  return new SetupError('setup_unexpected_response', `Unexpected answer to ${what} (${d}).`, { status: r.status });
}

/**
 * @param {ReturnType<import('./http.mjs').createHttp>} http @param {string} base `{origin}{tenant path}/api/server/v1/applications`
 * @param {string} authorization @param {string} who whose credentials, for messages
 */
export function appsClient(http, base, authorization, who) {
  const call = (/** @type {string} */ method, /** @type {string} */ url, /** @type {unknown} */ json = undefined) => http.request(method, url, { authorization, json });
  return {
    /** The app with exactly this name: `{ id, name, clientId? }`, or undefined. @param {string} name */
    async findByName(name) {
      const q = new URLSearchParams({ filter: `name eq ${name}`, attributes: 'clientId', limit: '30' });
      const r = await call('GET', `${base}?${q}`);
      if (r.status !== 200 || !Array.isArray(r.json?.applications)) throw failure(r, 'looking the application up', who);
      return r.json.applications.find((/** @type {any} */ a) => a.name === name);
    },
    /** @param {string} id */
    async get(id) {
      const r = await call('GET', `${base}/${id}`);
      if (r.status !== 200 || !r.json) throw failure(r, 'reading the application', who);
      return r.json;
    },
    /** The OIDC inbound protocol, or undefined when the app has none (404 APP-60502). @param {string} id */
    async getOidc(id) {
      const r = await call('GET', `${base}/${id}/inbound-protocols/oidc`);
      if (r.status === 404) return undefined;
      if (r.status !== 200 || !r.json) throw failure(r, 'reading its OpenID Connect settings', who);
      return r.json;
    },
    /** @param {string} id @param {any} body */
    async putOidc(id, body) {
      const r = await call('PUT', `${base}/${id}/inbound-protocols/oidc`, body);
      if (r.status === 400 && /Invalid Client(ID|Secret) provided/i.test(String(r.json?.description))) {
        throw new SetupError('setup_name_taken', `The IS refused to update the OpenID Connect settings of this application (${describeResponse(r)}).`, { hint: 'Choose another --name, or update the app in the Console (docs/wso2-is.md).' });
      }
      if (r.status !== 200 && r.status !== 201 && r.status !== 204) throw failure(r, 'updating its OpenID Connect settings', who);
    },
    /** @param {string} id @param {any} body */
    async patch(id, body) {
      const r = await call('PATCH', `${base}/${id}`, body);
      if (r.status !== 200 && r.status !== 204) throw failure(r, 'updating its user attributes', who);
    },
  };
}

/**
 * The callback entry that admits both URLs, keeping the other URLs of `entry` when it lists plain URLs.
 * @param {string} entry @param {string[]} wanted
 */
export function mergedCallback(entry, wanted) {
  if (wanted.every((u) => callbackAdmits(entry, u))) return entry;
  const urls = [...new Set([...(urlsOfEntry(entry) ?? []), ...wanted])];
  return urls.length === 1 ? urls[0] : `regexp=(${urls.join('|')})`;
}

/**
 * The OIDC inbound with setup's settings, and what changed (nothing: an empty list).
 * @param {any} oidc GET answer @param {ReturnType<typeof import('./dcr.mjs').appUrls>} urls
 */
export function desiredOidc(oidc, urls) {
  const entry = (oidc.callbackURLs || [])[0] ?? '';
  const callback = mergedCallback(entry, [urls.login, urls.signin]);
  const grants = [...new Set([...(oidc.grantTypes || []), 'authorization_code', 'refresh_token'])];
  const changes = [];
  if (callback !== entry) changes.push(`callback entry ${callback}`);
  if (grants.length !== (oidc.grantTypes || []).length) changes.push('grant types authorization_code and refresh_token');
  if ((oidc.logout?.backChannelLogoutUrl || '') !== urls.backchannel) changes.push(`back-channel logout URL ${urls.backchannel}`);
  if (oidc.pkce?.mandatory !== true) changes.push('PKCE mandatory');
  if (oidc.publicClient === true) changes.push('confidential client');
  const body = {
    ...oidc, callbackURLs: [callback], grantTypes: grants, publicClient: false,
    pkce: { ...oidc.pkce, mandatory: true, supportPlainTransformAlgorithm: oidc.pkce?.supportPlainTransformAlgorithm === true },
    logout: { ...oidc.logout, backChannelLogoutUrl: urls.backchannel },
  };
  return { changes, body };
}

/**
 * The claim configuration with the dashboard's attributes requested (others kept), and the attributes added.
 * @param {any} cc the application's `claimConfiguration`
 */
export function desiredClaims(cc) {
  const current = Array.isArray(cc?.requestedClaims) ? cc.requestedClaims : [];
  const have = new Set(current.map((/** @type {any} */ r) => r?.claim?.uri));
  const added = Object.entries(DASHBOARD_CLAIMS).filter(([, uri]) => !have.has(uri)).map(([name]) => name);
  const requestedClaims = [
    ...current.map((/** @type {any} */ r) => ({ claim: { uri: r.claim.uri }, mandatory: r.mandatory === true })),
    ...added.map((name) => ({ claim: { uri: DASHBOARD_CLAIMS[/** @type {keyof typeof DASHBOARD_CLAIMS} */ (name)] }, mandatory: false })),
  ];
  return { added, claimConfiguration: { ...cc, dialect: cc?.dialect || 'LOCAL', requestedClaims } };
}
