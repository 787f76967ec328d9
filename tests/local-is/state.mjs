// Mutable state of one local IS instance (the test-control API changes it at run time) and the runtime
// context that every module receives.
import { DEFAULT_LIFETIMES } from './wso2.mjs';

/**
 * @typedef {object} LocalIsRuntime everything the modules of one instance share
 * @property {ReturnType<typeof createState>} state mutable state (returned as `is.state`)
 * @property {{ clients: any[], users: Record<string, any[]>, organizations: Record<string, any[]> }} seed this
 *   instance's copy of seed/index.mjs
 * @property {(...a: any[]) => void} log console log unless quiet
 * @property {boolean} testControl
 * @property {import('undici').Agent} outbound dispatcher for outbound HTTPS (back-channel logout)
 * @property {import('undici').Agent} outboundLoopback dispatcher for back-channel logout to loopback hosts
 * @property {ReturnType<typeof import('./certs.mjs').signingMaterial>} sig signing material
 * @property {(payload: object, header?: object) => string} signJwt
 * @property {string[]} cookieKeys
 * @property {Map<string, any>} tenants tenant domain → tenant (see provider.mjs)
 * @property {Set<import('node:http').ServerResponse>} pending responses held open by `hang` scenarios
 * @property {string} origin `https://localhost:<port>`, set once listening
 * @property {number} port the actual port, set once listening
 */

/**
 * Self-registration settings of every tenant as the seed administrator configured them (Console → Login &
 * Registration → Self Registration): enabled, no account lock on creation (not modelled), no auto-login.
 * WSO2's server defaults differ (`allow_self_registration: false`, `lock_on_creation: true`; README.md,
 * "Self-registration"). `PUT /__test/self-registration` changes them.
 */
export const SELF_REGISTRATION_DEFAULTS = Object.freeze({ enabled: true, auto_login: false });

/**
 * Fresh state: request and back-channel logs, scenario, lifetimes, client options (a copy of the seed),
 * remembered consents, JWT → opaque access tokens, pending logout decisions and used authorization codes.
 * @param {any[]} seedClients
 */
export function createState(seedClients) {
  const state = {
    /** @type {any[]} */ log: [],
    /** @type {any[]} */ backchannel: [],
    scenario: { name: 'normal' },
    lifetimes: { ...DEFAULT_LIFETIMES },
    /** @type {Map<string, any>} */ clients: new Map(),
    /** @type {Map<string, Set<string>>} */ consents: new Map(),
    /** @type {Map<string, string>} */ jwtAccessTokens: new Map(),
    /** @type {Map<string, any>} */ logoutKeys: new Map(),
    /** @type {Set<string>} */ usedCodes: new Set(),
    /** @type {Map<string, any[]>} tenant → self-registered users (users.mjs) */ registeredUsers: new Map(),
    /** @type {Map<string, { orgId: string, userId: string }>} federated sub → organization user */ federatedAccounts: new Map(),
    /** @type {Set<string>} codes (and grant ids) whose ID tokens carry auth_time (login-options.mjs) */ authTimeFor: new Set(),
    selfRegistration: { ...SELF_REGISTRATION_DEFAULTS },
    /** @type {Map<string, { tenant: string, userId: string, exp: number }>} ALOR auto-login cookie → user */ autoLogins: new Map(),
    /** @type {Map<string, number>} issued PAR request_uri ids → expiry (epoch s), to tell expired from unknown (par.mjs) */ parRequests: new Map(),
  };
  resetClients(state, seedClients);
  return state;
}

/**
 * Run-time options of a client (README.md, "Client option fields"), shared by both tenants.
 * @param {ReturnType<typeof createState>} state
 * @param {string} clientId
 */
export function clientOpts(state, clientId) { return state.clients.get(clientId); }

/**
 * Client options back to the seed (what an administrator configured in WSO2's Console), for all clients.
 * @param {ReturnType<typeof createState>} state @param {any[]} seedClients
 */
export function resetClients(state, seedClients) {
  state.clients = new Map(seedClients.map((c) => [c.client_id, structuredClone(c)]));
}

