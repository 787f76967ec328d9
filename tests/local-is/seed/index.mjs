// Seed data of the local IS: the users and applications (service providers) an administrator would have
// created in WSO2 IS, read from users.json, clients.json and organizations.json next to this file. The tables are in
// tests/local-is/README.md ("Seed data"); docs/wso2-is.md ("2. Create the application") describes the real one.
// Import the client constants below instead of repeating a client_id literal.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));

/**
 * @typedef {object} SeedClient one application as registered in both tenants (clients.json)
 * @property {string} name
 * @property {string} client_id
 * @property {string} [client_secret] absent for the public client
 * @property {boolean} public_client
 * @property {string} token_endpoint_auth_method
 * @property {string} callback_url literal or `regexp=<regex>` (WSO2 callback rule)
 * @property {string[]} grant_types
 * @property {boolean} pkce_mandatory
 * @property {boolean} skip_login_consent
 * @property {boolean} skip_logout_consent
 * @property {string|null} backchannel_logout_uri
 * @property {boolean} backchannel_logout_session_required
 * @property {'opaque'|'jwt'} access_token_type
 * @property {Record<string, unknown>} extra_access_token_claims
 * @property {string[]} [authorized_scopes] M2M applications: the scopes of the API resources authorized to it
 * @property {{ keys: object[] } | null} [jwks] public keys for private_key_jwt (set at run time through
 *   `PUT /__test/client/<id> {"jwks": ...}`)
 */

/**
 * @typedef {object} SeedUser one user of a tenant's user store (users.json); `id` is the WSO2 user UUID (= sub)
 * @property {string} id
 * @property {string} username
 * @property {string} password
 * @property {Record<string, unknown>} claims
 */

/**
 * @typedef {object} SeedOrganization a (B2B) organization under a root tenant (organizations.json)
 * @property {string} id organization id (UUID)
 * @property {string} handle
 * @property {string} name
 * @property {string[] | null} shared_clients client_ids the root application is shared with; null = all
 * @property {SeedUser[]} users the organization's own users
 */

/** @template T @param {T} v @returns {T} */
function deepFreeze(v) {
  if (v && typeof v === 'object' && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const x of Object.values(v)) deepFreeze(x);
  }
  return v;
}

/** @param {string} file */
function readJson(file) { return JSON.parse(fs.readFileSync(path.join(HERE, file), 'utf8')); }

/** @type {readonly SeedClient[]} */
export const clients = deepFreeze(readJson('clients.json'));

/** @type {Readonly<Record<string, readonly SeedUser[]>>} users per tenant domain */
export const users = deepFreeze(readJson('users.json'));

/** @type {Readonly<Record<string, readonly SeedOrganization[]>>} organizations per root tenant domain */
export const organizations = deepFreeze(readJson('organizations.json'));

/** The whole seed of clients and users (read-only; startLocalIs works on its own copy). */
export const seed = Object.freeze({ clients, users });

/**
 * @param {string} name
 * @returns {Readonly<{ name: string, client_id: string, client_secret: string | undefined }>}
 */
function seededClient(name) {
  const c = clients.find((x) => x.name === name);
  if (!c) throw new Error(`tests/local-is/seed/clients.json has no client named "${name}"`);
  return Object.freeze({ name: c.name, client_id: c.client_id, client_secret: c.client_secret });
}

/** The myclinic application: confidential (client_secret_basic), login and logout consent shown, back-channel logout. */
export const MYCLINIC = seededClient('myclinic');
/** Confidential client with "Skip login consent" and "Skip logout consent" on. */
export const MYCLINIC_SKIP = seededClient('myclinic-skip');
/** Public client (token_endpoint_auth_method none, PKCE mandatory, no back-channel logout); client_secret is undefined. */
export const MYCLINIC_SPA = seededClient('myclinic-spa');
/** Confidential client authenticating with private_key_jwt (its public key is set at run time); no secret. */
export const MYCLINIC_PKJWT = seededClient('myclinic-pkjwt');
/** Machine-to-machine application (client_credentials) authorized for the management APIs `npm run setup` calls. */
export const MYCLINIC_M2M = seededClient('myclinic-setup-m2m');
/**
 * @param {string} tenant @param {string} handle
 * @returns {Readonly<{ id: string, handle: string, name: string }>}
 */
function seededOrganization(tenant, handle) {
  const o = (organizations[tenant] || []).find((x) => x.handle === handle);
  if (!o) throw new Error(`tests/local-is/seed/organizations.json has no organization "${handle}" in ${tenant}`);
  return Object.freeze({ id: o.id, handle: o.handle, name: o.name });
}

/** The B2B organization BestCare (`{ id, handle, name }`) under the super tenant; its user is olivia / olivia123. */
export const BESTCARE = seededOrganization('carbon.super', 'bestcare');

export default seed;
