// One oidc-provider per tenant, patched to behave like WSO2 IS 7: UUID identifiers, the WSO2 callback rule,
// WSO2 back-channel logout, and WSO2-shaped discovery, JWKS, token, userinfo, revocation and authorization
// responses (README.md, "What it mimics"). Scenario `after` hooks run on those responses.
import * as crypto from 'node:crypto';
import Provider from 'oidc-provider';

import { createAdapter } from './adapter.mjs';
import { postAuthorize } from './authorize.mjs';
import { sendBackchannelLogout } from './backchannel.mjs';
import {
  patchReplayDetection, patchRuntimeClients, PKJWT_DISCOVERY_ALGS, shapeClientAuthErrorResponse,
} from './client-auth.mjs';
import { scenarioHelpers } from './jwt.mjs';
import { patchParIds, shapeParResponse } from './par.mjs';
import { clientMetadata, tenantConfig } from './provider-config.mjs';
import { runAfter } from './scenarios.mjs';
import { clientOpts } from './state.mjs';
import { postToken } from './tokens.mjs';
import { callbackMatches, issuerFor, SCOPE_CLAIMS, tenantPrefix } from './wso2.mjs';

/**
 * A tenant (`carbon.super` or `wso2.com`) with its own store and configuration; `buildProvider` completes it.
 * @param {import('./state.mjs').LocalIsRuntime} is
 * @param {string} tenant
 */
export function createTenant(is, tenant) {
  const { store, Adapter } = createAdapter();
  const t = {
    tenant, prefix: tenantPrefix(tenant), store, Adapter, issuer: '',
    provider: /** @type {any} */ (null), callback: /** @type {any} */ (null), config: /** @type {any} */ (null),
  };
  t.config = tenantConfig(is, t);
  return t;
}

/**
 * Finishes provider setup once the port (and therefore the issuer, WSO2's token endpoint URL) is known.
 * @param {import('./state.mjs').LocalIsRuntime} is
 * @param {ReturnType<typeof createTenant>} t
 */
export function buildProvider(is, t) {
  t.issuer = issuerFor(is.origin, t.tenant);
  const provider = new Provider(t.issuer, t.config);
  t.provider = provider;
  patchModels(is, t, provider);
  patchParIds(provider);
  patchReplayDetection(is, provider);
  patchRuntimeClients(is, provider, clientMetadata);
  provider.on('grant.error', (ctx, err) => { ctx.state.localIsError = err; });
  for (const e of ['pushed_authorization_request.error', 'revocation.error', 'introspection.error']) {
    provider.on(e, (ctx, err) => { ctx.state.localIsError = err; });
  }
  provider.on('server_error', (ctx, err) => { is.log('server_error', err); });
  provider.use(afterRoute(is, t));
  t.callback = provider.callback();
}

/**
 * WSO2 identifiers and rules on oidc-provider's models: UUID codes, opaque access tokens, refresh tokens and
 * sids; callback matching (literal or `regexp=`) for redirect_uri and post_logout_redirect_uri; back-channel
 * logout with WSO2 claims, the URI read from the (mutable) client options.
 * @param {import('./state.mjs').LocalIsRuntime} is @param {any} t @param {any} provider
 */
function patchModels(is, t, provider) {
  const uuid = () => crypto.randomUUID();
  provider.AuthorizationCode.prototype.generateTokenId = uuid;
  provider.RefreshToken.prototype.generateTokenId = uuid;
  const origAtId = provider.AccessToken.prototype.generateTokenId;
  provider.AccessToken.prototype.generateTokenId = function generateTokenId() {
    const id = origAtId.call(this);
    return this.format === 'opaque' ? uuid() : id;
  };
  const origCcId = provider.ClientCredentials.prototype.generateTokenId;
  provider.ClientCredentials.prototype.generateTokenId = function generateTokenId() {
    const id = origCcId.call(this);
    return this.format === 'opaque' ? uuid() : id;
  };
  provider.Session.prototype.ensureClientContainer = function ensureClientContainer(/** @type {string} */ clientId) {
    if (!this.sidFor(clientId)) this.sidFor(clientId, uuid());
  };
  provider.Client.prototype.redirectUriAllowed = function redirectUriAllowed(/** @type {string} */ value) {
    const c = clientOpts(is.state, this.clientId);
    return c ? callbackMatches(c.callback_url, value) : this.redirectUris.includes(value);
  };
  provider.Client.prototype.postLogoutRedirectUriAllowed = function postLogoutRedirectUriAllowed(/** @type {string} */ value) {
    const c = clientOpts(is.state, this.clientId);
    return c ? callbackMatches(c.callback_url, value) : this.postLogoutRedirectUris.includes(value);
  };
  provider.Client.prototype.backchannelLogout = function backchannelLogout(/** @type {string} */ sub, /** @type {string} */ sid) {
    return sendBackchannelLogout(is, t, this.clientId, sub, sid);
  };
}

