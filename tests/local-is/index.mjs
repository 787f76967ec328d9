// Local stand-in for WSO2 Identity Server 7 (OIDC), built on oidc-provider 9.
// See README.md in this folder for what it mimics and the test-control API.
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as https from 'node:https';
import * as path from 'node:path';
import * as querystring from 'node:querystring';
import { fileURLToPath } from 'node:url';

import Provider from 'oidc-provider';
import { Agent, fetch as undiciFetch } from 'undici';
import { decodeJwt, decodeProtectedHeader } from 'jose';

import { ensureCert, signingMaterial } from './certs.mjs';
import { createAdapter } from './adapter.mjs';
import * as pages from './pages.mjs';
import { runAfter, runBefore, scenarios } from './scenarios.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const REPO_ROOT = path.resolve(HERE, '..', '..');
const SUPER = 'carbon.super';
const TENANTS = [SUPER, 'wso2.com'];

export const DEFAULT_LIFETIMES = Object.freeze({
  AccessToken: 3600, IdToken: 3600, RefreshToken: 86400, AuthorizationCode: 300,
});

/** WSO2 oidc-scope-config.xml (default) */
export const SCOPE_CLAIMS = Object.freeze({
  openid: ['sub'],
  profile: ['name', 'family_name', 'given_name', 'middle_name', 'nickname', 'preferred_username', 'profile',
    'picture', 'website', 'gender', 'birthdate', 'zoneinfo', 'locale', 'updated_at', 'username'],
  email: ['email', 'email_verified'],
  phone: ['phone_number', 'phone_number_verified'],
  address: ['address'],
  groups: ['groups'],
  roles: ['roles'],
});

const WSO2_AUTHZ_ERRORS = [
  [/requires PKCE|code_challenge/i, 'invalid_request',
    'PKCE is mandatory for this application. PKCE Challenge is not provided or is not upto RFC 7636 specification.'],
  [/^End-User authentication is required/i, 'login_required',
    "Request with 'prompt=none' but user session does not exist"],
];

const epoch = () => Math.floor(Date.now() / 1000);
const b64u = (/** @type {any} */ s) => Buffer.from(s).toString('base64url');
const leftHalfHash = (/** @type {string} */ v) => {
  const h = crypto.createHash('sha256').update(v).digest();
  return h.subarray(0, h.length / 2).toString('base64url');
};

function readJson(file) { return JSON.parse(fs.readFileSync(path.join(HERE, 'seed', file), 'utf8')); }

/**
 * WSO2 callback rule: literal (exact) or `regexp=<regex>` (whole-string match).
 * @param {string} registered
 * @param {string} value
 */
export function callbackMatches(registered, value) {
  if (typeof registered !== 'string' || typeof value !== 'string') return false;
  if (registered.startsWith('regexp=')) {
    try { return new RegExp(`^(?:${registered.slice(7)})$`).test(value); } catch { return false; }
  }
  return registered === value;
}

/** Best-effort list of concrete URLs in a callback entry (for oidc-provider's metadata validation only). */
function callbackUrls(registered) {
  if (!registered.startsWith('regexp=')) return [registered];
  const inner = registered.slice(7).replace(/^\((.*)\)$/, '$1');
  const urls = inner.split('|').map((s) => s.replace(/\\(.)/g, '$1')).filter((s) => URL.canParse(s) && /^[\w:/.\-?=&]+$/.test(s));
  return urls.length ? urls : ['https://localhost:5000/login'];
}

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

/**
 * Starts the local IS.
 * @param {LocalIsOptions} [opts]
 */