/**
 * `DELETE /__test/client/<client_id>`: one client's options back to the seed.
 * @param {ReturnType<typeof createState>} state @param {any[]} seedClients @param {string} clientId
 */
export function resetClient(state, seedClients, clientId) {
  const seed = seedClients.find((x) => x.client_id === clientId);
  state.clients.set(clientId, structuredClone(seed));
  return state.clients.get(clientId);
}

/** `DELETE /__test/scenario`: back to `normal` (behave like WSO2 IS). @param {ReturnType<typeof createState>} state */
export function resetScenario(state) { state.scenario = { name: 'normal' }; return state.scenario; }

/** `DELETE /__test/lifetimes`: WSO2's default lifetimes. @param {ReturnType<typeof createState>} state */
export function resetLifetimes(state) { state.lifetimes = { ...DEFAULT_LIFETIMES }; return state.lifetimes; }

/**
 * `DELETE /__test/reset`: scenario, lifetimes, clients, remembered consents, logs, self-registered users and
 * the self-registration settings.
 * @param {ReturnType<typeof createState>} state
 * @param {any[]} seedClients
 */
export function resetAll(state, seedClients) {
  resetScenario(state);
  resetLifetimes(state);
  resetClients(state, seedClients);
  state.log.length = 0;
  state.backchannel.length = 0;
  state.consents.clear();
  state.registeredUsers.clear();
  state.selfRegistration = { ...SELF_REGISTRATION_DEFAULTS };
}

/** Appends to the request log of `GET /__test/log` (test tooling, not WSO2), keeping the last 2000 entries. @param {ReturnType<typeof createState>} state @param {any} entry */
export function logRequest(state, entry) {
  state.log.push(entry);
  if (state.log.length > 2000) state.log.splice(0, state.log.length - 2000);
}

const consentKey = (/** @type {string} */ tenant, /** @type {string} */ accountId, /** @type {string} */ clientId) => `${tenant}|${accountId}|${clientId}`;

/**
 * Scopes the user approved for the client ("Allow" = approveAlways), remembered per tenant + user + client for the
 * life of the process (README.md, "What it mimics": Consent).
 * @param {ReturnType<typeof createState>} state
 * @param {string} tenant @param {string} accountId @param {string} clientId
 */
export function rememberedConsent(state, tenant, accountId, clientId) {
  return state.consents.get(consentKey(tenant, accountId, clientId));
}

/**
 * @param {ReturnType<typeof createState>} state
 * @param {string} tenant @param {string} accountId @param {string} clientId
 * @param {unknown} scope space-separated scopes
 */
export function rememberConsent(state, tenant, accountId, clientId, scope) {
  const key = consentKey(tenant, accountId, clientId);
  const set = state.consents.get(key) || new Set();
  for (const s of String(scope || '').split(' ').filter(Boolean)) set.add(s);
  state.consents.set(key, set);
}

/**
 * `prompt=consent`: WSO2 removes the user's consent for the app before showing the consent page
 * (`OpenIDConnectUserRPStore.removeConsentForUser`).
 * @param {ReturnType<typeof createState>} state
 * @param {string} tenant @param {string} accountId @param {string} clientId
 */
export function forgetConsent(state, tenant, accountId, clientId) {
  state.consents.set(consentKey(tenant, accountId, clientId), new Set());
}

/**
 * Whether the consent was removed (`forgetConsent`) and not given again: the IS session's grant for the app
 * no longer counts.
 * @param {ReturnType<typeof createState>} state
 * @param {string} tenant @param {string | undefined} accountId @param {string} clientId
 */
export function consentForgotten(state, tenant, accountId, clientId) {
  return !!accountId && state.consents.get(consentKey(tenant, accountId, clientId))?.size === 0;
}

/**
 * Remembers a redeemed authorization code so that its reuse gets WSO2's "Inactive authorization code" text.
 * @param {ReturnType<typeof createState>} state
 * @param {unknown} code
 */
export function rememberUsedCode(state, code) {
  state.usedCodes.add(String(code));
  if (state.usedCodes.size > 10000) state.usedCodes.clear();
}
