// Token endpoint answers shaped like WSO2 IS 7: WSO2 error texts, opaque or JWT access tokens and WSO2's ID
// token claims (README.md, "What it mimics": Tokens and Token errors).
import * as crypto from 'node:crypto';
import { decodeJwt } from 'jose';

import { wso2ClientAuthError } from './client-auth.mjs';
import { epoch, leftHalfHash } from './jwt.mjs';
import { keepsAuthTime, selectAcr } from './login-options.mjs';
import { organizationClaims } from './organizations.mjs';
import { runAfter } from './scenarios.mjs';
import { clientOpts, rememberUsedCode } from './state.mjs';

/**
 * WSO2's text for an `invalid_grant`, chosen from oidc-provider's error detail; `desc` when none applies.
 * A code that was redeemed before is "Inactive", an unknown one "Invalid".
 * @param {import('./state.mjs').LocalIsRuntime} is @param {any} ctx @param {string} detail @param {string} desc
 */
function invalidGrantText(is, ctx, detail, desc) {
  if (/code_verifier|code_challenge/.test(detail)) return 'PKCE validation failed';
  if (/authorization code not found/.test(detail)) {
    return is.state.usedCodes.has(String(ctx.oidc.params?.code))
      ? 'Inactive authorization code received from token request'
      : 'Invalid authorization code received from token request';
  }
  if (/authorization code (already consumed|is expired)/.test(detail)) return 'Inactive authorization code received from token request';
  if (/redirect_uri mismatch/.test(detail)) return 'Callback url mismatch';
  if (/refresh token/.test(detail)) return 'Persisted access token data not found';
  return desc;
}

/**
 * Rewrites an oidc-provider token error as WSO2 JSON `{"error_description","error"}` with WSO2's texts;
 * invalid client credentials are a 401 "Client credentials are invalid.".
 * @param {import('./state.mjs').LocalIsRuntime} is @param {any} ctx
 */
function wso2TokenError(is, ctx) {
  const err = ctx.state.localIsError;
  let { error, error_description: desc } = ctx.body;
  const detail = `${err?.error_detail || ""} ${err?.error_description || ""} ${err?.message || ""} ${err?.cause?.message || ""}`;
  const auth = wso2ClientAuthError(ctx, err, ctx.body);
  if (auth) { ctx.status = auth.status; ctx.body = { error_description: auth.error_description, error: auth.error }; return; }
  if (error === 'invalid_request' && /grant_type/.test(desc)) desc = 'Missing grant_type parameter value';
  else if (error === 'invalid_client') { desc = 'Client credentials are invalid.'; ctx.status = 401; }
  else if (error === 'invalid_grant') desc = invalidGrantText(is, ctx, detail, desc);
  ctx.body = { error_description: desc, error };
}

/**
 * WSO2 JWT access token (`typ: at+jwt`; sub, aut, aud, nbf, azp, scope, iss, exp, iat, jti +
 * `extra_access_token_claims`), remembered as an alias of oidc-provider's opaque token.
 * @param {import('./state.mjs').LocalIsRuntime} is @param {any} t @param {any} ctx @param {any} copts
 * @param {string} opaque
 */
function jwtAccessToken(is, t, ctx, copts, opaque) {
  const client = ctx.oidc.client;
  const at = ctx.oidc.entities.AccessToken;
  const b = ctx.body;
  const now = epoch();
  const payload = {
    sub: at?.accountId, aut: 'APPLICATION_USER', aud: client.clientId, nbf: now, azp: client.clientId,
    scope: b.scope, iss: t.issuer, exp: now + (b.expires_in || 3600), iat: now, jti: crypto.randomUUID(),
    ...(copts.extra_access_token_claims || {}),
  };
  const jwt = is.signJwt(payload, { typ: 'at+jwt' });
  is.state.jwtAccessTokens.set(jwt, opaque);
  return jwt;
}

/**
 * The ID token claims WSO2 adds or keeps for the login options: `auth_time` only for max_age / essential
 * auth_time, `acr` only when the app's script selected it (client option `acr_values_supported`), the
 * organization claims of a B2B login, then the client option `extra_id_token_claims`.
 * @param {import('./state.mjs').LocalIsRuntime} is @param {any} ctx @param {Record<string, any>} p oidc-provider's claims
 * @param {any} copts client options
 */
