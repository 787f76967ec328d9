// Mutable state of one local IS instance (the test-control API changes it at run time) and the runtime
// context that every module receives.
import { DEFAULT_LIFETIMES } from './wso2.mjs';

/**
 * @typedef {object} LocalIsRuntime everything the modules of one instance share
 * @property {ReturnType<typeof createState>} state mutable state (returned as `is.state`)
 * @property {{ clients: any[], users: Record<string, any[]> }} seed this instance's copy of seed/index.mjs
 * @property {(...a: any[]) => void} log console log unless quiet
 * @property {boolean} testControl
 * @property {import('undici').Agent} outbound dispatcher for outbound HTTPS (back-channel logout)
 * @property {ReturnType<typeof import('./certs.mjs').signingMaterial>} sig signing material
 * @property {(payload: object, header?: object) => string} signJwt
 * @property {string[]} cookieKeys
 * @property {Map<string, any>} tenants tenant domain → tenant (see provider.mjs)
 * @property {Set<import('node:http').ServerResponse>} pending responses held open by `hang` scenarios
 * @property {string} origin `https://localhost:<port>`, set once listening
 * @property {number} port the actual port, set once listening
 */

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
 * `DELETE /__test/reset`: scenario, lifetimes, clients, remembered consents, logs.
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
 * Remembers a redeemed authorization code so that its reuse gets WSO2's "Inactive authorization code" text.
 * @param {ReturnType<typeof createState>} state
 * @param {unknown} code
 */
export function rememberUsedCode(state, code) {
  state.usedCodes.add(String(code));
  if (state.usedCodes.size > 10000) state.usedCodes.clear();
}