/**
 * WSO2 discovery document members (docs/wso2-is.md, "8. Tenants"; README.md, "What it mimics": Paths).
 * @param {import('./state.mjs').LocalIsRuntime} is @param {any} t @param {any} ctx @param {any} helpers
 */
function shapeDiscovery(is, t, ctx, helpers) {
  if (ctx.status !== 200 || !ctx.body) return;
  const b = ctx.body;
  b.check_session_iframe = `${is.origin}${t.prefix}/oidc/checksession`;
  b.registration_endpoint = `${is.origin}${t.prefix}/api/identity/oauth2/dcr/v1.1/register`;
  b.code_challenge_methods_supported = ['S256', 'plain'];
  b.id_token_signing_alg_values_supported = ['RS256'];
  b.subject_types_supported = ['public'];
  b.scopes_supported = ['openid', 'profile', 'email', 'phone', 'address', 'groups', 'roles', 'internal_login'];
  b.claims_supported = [...new Set([...Object.values(SCOPE_CLAIMS).flat(), 'iss', 'acr', 'amr', 'sid', 'auth_time'])];
  b.token_endpoint_auth_methods_supported = ['client_secret_basic', 'client_secret_post', 'private_key_jwt', 'none'];
  b.token_endpoint_auth_signing_alg_values_supported = [...PKJWT_DISCOVERY_ALGS];
  b.revocation_endpoint_auth_methods_supported = ['client_secret_basic', 'client_secret_post'];
  b.introspection_endpoint_auth_methods_supported = ['client_secret_basic', 'client_secret_post'];
  delete b.acr_values_supported;
  delete b.revocation_endpoint_auth_signing_alg_values_supported;
  delete b.introspection_endpoint_auth_signing_alg_values_supported;
  b.backchannel_logout_supported = true;
  b.backchannel_logout_session_supported = true;
  b.frontchannel_logout_supported = false;
  b.authorization_response_iss_parameter_supported = true;
  b.response_modes_supported = ['query', 'fragment', 'form_post'];
  const res = { body: b };
  runAfter(is.state.scenario, 'discovery', res, helpers);
  ctx.body = res.body;
  ctx.type = 'application/json';
}

/**
 * WSO2 JWKS entries: `{kty,e,n,use:"sig",alg:"RS256",kid,"x5t#S256"}` (README.md, "Certificates").
 * @param {import('./state.mjs').LocalIsRuntime} is @param {any} t @param {any} ctx @param {any} helpers
 */
function shapeJwks(is, t, ctx, helpers) {
  ctx.body = { keys: [is.sig.publicJwk] };
  ctx.type = 'application/json';
  const res = { body: ctx.body };
  runAfter(is.state.scenario, 'jwks', res, helpers);
  ctx.body = res.body;
}

/** @param {import('./state.mjs').LocalIsRuntime} is @param {any} t @param {any} ctx @param {any} helpers */
function shapeUserinfo(is, t, ctx, helpers) {
  if (ctx.status === 200 && ctx.body && typeof ctx.body === 'object') {
    const res = { body: ctx.body };
    runAfter(is.state.scenario, 'userinfo', res, helpers);
    ctx.body = res.body;
  }
}

/** WSO2 revocation answers 200 with an empty body; client authentication errors as WSO2's. @param {any} is @param {any} t @param {any} ctx */
function shapeRevocation(is, t, ctx) {
  if (ctx.status === 200) ctx.body = '';
  else shapeClientAuthErrorResponse(ctx);
}

/** @type {Record<string, (is: any, t: any, ctx: any, helpers: any) => void>} oidc-provider route → post-processing */
const AFTER_ROUTE = {
  discovery: shapeDiscovery,
  jwks: shapeJwks,
  token: postToken,
  userinfo: shapeUserinfo,
  revocation: shapeRevocation,
  introspection: (is, t, ctx) => shapeClientAuthErrorResponse(ctx),
  pushed_authorization_request: shapeParResponse,
  authorization: postAuthorize,
  resume: postAuthorize,
};

/**
 * Koa middleware that post-processes oidc-provider's answer of each route; failures are logged, never sent.
 * @param {import('./state.mjs').LocalIsRuntime} is @param {any} t
 */
function afterRoute(is, t) {
  return async (/** @type {any} */ ctx, /** @type {() => Promise<void>} */ next) => {
    await next();
    const route = ctx.oidc?.route;
    if (!route) return;
    const helpers = scenarioHelpers(is.signJwt, t.issuer);
    try {
      if (Object.hasOwn(AFTER_ROUTE, route)) AFTER_ROUTE[route](is, t, ctx, helpers);
    } catch (err) {
      is.log('post-processing failed', err);
    }
  };
}