function loginOptionClaims(is, ctx, p, copts) {
  const src = ctx.oidc.entities.AuthorizationCode || ctx.oidc.entities.RefreshToken;
  const requested = src?.claims?.id_token?.acr?.values;
  const acr = p.acr && selectAcr(Array.isArray(requested) ? requested.join(' ') : '', copts) === p.acr ? p.acr : undefined;
  return {
    ...(p.auth_time !== undefined && keepsAuthTime(is, ctx) ? { auth_time: p.auth_time } : {}),
    ...(acr ? { acr } : {}),
    ...organizationClaims(is, ctx.req.tenant, String(p.sub)),
    ...(copts?.extra_id_token_claims || {}),
  };
}

/**
 * WSO2's ID token from oidc-provider's: claims in WSO2's order, aud a string, azp, amr ["BasicAuthenticator"]
 * (["OrganizationAuthenticator"] for an organization login), nbf = iat, jti, at_hash, c_hash and isk added,
 * login-option claims (`loginOptionClaims`), re-signed with the same key.
 * @param {import('./state.mjs').LocalIsRuntime} is @param {any} ctx @param {string} idToken
 * @param {string} accessToken the access token handed out (at_hash)
 */
function wso2IdToken(is, ctx, idToken, accessToken) {
  const client = ctx.oidc.client;
  const p = decodeJwt(idToken);
  const code = ctx.oidc.params.grant_type === 'authorization_code' ? ctx.oidc.params.code : undefined;
  const src = ctx.oidc.entities.AuthorizationCode || ctx.oidc.entities.RefreshToken;
  const sessionUid = src?.sessionUid;
  /** @type {Record<string, any>} */
  const out = {
    iss: p.iss, at_hash: leftHalfHash(accessToken), ...(code ? { c_hash: leftHalfHash(code) } : {}),
    sub: p.sub, aud: client.clientId, azp: client.clientId,
    amr: organizationClaims(is, ctx.req.tenant, String(p.sub)).org_id ? ['OrganizationAuthenticator'] : ['BasicAuthenticator'],
    nbf: p.iat, iat: p.iat, exp: p.exp, jti: crypto.randomUUID(),
    ...(code && sessionUid ? { isk: crypto.createHash('sha256').update(`isk:${sessionUid}`).digest('hex') } : {}),
    ...(p.sid ? { sid: p.sid } : {}),
    ...(p.nonce !== undefined ? { nonce: p.nonce } : {}),
  };
  const extra = loginOptionClaims(is, ctx, p, clientOpts(is.state, client.clientId));
  if (extra.auth_time !== undefined) out.auth_time = extra.auth_time;
  for (const [k, v] of Object.entries(p)) if (!(k in out) && !['acr', 'auth_time'].includes(k) && v !== undefined) out[k] = v;
  Object.assign(out, extra);
  return is.signJwt(out);
}

/**
 * Post-processes oidc-provider's token response into WSO2's: WSO2 error JSON, or
 * `{access_token, refresh_token?, scope, id_token?, token_type: "Bearer", expires_in}` with WSO2 tokens;
 * then the scenario's `token` hook.
 * @param {import('./state.mjs').LocalIsRuntime} is @param {any} t @param {any} ctx @param {any} helpers
 */
export function postToken(is, t, ctx, helpers) {
  if (ctx.status >= 400 && ctx.body && typeof ctx.body === 'object' && ctx.body.error) {
    wso2TokenError(is, ctx);
    return;
  }
  if (ctx.status !== 200 || !ctx.body?.access_token) return;
  if (ctx.oidc.params.grant_type === 'authorization_code') rememberUsedCode(is.state, ctx.oidc.params.code);
  const copts = clientOpts(is.state, ctx.oidc.client.clientId) || {};
  const b = ctx.body;
  const accessToken = copts.access_token_type === 'jwt' ? jwtAccessToken(is, t, ctx, copts, b.access_token) : b.access_token;
  const idToken = b.id_token ? wso2IdToken(is, ctx, b.id_token, accessToken) : b.id_token;
  const body = {
    access_token: accessToken,
    ...(b.refresh_token ? { refresh_token: b.refresh_token } : {}),
    scope: b.scope,
    ...(idToken ? { id_token: idToken } : {}),
    token_type: 'Bearer',
    expires_in: b.expires_in,
  };
  const res = { body };
  runAfter(is.state.scenario, 'token', res, helpers);
  ctx.body = res.body;
}
