/**
 * Client of WSO2's Dynamic Client Registration API v1.1 (`/api/identity/oauth2/dcr/v1.1/register`), with WSO2's
 * request and response shapes (R1 §1): the registration setup wants, and reading, creating and updating it.
 * WSO2 answers an unknown client id with 401 and an empty body (the authentication valve's 401 has a JSON
 * body), a duplicate name with 400 "Application with the name … already exist in the system", and returns
 * several redirect URIs as one `regexp=(u1|u2)` element (newer builds: an array).
 */
import { SetupError } from './errors.mjs';
import { describeResponse } from './http.mjs';

/**
 * The app's URLs under `AUTH_CLIENT_HOST`.
 * @param {string} appUrl origin
 */
export function appUrls(appUrl) {
  return { login: `${appUrl}/login`, signin: `${appUrl}/signin`, backchannel: `${appUrl}/logout/backchannel` };
}

/**
 * The registration request: both callbacks (WSO2 stores them as `regexp=(login|signin)`, which also admits the
 * post-logout URL), code + refresh grants, PKCE mandatory, a confidential client with client_secret_basic, the
 * back-channel logout URI. Only properties IS 7.0's strict DTO knows.
 * @param {string} name @param {ReturnType<typeof appUrls>} urls
 * @param {{ grants?: string[], redirectUris?: string[] }} [keep] an existing app's grants and URLs to keep
 */
export function registrationRequest(name, urls, keep = {}) {
  return {
    client_name: name,
    redirect_uris: keep.redirectUris ?? [urls.login, urls.signin],
    grant_types: [...new Set([...(keep.grants ?? []), 'authorization_code', 'refresh_token'])],
    token_endpoint_auth_method: 'client_secret_basic',
    ext_pkce_mandatory: true,
    ext_pkce_support_plain: false,
    ext_public_client: false,
    backchannel_logout_uri: urls.backchannel,
  };
}

/**
 * The URLs a WSO2 callback entry lists: a literal URL, or the alternatives of `regexp=(a|b|…)` when each is a
 * plain URL (WSO2 escapes only `?`); undefined for any other regular expression.
 * @param {string} entry
 * @returns {string[] | undefined}
 */
export function urlsOfEntry(entry) {
  if (!entry) return [];
  if (!entry.startsWith('regexp=')) return [entry];
  const m = /^regexp=\((.*)\)$/.exec(entry);
  const alts = (m ? m[1] : entry.slice(7)).split('|').map((s) => s.replace(/\\\?/g, '?'));
  return alts.every((a) => URL.canParse(a) && !/[()[\]*+^$\\{}]/.test(a)) ? alts : undefined;
}

/**
 * Whether a WSO2 callback entry admits a URL: exact match, or a whole-string match of the `regexp=` pattern.
 * @param {string} entry @param {string} url
 */
export function callbackAdmits(entry, url) {
  if (!entry) return false;
  if (!entry.startsWith('regexp=')) return entry === url;
  try { return new RegExp(`^(?:${entry.slice(7)})$`).test(url); } catch { return false; }
}

/**
 * The one callback entry of a DCR answer (`["regexp=(…)"]`, `[url]`, or the decoded array of newer builds).
 * @param {unknown} redirectUris
 */
export function callbackEntryOf(redirectUris) {
  const list = Array.isArray(redirectUris) ? redirectUris.map(String) : [];
  if (list.length <= 1) return list[0] ?? '';
  return `regexp=(${list.join('|')})`;
}

/**
 * What differs between a registration and what setup wants (empty when nothing does).
 * @param {any} reg DCR answer @param {ReturnType<typeof appUrls>} urls
 * @returns {string[]}
 */
