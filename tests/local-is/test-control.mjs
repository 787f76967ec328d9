// The /__test API (README.md, "Test-control API"): request and back-channel logs, scenarios, lifetimes, client
// options, ending IS sessions as an administrator would, and reset. Only reachable with testControl.
import { sendBackchannelLogout } from './backchannel.mjs';
import { send } from './http.mjs';
import { selfRegistrationControl } from './registration.mjs';
import { scenarios } from './scenarios.mjs';
import { resetAll, resetClient, resetLifetimes, resetScenario } from './state.mjs';
import { findTenantUser } from './users.mjs';
import { DEFAULT_LIFETIMES } from './wso2.mjs';

/**
 * @typedef {import('./state.mjs').LocalIsRuntime} Runtime
 * @typedef {import('node:http').ServerResponse} Res
 * @typedef {(is: Runtime, res: Res, body: any) => unknown} Handler
 */

/** Whether an IS session matches `{sid}`, `{username[, tenant]}` (resolved to `user`) or `{sub}`. */
function sessionMatches(/** @type {any} */ s, /** @type {any[]} */ auths, /** @type {any} */ match, /** @type {any} */ user) {
  return (match.sid && auths.some(([, a]) => a.sid === match.sid))
    || (user && s.accountId === user.id)
    || (match.sub && s.accountId === match.sub);
}

/**
 * Ends one IS session like WSO2's session termination: back-channel logout to each client of the session,
 * grants and their tokens revoked, session deleted.
 * @param {Runtime} is @param {any} t tenant @param {string} id session id @param {any} s session
 * @param {[string, any][]} auths the session's authorizations per client
 */
async function endSession(is, t, id, s, auths) {
  for (const [clientId, a] of auths) {
    const c = await t.provider.Client.find(clientId).catch(() => undefined);
    if (c) await sendBackchannelLogout(is, t, clientId, s.accountId, a.sid);
    if (a.grantId) {
      await new t.Adapter('AccessToken').revokeByGrantId(a.grantId);
      t.store.delete(`Grant:${a.grantId}`);
    }
  }
  await new t.Adapter('Session').destroy(id);
  return { tenant: t.tenant, sub: s.accountId, sids: auths.map(([, a]) => a.sid), clients: auths.map(([c]) => c) };
}

/**
 * `POST /__test/logout-session`: ends every matching IS session in every (or the given) tenant.
 * @param {Runtime} is @param {{ sid?: string, username?: string, sub?: string, tenant?: string }} match
 */
export async function endSessions(is, match) {
  const ended = [];
  for (const t of is.tenants.values()) {
    if (match.tenant && match.tenant !== t.tenant) continue;
    const user = match.username ? findTenantUser(is, t.tenant, match.username) : undefined;
    if (match.username && !user) continue;
    for (const [id, s] of [...t.store.entries('Session:')]) {
      const auths = Object.entries(s.authorizations || {});
      if (!sessionMatches(s, auths, match, user) || !s.accountId) continue;
      ended.push(await endSession(is, t, id, s, auths));
    }
  }
  return ended;
}

/** @type {Handler} */
function putScenario(is, res, body) {
  if (!body?.name || !scenarios[body.name]) return send(res, 400, { error: 'unknown scenario', available: Object.keys(scenarios) });
  is.state.scenario = { ...body };
  return send(res, 200, is.state.scenario);
}

/** @type {Handler} */
function putLifetimes(is, res, body) {
  for (const k of /** @type {(keyof typeof DEFAULT_LIFETIMES)[]} */ (Object.keys(DEFAULT_LIFETIMES))) {
    if (body?.[k] !== undefined) {
      const v = Number(body[k]);
      if (!Number.isInteger(v) || v <= 0) return send(res, 400, { error: `${k} must be a positive integer` });
      is.state.lifetimes[k] = v;
    }
  }
  return send(res, 200, is.state.lifetimes);
}

/** @type {Handler} */
async function logoutSession(is, res, body) {
  if (!body?.sid && !body?.username && !body?.sub) return send(res, 400, { error: 'give sid, username or sub' });
  const ended = await endSessions(is, body);
  return send(res, 200, { ended });
}

/** @type {Handler} */
function reset(is, res) {
  resetAll(is.state, is.seed.clients);
  return send(res, 200, { ok: true });
}

/** @type {Record<string, Record<string, Handler>>} path → method → handler */
const ENDPOINTS = {
  '/__test/log': {
    GET: (is, res) => send(res, 200, is.state.log),
    DELETE: (is, res) => { is.state.log.length = 0; return send(res, 200, { ok: true }); },
  },
  '/__test/backchannel': {
    GET: (is, res) => send(res, 200, is.state.backchannel),
    DELETE: (is, res) => { is.state.backchannel.length = 0; return send(res, 200, { ok: true }); },
  },
  '/__test/scenario': {
    GET: (is, res) => send(res, 200, { ...is.state.scenario, available: Object.keys(scenarios) }),
    PUT: putScenario,
    POST: putScenario,
    DELETE: (is, res) => send(res, 200, resetScenario(is.state)),
  },
  '/__test/lifetimes': {
    GET: (is, res) => send(res, 200, is.state.lifetimes),
    PUT: putLifetimes,
    POST: putLifetimes,
    DELETE: (is, res) => send(res, 200, resetLifetimes(is.state)),
  },
  '/__test/logout-session': { POST: logoutSession },
  '/__test/self-registration': { ...selfRegistrationControl, POST: selfRegistrationControl.PUT },
  '/__test/reset': { DELETE: reset, POST: reset },
};

/**
 * `/__test/client/<client_id>`: GET shows, PUT/PATCH/POST merges (client_id is kept), DELETE resets to the seed.
 * The options apply to both tenants.
 * @param {Runtime} is @param {Res} res @param {string | undefined} m @param {string} id @param {any} body
 */
function clientControl(is, res, m, id, body) {
  const c = is.state.clients.get(id);
  if (!c) return send(res, 404, { error: 'unknown client' });
  if (m === 'GET') return send(res, 200, c);
  if (m === 'PUT' || m === 'PATCH' || m === 'POST') {
    const { client_id: _ignored, ...patch } = body || {};
    Object.assign(c, patch);
    return send(res, 200, c);
  }
  if (m === 'DELETE') return send(res, 200, resetClient(is.state, is.seed.clients, id));
  return send(res, 404, { error: 'not found' });
}

/**
 * Answers a `/__test/*` request; anything unknown is a 404 `{"error":"not found"}`.
 * @param {Runtime} is @param {import('node:http').IncomingMessage} req @param {Res} res @param {URL} u @param {any} body
 */
export async function handleTestControl(is, req, res, u, body) {
  const p = u.pathname;
  const m = req.method;
  const byMethod = Object.hasOwn(ENDPOINTS, p) ? ENDPOINTS[p] : undefined;
  if (byMethod) {
    const handler = m && Object.hasOwn(byMethod, m) ? byMethod[m] : undefined;
    return handler ? handler(is, res, body) : send(res, 404, { error: 'not found' });
  }
  const cm = /^\/__test\/client\/([^/]+)$/.exec(p);
  if (cm) return clientControl(is, res, m, decodeURIComponent(cm[1]), body);
  return send(res, 404, { error: 'not found' });
}