export async function startLocalIs(opts = {}) {
  const port = opts.port ?? Number(process.env.LOCAL_IS_PORT || 9443);
  const host = opts.host ?? 'localhost';
  const bindHost = host === 'localhost' ? '127.0.0.1' : host;
  const certDir = path.resolve(opts.certDir ?? path.join(REPO_ROOT, 'certs'));
  const testControl = opts.testControl ?? process.env.LOCAL_IS_TEST_CONTROL === '1';
  const quiet = opts.quiet ?? false;
  const log = (...a) => { if (!quiet) console.log('[local-is]', ...a); };

  const tlsPair = await ensureCert(certDir, 'local-is', { cn: 'localhost' });
  const signPair = await ensureCert(certDir, 'local-is-signing', { cn: 'local-is token signing' });
  const sig = signingMaterial(signPair);

  // outbound trust (back-channel logout)
  /** @type {string[]} */
  const ca = [];
  if (opts.trustCa) ca.push(...[opts.trustCa].flat());
  else {
    const caFile = process.env.LOCAL_IS_TRUST_CA || path.join(certDir, 'app.crt');
    if (fs.existsSync(caFile)) ca.push(fs.readFileSync(caFile, 'utf8'));
  }
  const outbound = new Agent({ connect: ca.length ? { ca } : {} });

  /** sign with the real key (sync RS256) */
  /** Signs with the real RS256 key. The real kid is used unless the header names one; `kid: null` leaves it out. */
  function signJwt(payload, header = {}) {
    const h = { ...header, alg: 'RS256', kid: 'kid' in header ? header.kid : sig.kid };
    if (h.kid === null || h.kid === undefined) delete h.kid;
    const data = `${b64u(JSON.stringify(h))}.${b64u(JSON.stringify(payload))}`;
    return `${data}.${crypto.sign('sha256', Buffer.from(data), sig.privateKey).toString('base64url')}`;
  }
  const scenarioHelpers = (issuer) => ({
    decodeJwt: (jwt) => ({ header: decodeProtectedHeader(jwt), payload: decodeJwt(jwt) }),
    sign: signJwt,
    issuer,
    now: epoch,
  });

  // ---------- mutable state ----------
  const seedClients = readJson('clients.json');
  const seedUsers = readJson('users.json');
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
  const resetClients = () => {
    state.clients = new Map(seedClients.map((c) => [c.client_id, structuredClone(c)]));
  };
  resetClients();
  const clientOpts = (/** @type {string} */ id) => state.clients.get(id);

  let actualPort = port;
  const originRef = { value: '' };

  // ---------- tenants / providers ----------
  const cookieKeys = [crypto.randomBytes(32).toString('hex')];
  /** @type {Map<string, any>} */
  const tenants = new Map();

  function usersOf(tenant) { return seedUsers[tenant] || []; }
  function findUser(tenant, username) {
    let u = String(username || '').trim();
    if (u.toLowerCase().endsWith(`@${tenant}`.toLowerCase()) && tenant !== SUPER) u = u.slice(0, -(tenant.length + 1));
    if (tenant === SUPER && u.toLowerCase().endsWith('@carbon.super')) u = u.slice(0, -'@carbon.super'.length);
    return usersOf(tenant).find((x) => x.username.toLowerCase() === u.toLowerCase()
      || String(x.claims?.username || '').toLowerCase() === u.toLowerCase());
  }

  async function sendBackchannelLogout(t, clientId, sub, sid) {
    const c = clientOpts(clientId);
    const uri = c?.backchannel_logout_uri;
    if (!uri) return;
    const iat = epoch();
    const payload = {
      iss: t.issuer, sub, aud: clientId, iat, exp: iat + 120, jti: crypto.randomUUID(),
      ...(sid ? { sid } : {}),
      events: { 'http://schemas.openid.net/event/backchannel-logout': {} },
    };
    const token = signJwt(payload);
    const entry = { t: new Date().toISOString(), tenant: t.tenant, uri, clientId, sub, sid, status: 0, error: undefined };
    state.backchannel.push(entry);
    try {
      const r = await undiciFetch(uri, {
        method: 'POST',
        body: new URLSearchParams({ logout_token: token }),
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        dispatcher: outbound,
        redirect: 'manual',
        signal: AbortSignal.timeout(5000),
      });
      entry.status = r.status;
      await r.arrayBuffer().catch(() => {});
    } catch (err) {
      entry.error = String(err?.cause?.message || err?.message || err);
      log('back-channel logout to', uri, 'failed:', entry.error);
    }
  }

  function makeTenant(tenant) {
    const prefix = tenant === SUPER ? '' : `/t/${tenant}`;
    const { store, Adapter } = createAdapter();
    const t = { tenant, prefix, store, Adapter, issuer: '', provider: /** @type {any} */ (null), callback: /** @type {any} */ (null) };
    const suffix = tenant === SUPER ? '' : `_${tenant}`;

    const clients = seedClients.map((c) => {
      const urls = callbackUrls(c.callback_url);
      return {
        client_id: c.client_id,
        ...(c.public_client ? {} : { client_secret: c.client_secret }),
        client_name: c.name,
        redirect_uris: urls,
        post_logout_redirect_uris: urls,
        grant_types: c.grant_types,
        response_types: ['code'],
        token_endpoint_auth_method: c.public_client ? 'none' : (c.token_endpoint_auth_method || 'client_secret_basic'),
        backchannel_logout_uri: c.backchannel_logout_uri || 'https://localhost:5000/logout/backchannel',
        backchannel_logout_session_required: c.backchannel_logout_session_required !== false,
        id_token_signed_response_alg: 'RS256',
      };
    });

    const usersById = new Map(usersOf(tenant).map((u) => [u.id, u]));

    const ttl = (name) => () => state.lifetimes[name] ?? DEFAULT_LIFETIMES[name];

    const config = {
      adapter: Adapter,
      clients,
      clientAuthMethods: ['client_secret_basic', 'client_secret_post', 'none'],
      claims: { ...SCOPE_CLAIMS, acr: null, sid: null, auth_time: null, iss: null, amr: null },
      scopes: ['openid', 'offline_access', 'internal_login', ...Object.keys(SCOPE_CLAIMS)],
      conformIdTokenClaims: false,
      cookies: {
        keys: cookieKeys,
        names: { session: `commonAuthId${suffix}`, interaction: `_interaction${suffix}`, resume: `_interaction_resume${suffix}` },
        long: { httpOnly: true, sameSite: 'none', secure: true },
        short: { httpOnly: true, sameSite: 'lax', secure: true, path: '/' },
      },
      enableHttpPostMethods: true,
      enabledJWA: { idTokenSigningAlgValues: ['RS256'] },
      expiresWithSession: async () => false,
      features: {
        devInteractions: { enabled: false },
        dPoP: { enabled: false },
        backchannelLogout: { enabled: true },
        revocation: { enabled: true, allowedPolicy: async () => true },
        introspection: { enabled: true, allowedPolicy: async () => true },
        userinfo: { enabled: true },
        resourceIndicators: { enabled: false },
        pushedAuthorizationRequests: { enabled: false },
        rpInitiatedLogout: {
          enabled: true,
          async logoutSource(ctx, form) {
            const client = ctx.oidc.client;
            const copts = client ? clientOpts(client.clientId) : undefined;
            if (copts?.skip_logout_consent) {
              const k = crypto.randomUUID();
              state.logoutKeys.set(k, { kind: 'auto', tenant, xsrf: ctx.oidc.session.state.secret });
              ctx.status = 303;
              ctx.redirect(`${prefix}/oidc/logout/auto?k=${k}`);
              return;
            }
            const denyKey = crypto.randomUUID();
            state.logoutKeys.set(denyKey, {
              kind: 'deny', tenant,
              uri: ctx.oidc.params.post_logout_redirect_uri,
              state: ctx.oidc.params.state,
            });
            ctx.type = 'html';
            ctx.body = pages.logoutConfirmPage({ providerForm: form, denyAction: `${prefix}/oidc/logout`, denyKey });
          },
          async postLogoutSuccessSource(ctx) {
            ctx.type = 'html';
            ctx.body = pages.loggedOutPage();
          },
        },
      },
      fetch: (url, options) => undiciFetch(url, { ...options, dispatcher: outbound }),
      async findAccount(ctx, sub) {
        const user = usersById.get(sub);
        if (!user) return undefined;
        return { accountId: sub, async claims() { return { sub, ...user.claims }; } };
      },
      interactions: {
        async url(ctx, interaction) {
          const client = ctx.oidc.client;
          const p = interaction.params;
          if (interaction.prompt.name === 'login') {
            const q = new URLSearchParams({
              client_id: String(p.client_id || ''),
              commonAuthCallerPath: `${prefix}/oauth2/authorize`,
              forceAuth: 'false',
              passiveAuth: 'false',
              redirect_uri: String(p.redirect_uri || ''),
              response_type: String(p.response_type || ''),
              scope: String(p.scope || ''),
              ...(p.state ? { state: String(p.state) } : {}),
              tenantDomain: tenant,
              sessionDataKey: interaction.uid,
              relyingParty: String(p.client_id || ''),
              type: 'oidc',
              sp: client?.clientName || String(p.client_id),
              isSaaSApp: 'false',
              authenticators: 'BasicAuthenticator:LOCAL',
            });
            return `${prefix}/authenticationendpoint/login.do?${q}`;
          }
          const q = new URLSearchParams({
            sessionDataKeyConsent: interaction.uid,
            spId: String(p.client_id || ''),
            application: client?.clientName || String(p.client_id),
            tenantDomain: tenant,
          });
          return `${prefix}/authenticationendpoint/oauth2_consent.do?${q}`;
        },
      },
      issueRefreshToken: async (ctx, client) => client.grantTypeAllowed('refresh_token'),
      jwks: { keys: [sig.privateJwk] },
      async loadExistingGrant(ctx) {
        const { provider } = ctx.oidc;
        const clientId = ctx.oidc.client.clientId;
        const grantId = ctx.oidc.result?.consent?.grantId || ctx.oidc.session.grantIdFor(clientId);
        if (grantId) {
          const g = await provider.Grant.find(grantId);
          if (g) return g;
        }
        const accountId = ctx.oidc.session.accountId;
        if (!accountId) return undefined;
        const copts = clientOpts(clientId);
        const remembered = state.consents.get(`${tenant}|${accountId}|${clientId}`);
        if (!copts?.skip_login_consent && !remembered) return undefined;
        const requested = String(ctx.oidc.params.scope || 'openid').split(' ').filter(Boolean);
        const scopes = copts?.skip_login_consent ? requested : requested.filter((s) => remembered.has(s));
        const g = new provider.Grant({ accountId, clientId });
        g.addOIDCScope(scopes.join(' '));
        await g.save();
        return g;
      },
      pkce: {
        required: (ctx, client) => client.clientAuthMethod === 'none' || !!clientOpts(client.clientId)?.pkce_mandatory,
      },
      async renderError(ctx, out) {
        let code = out.error;
        let msg = out.error_description;
        if (msg === 'post_logout_redirect_uri not registered') {
          code = 'access_denied';
          msg = 'Post logout URI does not match with registered callback URI.';
        } else if (out.error === 'invalid_redirect_uri' || /redirect_uri/.test(String(msg))) {
          code = 'invalid_callback';
          msg = 'callback.not.match';
        } else if (out.error === 'invalid_client') {
          code = 'invalid_client';
          msg = 'Cannot find an application associated with the given consumer key.';
        }
        const q = new URLSearchParams({ oauthErrorCode: code, oauthErrorMsg: msg });
        ctx.status = 302;
        ctx.redirect(`${prefix}/authenticationendpoint/oauth2_error.do?${q}`);
      },
      responseTypes: ['code'],
      rotateRefreshToken: true,
      routes: {
        authorization: '/oauth2/authorize',
        token: '/oauth2/token',
        userinfo: '/oauth2/userinfo',
        jwks: '/oauth2/jwks',
        revocation: '/oauth2/revoke',
        introspection: '/oauth2/introspect',
        end_session: '/oidc/logout',
        pushed_authorization_request: '/oauth2/par',
      },
      subjectTypes: ['public'],
      ttl: {
        AccessToken: ttl('AccessToken'),
        IdToken: ttl('IdToken'),
        RefreshToken: ttl('RefreshToken'),
        AuthorizationCode: ttl('AuthorizationCode'),
        Interaction: 3600,
        Session: 14 * 24 * 3600,
        Grant: 14 * 24 * 3600,
      },
    };

    t.config = config;
    return t;
  }

  /** Finish provider setup once the port (and therefore the issuer) is known. */
  function buildProvider(t) {
    const issuer = `${originRef.value}${t.prefix}/oauth2/token`;
    t.issuer = issuer;
    const provider = new Provider(issuer, t.config);
    t.provider = provider;

    // UUID identifiers like WSO2 (codes, opaque access tokens, refresh tokens, sids)
    const uuid = () => crypto.randomUUID();
    provider.AuthorizationCode.prototype.generateTokenId = uuid;
    provider.RefreshToken.prototype.generateTokenId = uuid;
    const origAtId = provider.AccessToken.prototype.generateTokenId;
    provider.AccessToken.prototype.generateTokenId = function generateTokenId() {
      const id = origAtId.call(this);
      return this.format === 'opaque' ? uuid() : id;
    };
    provider.Session.prototype.ensureClientContainer = function ensureClientContainer(clientId) {
      if (!this.sidFor(clientId)) this.sidFor(clientId, uuid());
    };
    // WSO2 callback matching (literal or regexp=) for redirect_uri and post_logout_redirect_uri
    provider.Client.prototype.redirectUriAllowed = function redirectUriAllowed(value) {
      const c = clientOpts(this.clientId);
      return c ? callbackMatches(c.callback_url, value) : this.redirectUris.includes(value);
    };
    provider.Client.prototype.postLogoutRedirectUriAllowed = function postLogoutRedirectUriAllowed(value) {
      const c = clientOpts(this.clientId);
      return c ? callbackMatches(c.callback_url, value) : this.postLogoutRedirectUris.includes(value);
    };
    // back-channel logout with WSO2 claims, the URI read from the (mutable) client options
    provider.Client.prototype.backchannelLogout = function backchannelLogout(sub, sid) {
      return sendBackchannelLogout(t, this.clientId, sub, sid);
    };

    provider.on('grant.error', (ctx, err) => { ctx.state.localIsError = err; });
    provider.on('server_error', (ctx, err) => { log('server_error', err); });

    provider.use(async (ctx, next) => {
      await next();
      const route = ctx.oidc?.route;
      if (!route) return;
      const helpers = scenarioHelpers(issuer);
      try {
        switch (route) {
          case 'discovery': {
            if (ctx.status !== 200 || !ctx.body) break;
            const b = ctx.body;
            b.check_session_iframe = `${originRef.value}${t.prefix}/oidc/checksession`;
            b.code_challenge_methods_supported = ['S256', 'plain'];
            b.id_token_signing_alg_values_supported = ['RS256'];
            b.subject_types_supported = ['public'];
            b.scopes_supported = ['openid', 'profile', 'email', 'phone', 'address', 'groups', 'roles', 'internal_login'];
            b.claims_supported = [...new Set([...Object.values(SCOPE_CLAIMS).flat(), 'iss', 'acr', 'amr', 'sid', 'auth_time'])];
            b.token_endpoint_auth_methods_supported = ['client_secret_basic', 'client_secret_post', 'none'];
            b.backchannel_logout_supported = true;
            b.backchannel_logout_session_supported = true;
            b.frontchannel_logout_supported = false;
            b.authorization_response_iss_parameter_supported = true;
            b.response_modes_supported = ['query', 'fragment', 'form_post'];
            const res = { body: b };
            runAfter(state.scenario, 'discovery', res, helpers);
            ctx.body = res.body;
            ctx.type = 'application/json';
            break;
          }
          case 'jwks': {
            ctx.body = { keys: [sig.publicJwk] };
            ctx.type = 'application/json';
            const res = { body: ctx.body };
            runAfter(state.scenario, 'jwks', res, helpers);
            ctx.body = res.body;
            break;
          }
          case 'token':
            postToken(t, ctx, helpers);
            break;
          case 'userinfo': {
            if (ctx.status === 200 && ctx.body && typeof ctx.body === 'object') {
              const res = { body: ctx.body };
              runAfter(state.scenario, 'userinfo', res, helpers);
              ctx.body = res.body;
            }
            break;
          }
          case 'revocation':
            if (ctx.status === 200) ctx.body = '';
            break;
          case 'authorization':
          case 'resume':
            postAuthorize(t, ctx, helpers);
            break;
          default:
        }
      } catch (err) {
        log('post-processing failed', err);
      }
    });

    t.callback = provider.callback();
  }

  function postToken(t, ctx, helpers) {
    if (ctx.status >= 400 && ctx.body && typeof ctx.body === 'object' && ctx.body.error) {
      const err = ctx.state.localIsError;
      let { error, error_description: desc } = ctx.body;
      const detail = `${err?.error_detail || ""} ${err?.error_description || ""} ${err?.message || ""} ${err?.cause?.message || ""}`;
      if (error === 'invalid_request' && /grant_type/.test(desc)) desc = 'Missing grant_type parameter value';
      else if (error === 'invalid_client') { desc = 'Client credentials are invalid.'; ctx.status = 401; }
      else if (error === 'invalid_grant') {
        if (/code_verifier|code_challenge/.test(detail)) desc = 'PKCE validation failed';
        else if (/authorization code not found/.test(detail)) {
          desc = state.usedCodes.has(String(ctx.oidc.params?.code))
            ? 'Inactive authorization code received from token request'
            : 'Invalid authorization code received from token request';
        }
        else if (/authorization code (already consumed|is expired)/.test(detail)) desc = 'Inactive authorization code received from token request';
        else if (/redirect_uri mismatch/.test(detail)) desc = 'Callback url mismatch';
        else if (/refresh token/.test(detail)) desc = 'Persisted access token data not found';
      }
      ctx.body = { error_description: desc, error };
      return;
    }
    if (ctx.status !== 200 || !ctx.body?.access_token) return;
    if (ctx.oidc.params.grant_type === 'authorization_code') {
      state.usedCodes.add(String(ctx.oidc.params.code));
      if (state.usedCodes.size > 10000) state.usedCodes.clear();
    }
    const client = ctx.oidc.client;
    const copts = clientOpts(client.clientId) || {};
    const at = ctx.oidc.entities.AccessToken;
    const b = ctx.body;
    let accessToken = b.access_token;
    const now = epoch();
    if (copts.access_token_type === 'jwt') {
      const payload = {
        sub: at?.accountId, aut: 'APPLICATION_USER', aud: client.clientId, nbf: now, azp: client.clientId,
        scope: b.scope, iss: t.issuer, exp: now + (b.expires_in || 3600), iat: now, jti: crypto.randomUUID(),
        ...(copts.extra_access_token_claims || {}),
      };
      const jwt = signJwt(payload, { typ: 'at+jwt' });
      state.jwtAccessTokens.set(jwt, accessToken);
      accessToken = jwt;
    }
    let idToken = b.id_token;
    if (idToken) {
      const p = decodeJwt(idToken);
      const code = ctx.oidc.params.grant_type === 'authorization_code' ? ctx.oidc.params.code : undefined;
      const src = ctx.oidc.entities.AuthorizationCode || ctx.oidc.entities.RefreshToken;
      const sessionUid = src?.sessionUid;
      const out = {
        iss: p.iss, at_hash: leftHalfHash(accessToken), ...(code ? { c_hash: leftHalfHash(code) } : {}),
        sub: p.sub, aud: client.clientId, azp: client.clientId, amr: ['BasicAuthenticator'],
        nbf: p.iat, iat: p.iat, exp: p.exp, jti: crypto.randomUUID(),
        ...(code && sessionUid ? { isk: crypto.createHash('sha256').update(`isk:${sessionUid}`).digest('hex') } : {}),
        ...(p.sid ? { sid: p.sid } : {}),
        ...(p.nonce !== undefined ? { nonce: p.nonce } : {}),
        ...(p.auth_time !== undefined ? { auth_time: p.auth_time } : {}),
      };
      for (const [k, v] of Object.entries(p)) if (!(k in out) && k !== 'acr' && v !== undefined) out[k] = v;
      if (p.acr) out.acr = p.acr;
      idToken = signJwt(out);
    }
    const body = {
      access_token: accessToken,
      ...(b.refresh_token ? { refresh_token: b.refresh_token } : {}),
      scope: b.scope,
      ...(idToken ? { id_token: idToken } : {}),
      token_type: 'Bearer',
      expires_in: b.expires_in,
    };
    const res = { body };
    runAfter(state.scenario, 'token', res, helpers);
    ctx.body = res.body;
  }

  function postAuthorize(t, ctx, helpers) {
    if (![302, 303].includes(ctx.status)) return;
    const loc = ctx.response.get('Location');
    if (!loc) return;
    const u = new URL(loc, originRef.value);
    if (!(u.searchParams.has('code') || u.searchParams.has('error'))) return;
    if (u.origin === originRef.value && u.pathname.includes('/authenticationendpoint/')) return;
    const desc = u.searchParams.get('error_description');
    if (desc) {
      for (const [re, err, text] of WSO2_AUTHZ_ERRORS) {
        if (re.test(desc)) { u.searchParams.set('error', err); u.searchParams.set('error_description', text); break; }
      }
    }
    const session = ctx.oidc.session;
    const clientId = ctx.oidc.client?.clientId || ctx.oidc.params?.client_id;
    if (session?.uid && clientId && u.searchParams.has('code')) {
      const opbs = crypto.createHash('sha256').update(`opbs:${session.uid}`).digest('hex');
      ctx.cookies.set(t.prefix ? `opbs_${t.tenant}` : 'opbs', opbs, { httpOnly: false, sameSite: 'none', secure: true, path: '/', signed: false, overwrite: true });
      const salt = crypto.randomBytes(16).toString('hex');
      const redirectOrigin = URL.canParse(`${u.origin}`) ? u.origin : '';
      const hash = crypto.createHash('sha256').update(`${clientId} ${redirectOrigin} ${opbs} ${salt}`).digest('hex');
      u.searchParams.set('session_state', `${hash}.${salt}`);
      // iss last, as WSO2 never sends it and oidc-provider appends it; keep order code,state,session_state,iss
      const iss = u.searchParams.get('iss');
      if (iss) { u.searchParams.delete('iss'); u.searchParams.append('iss', iss); }
    }
    const res = { location: u };
    runAfter(state.scenario, 'authorize', res, helpers);
    ctx.status = 302;
    ctx.redirect(res.location.href);
  }

  // ---------- HTTP layer ----------
  const pending = new Set();

  function send(res, status, body, type = 'application/json', headers = {}) {
    if (res.headersSent || res.destroyed) return;
    const payload = typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body);
    res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store', ...headers });
    res.end(payload);
  }
  const sendHtml = (res, status, html) => send(res, status, html, 'text/html; charset=utf-8');
  const redirect = (res, location, status = 302) => send(res, status, '', 'text/plain', { location });

  async function readBody(req) {
    const chunks = [];
    let n = 0;
    for await (const c of req) { n += c.length; if (n > 1024 * 1024) throw new Error('body too large'); chunks.push(c); }
    return Buffer.concat(chunks);
  }

  function parseAuthorization(h) {
    if (!h) return undefined;
    const [scheme, value = ''] = h.split(' ');
    if (/^basic$/i.test(scheme)) {
      const dec = Buffer.from(value, 'base64').toString('utf8');
      const i = dec.indexOf(':');
      const unesc = (s) => { try { return decodeURIComponent(s.replace(/\+/g, '%20')); } catch { return s; } };
      return { scheme: 'Basic', user: unesc(dec.slice(0, i)), pass: unesc(dec.slice(i + 1)) };
    }
    if (/^bearer$/i.test(scheme)) return { scheme: 'Bearer', token: value };
    return { scheme, value };
  }

  function kindOf(rest, method, body) {
    if (/^\/oauth2\/[^/]+\/\.well-known\/openid-configuration$/.test(rest) || rest === '/.well-known/openid-configuration') return 'discovery';
    if (rest === '/oauth2/authorize' && !(method === 'POST' && body?.sessionDataKeyConsent)) return 'authorize';
    if (rest === '/oauth2/token') return 'token';
    if (rest === '/oauth2/userinfo') return 'userinfo';
    if (rest === '/oauth2/jwks') return 'jwks';
    if (rest === '/oauth2/revoke') return 'revoke';
    if (rest === '/oauth2/introspect') return 'introspect';
    if (rest.startsWith('/oidc/logout')) return 'logout';
    return undefined;
  }

  async function dispatchToProvider(t, req, res, pathAndQuery) {
    req.url = pathAndQuery;
    req.originalUrl = `${t.prefix}${pathAndQuery}`;
    await t.callback(req, res);
  }

  async function loadInteraction(t, uid) {
    if (!uid) return undefined;
    try { return await t.provider.Interaction.find(String(uid)); } catch { return undefined; }
  }

  async function finishInteraction(res, interaction, result, merge = true) {
    interaction.result = merge && !('error' in result) ? { ...interaction.lastSubmission, ...result } : result;
    await interaction.save(Math.max(interaction.exp - epoch(), 1));
    redirect(res, interaction.returnTo, 302);
  }

  function sessionExpiredPage(res) {
    sendHtml(res, 400, pages.errorPage({ code: 'Authentication Error!', message: 'Authentication session expired or invalid (sessionDataKey not found). Please restart the login.' }));
  }

  function claimsForConsent(tenant, accountId, scopes) {
    const user = usersOf(tenant).find((u) => u.id === accountId);
    const names = [];
    for (const s of scopes) for (const c of SCOPE_CLAIMS[s] || []) {
      if (c !== 'sub' && user?.claims?.[c] !== undefined && !names.includes(c)) names.push(c);
    }
    return names;
  }

  async function handleWso2Pages(t, req, res, rest, u, body) {
    const method = req.method;
    // login page
    if (rest === '/authenticationendpoint/login.do' && method === 'GET') {
      const uid = u.searchParams.get('sessionDataKey');
      const interaction = await loadInteraction(t, uid);
      if (!interaction) { sessionExpiredPage(res); return true; }
      const client = await t.provider.Client.find(interaction.params.client_id);
      sendHtml(res, 200, pages.loginPage({
        action: `${t.prefix}/commonauth`, sessionDataKey: uid, appName: client?.clientName, tenantDomain: t.tenant,
      }));
      return true;
    }
    if (rest === '/commonauth' && method === 'POST') {
      const uid = body?.sessionDataKey;
      const interaction = await loadInteraction(t, uid);
      if (!interaction) { sessionExpiredPage(res); return true; }
      const username = body.username || body.usernameUserInput;
      const user = findUser(t.tenant, username);
      if (!user || user.password !== body.password) {
        const client = await t.provider.Client.find(interaction.params.client_id);
        sendHtml(res, 200, pages.loginPage({
          action: `${t.prefix}/commonauth`, sessionDataKey: uid, appName: client?.clientName,
          tenantDomain: t.tenant, failed: true, username: body.usernameUserInput || body.username,
        }));
        return true;
      }
      await finishInteraction(res, interaction, {
        login: { accountId: user.id, amr: ['BasicAuthenticator'], remember: true },
      });
      return true;
    }
    if (rest === '/authenticationendpoint/oauth2_consent.do' && method === 'GET') {
      const uid = u.searchParams.get('sessionDataKeyConsent') || u.searchParams.get('sessionDataKey');
      const interaction = await loadInteraction(t, uid);
      if (!interaction) { sessionExpiredPage(res); return true; }
      const clientId = interaction.params.client_id;
      const copts = clientOpts(clientId);
      if (copts?.skip_login_consent) { await approveConsent(t, res, interaction); return true; }
      const client = await t.provider.Client.find(clientId);
      const scopes = interaction.prompt.details?.missingOIDCScope || String(interaction.params.scope || '').split(' ');
      sendHtml(res, 200, pages.consentPage({
        action: `${t.prefix}/oauth2/authorize`, sessionDataKey: uid, appName: client?.clientName || clientId,
        claims: claimsForConsent(t.tenant, interaction.session?.accountId, scopes),
      }).replace('name="sessionDataKey"', 'name="sessionDataKeyConsent"'));
      return true;
    }
    if (rest === '/oauth2/authorize' && method === 'POST' && body?.sessionDataKeyConsent) {
      const interaction = await loadInteraction(t, body.sessionDataKeyConsent);
      if (!interaction) { sessionExpiredPage(res); return true; }
      if (body.consent === 'approveAlways' || body.consent === 'approve') {
        await approveConsent(t, res, interaction);
      } else {
        await finishInteraction(res, interaction, { error: 'access_denied', error_description: 'User denied the consent' }, false);
      }
      return true;
    }
    if (rest === '/authenticationendpoint/oauth2_error.do') {
      const code = u.searchParams.get('oauthErrorCode') || 'server_error';
      let msg = u.searchParams.get('oauthErrorMsg') || '';
      if (msg === 'callback.not.match') msg = 'Registered callback does not match with the provided url. (callback.not.match)';
      sendHtml(res, 200, pages.errorPage({ code, message: msg }));
      return true;
    }
    if (rest === '/authenticationendpoint/oauth2_logout.do') {
      sendHtml(res, 200, pages.loggedOutPage());
      return true;
    }
    if (rest === '/oidc/checksession') {
      sendHtml(res, 200, pages.checkSessionPage());
      return true;
    }
    if (rest === '/oidc/logout' && method === 'POST' && body?.consent === 'deny') {
      const d = state.logoutKeys.get(String(body.denyKey || ''));
      state.logoutKeys.delete(String(body.denyKey || ''));
      if (d?.uri) {
        const r = new URL(d.uri);
        r.searchParams.set('error', 'access_denied');
        r.searchParams.set('error_description', 'End User denied the logout request');
        if (d.state != null && d.state !== '') r.searchParams.set('state', d.state);
        redirect(res, r.href);
      } else {
        sendHtml(res, 200, pages.errorPage({ code: 'access_denied', message: 'End User denied the logout request' }));
      }
      return true;
    }
    if (rest === '/oidc/logout/auto' && method === 'GET') {
      const k = u.searchParams.get('k') || '';
      const d = state.logoutKeys.get(k);
      state.logoutKeys.delete(k);
      if (!d || d.kind !== 'auto') { sendHtml(res, 400, pages.errorPage({ code: 'invalid_request', message: 'Logout request expired.' })); return true; }
      req.method = 'POST';
      req.headers['content-type'] = 'application/x-www-form-urlencoded';
      req.body = { xsrf: d.xsrf, logout: 'yes' };
      req.headers['content-length'] = String(Buffer.byteLength(querystring.stringify(req.body)));
      await dispatchToProvider(t, req, res, '/oidc/logout/confirm');
      return true;
    }
    return false;
  }

  async function approveConsent(t, res, interaction) {
    const { provider } = t;
    const { prompt: { details = {} } = {}, params, session } = interaction;
    const accountId = session?.accountId || interaction.result?.login?.accountId;
    const clientId = params.client_id;
    const grant = interaction.grantId
      ? (await provider.Grant.find(interaction.grantId)) || new provider.Grant({ accountId, clientId })
      : new provider.Grant({ accountId, clientId });
    const scopes = details.missingOIDCScope || String(params.scope || 'openid').split(' ');
    if (scopes.length) grant.addOIDCScope(scopes.join(' '));
    if (details.missingOIDCClaims?.length) grant.addOIDCClaims(details.missingOIDCClaims);
    if (details.missingResourceScopes) {
      for (const [indicator, s] of Object.entries(details.missingResourceScopes)) grant.addResourceScope(indicator, s.join(' '));
    }
    const grantId = await grant.save();
    const key = `${t.tenant}|${accountId}|${clientId}`;
    const set = state.consents.get(key) || new Set();
    for (const s of String(params.scope || '').split(' ').filter(Boolean)) set.add(s);
    state.consents.set(key, set);
    await finishInteraction(res, interaction, { consent: { grantId } });
  }

  // ---------- test control ----------
  async function endSessions(match) {
    const ended = [];
    for (const t of tenants.values()) {
      if (match.tenant && match.tenant !== t.tenant) continue;
      const user = match.username ? findUser(t.tenant, match.username) : undefined;
      if (match.username && !user) continue;
      for (const [id, s] of [...t.store.entries('Session:')]) {
        const auths = Object.entries(s.authorizations || {});
        const hit = (match.sid && auths.some(([, a]) => a.sid === match.sid))
          || (user && s.accountId === user.id)
          || (match.sub && s.accountId === match.sub);
        if (!hit || !s.accountId) continue;
        for (const [clientId, a] of auths) {
          const c = await t.provider.Client.find(clientId).catch(() => undefined);
          if (c) await sendBackchannelLogout(t, clientId, s.accountId, a.sid);
          if (a.grantId) {
            await new t.Adapter('AccessToken').revokeByGrantId(a.grantId);
            t.store.delete(`Grant:${a.grantId}`);
          }
        }
        await new t.Adapter('Session').destroy(id);
        ended.push({ tenant: t.tenant, sub: s.accountId, sids: auths.map(([, a]) => a.sid), clients: auths.map(([c]) => c) });
      }
    }
    return ended;
  }

  async function handleTestControl(req, res, u, body) {
    const p = u.pathname;
    const m = req.method;
    if (p === '/__test/log') {
      if (m === 'GET') return send(res, 200, state.log);
      if (m === 'DELETE') { state.log.length = 0; return send(res, 200, { ok: true }); }
    }
    if (p === '/__test/backchannel') {
      if (m === 'GET') return send(res, 200, state.backchannel);
      if (m === 'DELETE') { state.backchannel.length = 0; return send(res, 200, { ok: true }); }
    }
    if (p === '/__test/scenario') {
      if (m === 'GET') return send(res, 200, { ...state.scenario, available: Object.keys(scenarios) });
      if (m === 'PUT' || m === 'POST') {
        if (!body?.name || !scenarios[body.name]) return send(res, 400, { error: 'unknown scenario', available: Object.keys(scenarios) });
        state.scenario = { ...body };
        return send(res, 200, state.scenario);
      }
      if (m === 'DELETE') { state.scenario = { name: 'normal' }; return send(res, 200, state.scenario); }
    }
    if (p === '/__test/lifetimes') {
      if (m === 'GET') return send(res, 200, state.lifetimes);
      if (m === 'PUT' || m === 'POST') {
        for (const k of Object.keys(DEFAULT_LIFETIMES)) {
          if (body?.[k] !== undefined) {
            const v = Number(body[k]);
            if (!Number.isInteger(v) || v <= 0) return send(res, 400, { error: `${k} must be a positive integer` });
            state.lifetimes[k] = v;
          }
        }
        return send(res, 200, state.lifetimes);
      }
      if (m === 'DELETE') { state.lifetimes = { ...DEFAULT_LIFETIMES }; return send(res, 200, state.lifetimes); }
    }
    const cm = /^\/__test\/client\/([^/]+)$/.exec(p);
    if (cm) {
      const id = decodeURIComponent(cm[1]);
      const c = state.clients.get(id);
      if (!c) return send(res, 404, { error: 'unknown client' });
      if (m === 'GET') return send(res, 200, c);
      if (m === 'PUT' || m === 'PATCH' || m === 'POST') {
        const { client_id: _ignored, ...patch } = body || {};
        Object.assign(c, patch);
        return send(res, 200, c);
      }
      if (m === 'DELETE') {
        const seed = seedClients.find((x) => x.client_id === id);
        state.clients.set(id, structuredClone(seed));
        return send(res, 200, state.clients.get(id));
      }
    }
    if (p === '/__test/logout-session' && m === 'POST') {
      if (!body?.sid && !body?.username && !body?.sub) return send(res, 400, { error: 'give sid, username or sub' });
      const ended = await endSessions(body);
      return send(res, 200, { ended });
    }
    if (p === '/__test/reset' && (m === 'DELETE' || m === 'POST')) {
      state.scenario = { name: 'normal' };
      state.lifetimes = { ...DEFAULT_LIFETIMES };
      resetClients();
      state.log.length = 0;
      state.backchannel.length = 0;
      state.consents.clear();
      return send(res, 200, { ok: true });
    }
    return send(res, 404, { error: 'not found' });
  }

  // ---------- main handler ----------
  async function handle(req, res) {
    const u = new URL(req.url || '/', originRef.value);
    req.headers.host = `localhost:${actualPort}`;
    const raw = await readBody(req);
    const ctype = String(req.headers['content-type'] || '').split(';')[0].trim().toLowerCase();
    /** @type {any} */
    let body;
    if (raw.length && ctype === 'application/x-www-form-urlencoded') body = querystring.parse(raw.toString('utf8'));
    else if (raw.length && ctype === 'application/json') { try { body = JSON.parse(raw.toString('utf8')); } catch { body = undefined; } }
    if (body !== undefined && ctype === 'application/x-www-form-urlencoded') req.body = body;

    if (u.pathname.startsWith('/__test')) {
      if (!testControl) return send(res, 404, { error: 'not found' });
      return handleTestControl(req, res, u, body);
    }

    // tenant resolution
    let tenant = SUPER;
    let rest = u.pathname;
    const tm = /^\/t\/([^/]+)(\/.*)?$/.exec(u.pathname);
    if (tm) {
      tenant = decodeURIComponent(tm[1]);
      rest = tm[2] || '/';
    }
    const entry = {
      t: new Date().toISOString(), method: req.method, path: u.pathname, query: Object.fromEntries(u.searchParams),
      body: body && typeof body === 'object' ? { ...body } : undefined,
      authorization: parseAuthorization(req.headers.authorization), tenant,
    };
    state.log.push(entry);
    if (state.log.length > 2000) state.log.splice(0, state.log.length - 2000);

    const t = tenants.get(tenant);
    if (!t) {
      const accept = String(req.headers.accept || '');
      if (accept.includes('text/html')) return sendHtml(res, 404, pages.errorPage({ code: 'Tenant not found', message: `Tenant domain "${tenant}" is invalid or inactive.` }));
      return send(res, 404, { code: '18013', message: 'Tenant not found', description: `Tenant domain ${tenant} does not exist.`, traceId: crypto.randomUUID() });
    }
    req.tenant = t.tenant;
    req.tenantPrefix = t.prefix;

    // JWT access tokens handed out for jwt clients map to the provider's opaque token
    const auth = req.headers.authorization;
    if (auth && /^bearer /i.test(auth)) {
      const opaque = state.jwtAccessTokens.get(auth.slice(7).trim());
      if (opaque) req.headers.authorization = `Bearer ${opaque}`;
    }
    if (req.body?.token && state.jwtAccessTokens.has(String(req.body.token))) {
      req.body.token = state.jwtAccessTokens.get(String(req.body.token));
    }
    if (req.body?.access_token && state.jwtAccessTokens.has(String(req.body.access_token))) {
      req.body.access_token = state.jwtAccessTokens.get(String(req.body.access_token));
    }

    const kind = kindOf(rest, req.method, body);
    if (kind) {
      const r = runBefore(state.scenario, kind, { method: req.method, path: rest, tenant: t.tenant });
      if (r === 'hang') { pending.add(res); res.on('close', () => pending.delete(res)); return undefined; }
      if (r === 'close') { req.socket.destroy(); return undefined; }
      if (r && typeof r === 'object') {
        if (r.delayMs) await new Promise((ok) => { setTimeout(ok, r.delayMs); });
        if (r.status) return send(res, r.status, r.body ?? '', r.type || 'application/json', r.headers || {});
      }
    }

    if (await handleWso2Pages(t, req, res, rest, u, body)) return undefined;

    // discovery
    const dm = /^\/oauth2\/([^/]+)\/\.well-known\/openid-configuration$/.exec(rest);
    if (dm) {
      if (dm[1] !== 'token' && dm[1] !== 'oidcdiscovery') {
        return send(res, 400, { error: 'invalid_request', error_description: `Invalid issuer path: ${dm[1]}` });
      }
      return dispatchToProvider(t, req, res, '/.well-known/openid-configuration');
    }

    // plain PKCE (oidc-provider only does S256): convert the challenge, the verifier check still holds
    if (rest === '/oauth2/authorize') {
      const src = req.method === 'POST' && req.body ? req.body : null;
      const params = src || Object.fromEntries(u.searchParams);
      const cc = params.code_challenge;
      if (typeof cc === 'string' && cc && (!params.code_challenge_method || params.code_challenge_method === 'plain')) {
        const s256 = crypto.createHash('sha256').update(cc).digest('base64url');
        if (src) { src.code_challenge = s256; src.code_challenge_method = 'S256'; } else {
          u.searchParams.set('code_challenge', s256);
          u.searchParams.set('code_challenge_method', 'S256');
        }
      }
    }

    if (rest.startsWith('/oauth2/') || rest.startsWith('/oidc/logout') || rest === '/.well-known/openid-configuration') {
      return dispatchToProvider(t, req, res, `${rest}${u.search}`);
    }
    const accept = String(req.headers.accept || '');
    if (accept.includes('text/html')) return sendHtml(res, 404, pages.errorPage({ code: '404', message: 'Not found' }));
    return send(res, 404, { error: 'not_found' });
  }

  // ---------- start ----------
  for (const name of TENANTS) tenants.set(name, makeTenant(name));

  const server = https.createServer({ key: tlsPair.key, cert: tlsPair.cert }, (req, res) => {
    handle(req, res).catch((err) => {
      log('request failed', err);
      try { send(res, 500, { error: 'server_error', error_description: 'local-is internal error' }); } catch { /* ignore */ }
    });
  });
  await new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(port, bindHost, () => { server.off('error', fail); ok(undefined); });
  });
  const addr = server.address();
  actualPort = typeof addr === 'object' && addr ? addr.port : port;
  originRef.value = `https://localhost:${actualPort}`;
  for (const t of tenants.values()) buildProvider(t);
  log(`listening on ${originRef.value}`);

  let closed = false;
  return {
    origin: originRef.value,
    port: actualPort,
    issuer: `${originRef.value}/oauth2/token`,
    discoveryUrl: `${originRef.value}/oauth2/token/.well-known/openid-configuration`,
    /** @param {string} tenant */
    issuerFor: (tenant) => (tenant === SUPER ? `${originRef.value}/oauth2/token` : `${originRef.value}/t/${tenant}/oauth2/token`),
    certDir,
    caCertPath: tlsPair.certPath,
    caCert: tlsPair.cert,
    signingKid: sig.kid,
    testControl,
    clients: seedClients,
    users: seedUsers,
    state,
    async close() {
      if (closed) return;
      closed = true;
      for (const r of pending) { try { r.destroy(); } catch { /* ignore */ } }
      await new Promise((ok) => {
        server.close(() => ok(undefined));
        server.closeAllConnections?.();
      });
      await outbound.close().catch(() => {});
    },
  };
}

export default startLocalIs;
