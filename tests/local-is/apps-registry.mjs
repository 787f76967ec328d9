// The applications (service providers) of each tenant as WSO2's management APIs see them: the seed clients
// ("created in the Console"), seed/applications.json (apps without an OIDC inbound) and the apps registered
// through DCR. A registered app is an oidc-provider client at once: its metadata goes into the tenant's adapter
// store (oidc-provider finds dynamic clients there) and its options into `is.state.clients`, the same registry
// the seed clients' WSO2 rules read (callback rule, consent, PKCE, back-channel logout, released claims).
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';

import { callbackUrls } from './wso2.mjs';

/** WSO2's default `service_provider.sp_name_regex` (carbon-identity-framework default.json; R1 §1.2). */
export const SP_NAME_REGEX = '^[a-zA-Z0-9._-]+(?: [a-zA-Z0-9._-]+)*$';

const NON_OIDC_SEED = JSON.parse(fs.readFileSync(new URL('./seed/applications.json', import.meta.url), 'utf8'));

/**
 * @typedef {object} App
 * @property {string} id UUID
 * @property {string} tenant
 * @property {string} name
 * @property {string} description
 * @property {'seed' | 'dcr'} source
 * @property {'oidc' | 'saml'} protocol
 * @property {string} [clientId] OIDC apps
 * @property {string} [issuer] SAML apps
 * @property {string} owner
 * @property {any} [claimConfiguration] undefined: every attribute selected (seed clients)
 */

/** Test-control defaults (`PUT /__test/management`). */
export const DEFAULT_OPTIONS = Object.freeze({ dcr: 'enabled', decodeRedirectUris: false });

/** A stable UUID-shaped id for a seed app, per tenant. @param {string} tenant @param {string} key */
function seedId(tenant, key) {
  const h = crypto.createHash('sha256').update(`${tenant}|${key}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** @param {import('./state.mjs').LocalIsRuntime} is @returns {Map<string, App>} */
function seedApps(is) {
  /** @type {Map<string, App>} */
  const apps = new Map();
  for (const tenant of is.tenants.keys()) {
    for (const c of is.seed.clients) {
      const app = { id: seedId(tenant, c.client_id), tenant, name: c.name, description: '', source: /** @type {const} */ ('seed'), protocol: /** @type {const} */ ('oidc'), clientId: c.client_id, owner: 'admin' };
      apps.set(app.id, app);
    }
    for (const s of NON_OIDC_SEED) {
      const app = { id: seedId(tenant, s.name), tenant, name: s.name, description: s.description, source: /** @type {const} */ ('seed'), protocol: /** @type {const} */ ('saml'), issuer: s.issuer, owner: 'admin' };
      apps.set(app.id, app);
    }
  }
  return apps;
}

/**
 * The management state of an instance, created on first use: options and applications.
 * @param {import('./state.mjs').LocalIsRuntime} is
 * @returns {{ options: { dcr: string, decodeRedirectUris: boolean }, apps: Map<string, App> }}
 */
export function registry(is) {
  const st = /** @type {any} */ (is.state);
  st.management ||= { options: { ...DEFAULT_OPTIONS }, apps: seedApps(is) };
  return st.management;
}

/** Applications of a tenant, in creation order. @param {import('./state.mjs').LocalIsRuntime} is @param {string} tenant */
export function appsOf(is, tenant) {
  return [...registry(is).apps.values()].filter((a) => a.tenant === tenant);
}

/** @param {import('./state.mjs').LocalIsRuntime} is @param {string} tenant @param {string} name */
export const appByName = (is, tenant, name) => appsOf(is, tenant).find((a) => a.name === name);

/** @param {import('./state.mjs').LocalIsRuntime} is @param {string} tenant @param {string} clientId */
export const appByClientId = (is, tenant, clientId) => appsOf(is, tenant).find((a) => a.clientId === clientId);

/** @param {import('./state.mjs').LocalIsRuntime} is @param {string} tenant @param {string} id */
export function appById(is, tenant, id) {
  const app = registry(is).apps.get(id);
  return app && app.tenant === tenant ? app : undefined;
}

/**
 * oidc-provider metadata of a registered app (its WSO2 rules are applied from the client options).
 * @param {any} c client options
 */
function providerMetadata(c) {
  const code = c.grant_types.includes('authorization_code');
  const urls = code ? callbackUrls(c.callback_url) : [];
  return {
    client_id: c.client_id,
    client_secret: c.client_secret,
    client_name: c.name,
    redirect_uris: urls,
    post_logout_redirect_uris: urls,
    grant_types: c.grant_types,
    response_types: code ? ['code'] : [],
    token_endpoint_auth_method: c.public_client ? 'none' : (c.token_endpoint_auth_method || 'client_secret_basic'),
    backchannel_logout_uri: 'https://localhost:5000/logout/backchannel',
    backchannel_logout_session_required: true,
    id_token_signed_response_alg: 'RS256',
  };
}

/**
 * Writes a registered app's client into its tenant's oidc-provider (after validating the metadata) and its
 * options into `is.state.clients`. Seed apps keep their static oidc-provider client; only their options change.
 * @param {import('./state.mjs').LocalIsRuntime} is @param {App} app @param {any} copts
 */
export async function saveClient(is, app, copts) {
  if (app.source !== 'seed') {
    const t = is.tenants.get(app.tenant);
    const metadata = providerMetadata(copts);
    await t.provider.Client.validate(metadata);
    t.store.set(`Client:${copts.client_id}`, metadata);
  }
  is.state.clients.set(copts.client_id, copts);
}

/** Adds a new app to the registry. @param {import('./state.mjs').LocalIsRuntime} is @param {Omit<App, 'id'>} fields */
export function addApp(is, fields) {
  const app = { id: crypto.randomUUID(), ...fields };
  registry(is).apps.set(app.id, app);
  return app;
}

/** Deletes a registered app: registry, oidc-provider client, options. @param {import('./state.mjs').LocalIsRuntime} is @param {App} app */
export function deleteApp(is, app) {
  registry(is).apps.delete(app.id);
  if (app.clientId) {
    is.tenants.get(app.tenant)?.store.delete(`Client:${app.clientId}`);
    is.state.clients.delete(app.clientId);
  }
}

/**
 * `DELETE /__test/reset` (and `DELETE /__test/management` with `apps`): registered apps deleted, options and
 * the seed apps back to the seed.
 * @param {import('./state.mjs').LocalIsRuntime} is
 */
export function resetManagement(is) {
  const st = /** @type {any} */ (is.state);
  if (!st.management) return;
  for (const app of [...st.management.apps.values()]) if (app.source !== 'seed') deleteApp(is, app);
  st.management = undefined;
}

/** WSO2-style generated client id (28 characters, like the Console's). */
export const newClientId = () => crypto.randomBytes(21).toString('base64url').replace(/[-_]/g, 'x');
/** WSO2-style generated client secret. */
export const newClientSecret = () => crypto.randomBytes(24).toString('base64url');