export function registrationChanges(reg, urls) {
  const entry = callbackEntryOf(reg.redirect_uris);
  const grants = new Set(reg.grant_types || []);
  const changes = [];
  if (!callbackAdmits(entry, urls.login) || !callbackAdmits(entry, urls.signin)) changes.push(`callback URLs ${urls.login} and ${urls.signin}`);
  if (!grants.has('authorization_code') || !grants.has('refresh_token')) changes.push('grant types authorization_code and refresh_token');
  if (reg.ext_pkce_mandatory !== true) changes.push('PKCE mandatory');
  if (reg.ext_public_client === true) changes.push('confidential client (not public)');
  if (reg.token_endpoint_auth_method && reg.token_endpoint_auth_method !== 'client_secret_basic') changes.push('client_secret_basic');
  return changes;
}

/** @param {import('./http.mjs').HttpResponse} r @param {string} what @param {string} who */
function failure(r, what, who) {
  const d = describeResponse(r);
  if (r.status === 401) return new SetupError('setup_auth_failed', `The IS refused the credentials of the ${who} for ${what} (${d}).`, { status: 401, hint: 'Check the administrator name and password (or the M2M application\'s credentials).' });
  if (r.status === 403) return new SetupError('setup_dcr_forbidden', `The IS does not allow these credentials to use Dynamic Client Registration (${d}).`, { status: 403, hint: 'The user needs the internal_dcr_* permissions (an M2M application: authorize the DCR API with internal_dcr_view/create/update).' });
  if (r.status === 404) return new SetupError('setup_dcr_disabled', `Dynamic Client Registration is not available at this IS (${d}).`, { status: 404, hint: 'A proxy in front of the IS may block /api/identity/oauth2/dcr; or create the app in the Console (docs/wso2-is.md).' });
  if (r.status === 400 && r.json?.error === 'invalid_software_statement') {
    return new SetupError('setup_dcr_disabled', `This IS accepts registrations only with a software statement (${d}).`, { status: 400, hint: 'The IS has [oauth.dcr] mandate_ssa = true; create the app in the Console instead (docs/wso2-is.md).' });
  }
  if (r.status === 400 && /already exist/i.test(String(r.json?.error_description))) {
    return new SetupError('setup_name_taken', `An application with this name exists but setup cannot see or update it (${d}).`, { status: 400, hint: 'Choose another --name, or delete or rename that application in the Console.' });
  }
  if (r.status === 400) return new SetupError('setup_dcr_rejected', `The IS refused the registration (${d}).`, { status: 400 });
  return new SetupError('setup_unexpected_response', `Unexpected answer to ${what} (${d}).`, { status: r.status });
}

/**
 * @param {ReturnType<import('./http.mjs').createHttp>} http @param {string} endpoint the register URL
 * @param {string} authorization @param {string} who whose credentials, for messages
 */
export function dcrClient(http, endpoint, authorization, who) {
  return {
    /** POST /register → the registration (201). @param {object} body */
    async register(body) {
      const r = await http.request('POST', endpoint, { authorization, json: body });
      if (r.status !== 201 && r.status !== 200) throw failure(r, 'the registration', who);
      return r.json;
    },
    /**
     * GET /register/{client_id} → the registration, or undefined when DCR cannot show it (unknown to DCR: 401
     * with an empty body; no access: 403; DCR not available: 404).
     * @param {string} clientId
     */
    async get(clientId) {
      const r = await http.request('GET', `${endpoint}/${encodeURIComponent(clientId)}`, { authorization });
      if (r.status === 200 && r.json) return r.json;
      if (r.status === 401 && r.json?.code === 401) throw failure(r, 'reading the registration', who);
      if ([401, 403, 404].includes(r.status)) return undefined;
      throw failure(r, 'reading the registration', who);
    },
    /** PUT /register/{client_id} → the registration. @param {string} clientId @param {object} body */
    async update(clientId, body) {
      const r = await http.request('PUT', `${endpoint}/${encodeURIComponent(clientId)}`, { authorization, json: body });
      if (r.status !== 200) throw failure(r, 'updating the registration', who);
      return r.json;
    },
  };
}
