// Local stand-in for WSO2 Identity Server 7 (OIDC), built on oidc-provider 9.
// See README.md in this folder for what it mimics, the test-control API and the file layout.
// This file only composes the modules: options, certificates, runtime, tenants, HTTPS server.
import * as crypto from 'node:crypto';
import * as https from 'node:https';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

import { loopbackAgent, outboundAgent } from './backchannel.mjs';
import { ensureCert, signingMaterial } from './certs.mjs';
import { send } from './http.mjs';
import { createSigner } from './jwt.mjs';
import { buildProvider, createTenant } from './provider.mjs';
import { createHandler } from './router.mjs';
import { organizations, seed } from './seed/index.mjs';
import { createState } from './state.mjs';
import { issuerFor, TENANTS } from './wso2.mjs';

export { callbackMatches, DEFAULT_LIFETIMES, SCOPE_CLAIMS } from './wso2.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const REPO_ROOT = path.resolve(HERE, '..', '..');

/**
 * @typedef {object} LocalIsOptions
 * @property {number} [port] default env LOCAL_IS_PORT or 9443; 0 = ephemeral
 * @property {string} [host] default 'localhost' (binds to 127.0.0.1)
 * @property {string} [certDir] default <repo>/certs
 * @property {boolean} [testControl] default env LOCAL_IS_TEST_CONTROL === '1'
 * @property {boolean} [quiet]
 * @property {string|string[]} [trustCa] PEM(s) trusted for outbound HTTPS (back-channel logout); default env
 *   LOCAL_IS_TRUST_CA (file path) or <certDir>/app.crt when it exists
 */

/** @param {LocalIsOptions} opts */
function resolveOptions(opts) {
  const host = opts.host ?? 'localhost';
  return {
    port: opts.port ?? Number(process.env.LOCAL_IS_PORT || 9443),
    bindHost: host === 'localhost' ? '127.0.0.1' : host,
    certDir: path.resolve(opts.certDir ?? path.join(REPO_ROOT, 'certs')),
    testControl: opts.testControl ?? process.env.LOCAL_IS_TEST_CONTROL === '1',
    quiet: opts.quiet ?? false,
    trustCa: opts.trustCa,
  };
}

/**
 * The runtime shared by all modules of one instance (its own copy of the seed, fresh state).
 * @param {ReturnType<typeof resolveOptions>} o
 * @param {ReturnType<typeof signingMaterial>} sig
 * @returns {import('./state.mjs').LocalIsRuntime}
 */
function createRuntime(o, sig) {
  const clients = structuredClone(seed.clients);
  return {
    state: createState(clients),
    seed: { clients, users: structuredClone(seed.users), organizations: structuredClone(organizations) },
    log: (...a) => { if (!o.quiet) console.log('[local-is]', ...a); },
    testControl: o.testControl,
    outbound: outboundAgent(o.trustCa, o.certDir),
    outboundLoopback: loopbackAgent(),
    sig,
    signJwt: createSigner(sig),
    cookieKeys: [crypto.randomBytes(32).toString('hex')],
    tenants: new Map(),
    pending: new Set(),
    origin: '',
    port: o.port,
  };
}

/**
 * Starts the HTTPS server and records the actual port and origin in the runtime.
 * @param {import('./state.mjs').LocalIsRuntime} is @param {{ key: string, cert: string }} tlsPair
 * @param {ReturnType<typeof resolveOptions>} o
 */
async function listen(is, tlsPair, o) {
  const handle = createHandler(is);
  const server = https.createServer({ key: tlsPair.key, cert: tlsPair.cert }, (req, res) => {
    handle(req, res).catch((err) => {
      is.log('request failed', err);
      try { send(res, 500, { error: 'server_error', error_description: 'local-is internal error' }); } catch { /* ignore */ }
    });
  });
  await new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(o.port, o.bindHost, () => { server.off('error', fail); ok(undefined); });
  });
  const addr = server.address();
  is.port = typeof addr === 'object' && addr ? addr.port : o.port;
  is.origin = `https://localhost:${is.port}`;
  return server;
}

/**
 * Stops the server: held (`hang`) responses destroyed, connections closed, outbound agent closed. Idempotent.
 * @param {import('./state.mjs').LocalIsRuntime} is @param {https.Server} server
 */
function closer(is, server) {
  let closed = false;
  return async function close() {
    if (closed) return;
    closed = true;
    for (const r of is.pending) { try { r.destroy(); } catch { /* ignore */ } }
    await new Promise((ok) => {
      server.close(() => ok(undefined));
      server.closeAllConnections?.();
    });
    await is.outbound.close().catch(() => {});
    await is.outboundLoopback.close().catch(() => {});
  };
}

/**
 * Starts the local IS: a WSO2 IS 7 look-alike for relying parties (tenants `carbon.super` and `wso2.com`,
 * WSO2 paths, issuer = token endpoint URL, authentication portal, WSO2 tokens and errors), README.md
 * ("What it mimics"). Options and environment are in README.md too.
 * @param {LocalIsOptions} [opts]
 */
export async function startLocalIs(opts = {}) {
  const o = resolveOptions(opts);
  const tlsPair = await ensureCert(o.certDir, 'local-is', { cn: 'localhost' });
  const signPair = await ensureCert(o.certDir, 'local-is-signing', { cn: 'local-is token signing' });
  const is = createRuntime(o, signingMaterial(signPair));
  for (const name of TENANTS) is.tenants.set(name, createTenant(is, name));
  const server = await listen(is, tlsPair, o);
  for (const t of is.tenants.values()) buildProvider(is, t);
  is.log(`listening on ${is.origin}`);
  const origin = is.origin;
  return {
    origin,
    port: is.port,
    issuer: `${origin}/oauth2/token`,
    discoveryUrl: `${origin}/oauth2/token/.well-known/openid-configuration`,
    /** @param {string} tenant */
    issuerFor: (tenant) => issuerFor(origin, tenant),
    certDir: o.certDir,
    caCertPath: tlsPair.certPath,
    caCert: tlsPair.cert,
    signingKid: is.sig.kid,
    testControl: o.testControl,
    clients: is.seed.clients,
    users: is.seed.users,
    state: is.state,
    close: closer(is, server),
  };
}

export default startLocalIs;
