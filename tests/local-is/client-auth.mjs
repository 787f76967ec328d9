// private_key_jwt client authentication as WSO2 IS 7 does it, on top of oidc-provider's own (which verifies the
// assertion signature, iss/sub/aud/exp/jti and replays): WSO2's time rules (timestamp skew 0, iat at most
// 300 min old), WSO2's error texts, WSO2's "Private Key JWT Reuse Enabled" option, and client public keys
// that change at run time (README.md, "private_key_jwt").
// Sources: wso2-extensions/identity-oauth-privatekey-jwthandler (JWTValidator.java,
// PrivateKeyJWTClientAuthenticator.java, Constants.java), wso2-extensions/identity-inbound-auth-oauth
// (OAuthClientAuthnService, OAuth2TokenEndpoint), docs-is en/includes/guides/authentication/oidc/private-key-jwt-client-auth.md.
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { errors } from 'oidc-provider';

import { clientOpts } from './state.mjs';

/**
 * Algorithms WSO2's `JWTValidator.isValidSignature` verifies: RSA (`RS*`, `PS*`) and EC (`ES256/384/512`).
 * oidc-provider is configured to accept exactly these for client assertions.
 */
export const PKJWT_VERIFY_ALGS = Object.freeze(['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512']);

/**
 * Discovery `token_endpoint_auth_signing_alg_values_supported`: default.json
 * `oauth.oidc.token_endpoint.signing_algorithms` = PS256, ES256, ES384, RS384 and SHA256withRSA (= RS256).
 */
export const PKJWT_DISCOVERY_ALGS = Object.freeze(['PS256', 'ES256', 'ES384', 'RS384', 'RS256']);

/** `RejectBeforeInMinutes` default (`DEFAULT_VALIDITY_PERIOD_IN_MINUTES = 300`). */
const REJECT_BEFORE_MINUTES = 300;

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/**
 * `java.util.Date#toString()` in UTC (`EEE MMM dd HH:mm:ss zzz yyyy`), as WSO2 prints the expiry time.
 * @param {number} epochSeconds
 */
export function javaDateString(epochSeconds) {
  const d = new Date(epochSeconds * 1000);
  const p = (/** @type {number} */ n) => String(n).padStart(2, '0');
  return `${DAYS[d.getUTCDay()]} ${MONTHS[d.getUTCMonth()]} ${p(d.getUTCDate())} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} UTC ${d.getUTCFullYear()}`;
}

/**
 * oidc-provider's `assertJwtClientAuthClaimsAndHeader`: WSO2's time checks of `JWTValidator` with the default
 * `oauth.timestamp_skew` of 0 ("expired if now + skew > exp", "not yet valid if now + skew - nbf <= 0",
 * iat older than `RejectBeforeInMinutes` = 300 is "too old"). oidc-provider has already checked signature,
 * required claims and audience; its 15 s clock tolerance is not WSO2's, so exp/nbf are checked again here.
 * A 60 s assertion (oauth4webapi's `exp: now + 60`) passes.
 * @param {any} ctx @param {Record<string, any>} claims @param {Record<string, any>} header @param {any} client
 */
export async function assertWso2ClientAssertion(ctx, claims, header, client) {
  const now = Date.now();
  if (typeof claims.exp === 'number' && now > claims.exp * 1000) {
    throw new errors.InvalidRequest(`JWT Token is expired. Expired Time: ${javaDateString(claims.exp)}`);
  }
  if (typeof claims.nbf === 'number' && now - claims.nbf * 1000 <= 0) {
    throw new errors.InvalidRequest('The token is used before the nbf claim value.');
  }
  if (typeof claims.iat === 'number' && now - claims.iat * 1000 > REJECT_BEFORE_MINUTES * 60 * 1000) {
    throw new errors.InvalidRequest('The jwt is too old to use.');
  }
  if (ctx.oidc.isFapi?.('2.0') && claims.aud !== ctx.oidc.issuer) {
    throw new errors.InvalidClientAuth('audience (aud) must equal the issuer identifier url');
  }
}

/** The client_assertion of the request, decoded (undefined when absent or unparsable). @param {any} ctx */
function assertionOf(ctx) {
  const a = ctx.oidc?.params?.client_assertion;
  if (typeof a !== 'string') return undefined;
  try { return { header: decodeProtectedHeader(a), payload: decodeJwt(a) }; } catch { return undefined; }
}

/** @type {[RegExp, string][]} oidc-provider's missing-claim details → the claim WSO2 names */
const MISSING_CLAIMS = [
  [/^sub \(JWT subject\) must be provided/, 'sub'],
  [/^expiration must be specified/, 'exp'],
  [/^unique jti/, 'jti'],
  [/^iss \(JWT issuer\) must be provided/, 'iss'],
  [/^aud \(JWT audience\) must be provided/, 'aud'],
];

/**
 * WSO2's answer for a failed client assertion, from oidc-provider's error detail (texts of `JWTValidator`):
 * 400 invalid_request for time, claim, replay and parse errors, 401 invalid_client otherwise.
 * @param {any} ctx @param {string} detail oidc-provider's `error_detail` / cause message
 * @returns {{ status: number, error: string, error_description: string } | undefined}
 */
function assertionError(ctx, detail) {
  const a = assertionOf(ctx);
  const bad = (/** @type {string} */ d) => ({ status: 400, error: 'invalid_request', error_description: d });
  const unauthorized = (/** @type {string} */ d) => ({ status: 401, error: 'invalid_client', error_description: d });
  if (/invalid client_assertion format/.test(detail) || (!a && ctx.oidc?.params?.client_assertion)) return bad('Error while parsing the JWT.');
  for (const [re, claim] of MISSING_CLAIMS) if (re.test(detail)) return bad(`Mandatory field :${claim} is missing in the JWT assertion.`);
  if (/must only be used once/.test(detail)) return bad(`JWT Token with jti: ${a?.payload.jti} has been replayed`);
  if (/jwt expired/.test(detail)) return bad(`JWT Token is expired. Expired Time: ${javaDateString(Number(a?.payload.exp))}`);
  if (/jwt not active yet/.test(detail)) return bad('The token is used before the nbf claim value.');
  if (/iss \(JWT issuer\) must be the client_id/.test(detail)) return bad(`Invalid issuer '${a?.payload.iss}' is found in the JWT. `);
  if (/audience/.test(detail)) return unauthorized('Failed to match audience values.');
  if (/alg mismatch/.test(detail)) {
    return ctx.oidc?.client?.clientAuthSigningAlg
      ? unauthorized('Signature algorithm used in the request is invalid.')
      : bad(`Signature Algorithm not supported : ${a?.header.alg}`);
  }
  return undefined;
}

/**
 * WSO2's answer for a client authentication failure at the token, PAR, revocation or introspection endpoint,
 * or undefined to keep the caller's mapping. Texts: `OAuthClientAuthnService`, `AccessTokenIssuer`,
 * `JWTValidator` (identity-inbound-auth-oauth, identity-oauth-privatekey-jwthandler).
 * @param {any} ctx @param {any} err the error oidc-provider emitted (ctx.state.localIsError)
 * @param {{ error: string, error_description?: string }} body oidc-provider's error body
 * @returns {{ status: number, error: string, error_description: string } | undefined}
 */
export function wso2ClientAuthError(ctx, err, body) {
  const detail = `${err?.error_detail || ''} ${err?.cause?.message || ''} ${body.error_description || ''}`.trim();
  if (/must only be provided using one mechanism/.test(detail)) {
    return { status: 400, error: 'invalid_request', error_description: 'The client MUST NOT use more than one authentication method in each' };
  }
  if (/no client authentication mechanism provided/.test(detail)) {
    return { status: 401, error: 'invalid_client', error_description: 'Client ID not found in the request.' };
  }
  if (body.error !== 'invalid_client' && body.error !== 'invalid_request') return undefined;
  const fromAssertion = ctx.oidc?.params?.client_assertion !== undefined ? assertionError(ctx, detail) : undefined;
  if (fromAssertion) return fromAssertion;
  if (/does not match the registered client authentication method/.test(detail)) {
    const sentSecret = ctx.oidc?.params?.client_secret || /^basic /i.test(String(ctx.headers?.authorization || ''));
    if (sentSecret && ctx.oidc?.client?.clientAuthMethod === 'private_key_jwt') {
      return { status: 401, error: 'invalid_client', error_description: 'Unsupported Client Authentication Method!' };
    }
  }
  if (body.error === 'invalid_client') return { status: 401, error: 'invalid_client', error_description: 'Client credentials are invalid.' };
  return undefined;
}

/**
 * WSO2's per-application "Private Key JWT Reuse Enabled" (`tokenEndpointAllowReusePvtKeyJwt`, client option
 * `token_endpoint_allow_reuse_pvt_key_jwt`; default off = a reused jti is refused): wraps oidc-provider's
 * replay detection, which is keyed by the assertion's iss (the client_id).
 * @param {import('./state.mjs').LocalIsRuntime} is @param {any} provider
 */
export function patchReplayDetection(is, provider) {
  const RD = provider.ReplayDetection;
  const unique = RD.unique.bind(RD);
  RD.unique = async (/** @type {string} */ iss, /** @type {string} */ jti, /** @type {number} */ exp) => {
    if (clientOpts(is.state, iss)?.token_endpoint_allow_reuse_pvt_key_jwt) return true;
    return unique(iss, jti, exp);
  };
}

/**
 * Client public keys (WSO2: App → Protocol → Certificate, "Provide Certificate" or "Use JWKS endpoint", docs-is
 * en/includes/references/app-settings/oidc-settings-for-app.md) and PAR requirement set at run time (`PUT /__test/client/<id> {"jwks": ..., "par_mandatory":
 * true}`): oidc-provider's static clients are fixed at start, so `Client.find` builds a client from the current
 * options whenever they carry keys or require PAR, cached per metadata value.
 * @param {import('./state.mjs').LocalIsRuntime} is @param {any} provider
 * @param {(c: any) => any} metadataOf seed/client options → oidc-provider client metadata
 */
export function patchRuntimeClients(is, provider, metadataOf) {
  const Client = provider.Client;
  const find = Client.find.bind(Client);
  /** @type {Map<string, any>} */
  const cache = new Map();
  Client.find = async function findClient(/** @type {unknown} */ id) {
    const copts = typeof id === 'string' ? clientOpts(is.state, id) : undefined;
    if (!copts || (copts.token_endpoint_auth_method !== 'private_key_jwt' && !copts.par_mandatory)) return find(id);
    const metadata = metadataOf(copts);
    const key = JSON.stringify(metadata);
    if (!cache.has(key)) {
      const client = new Client(metadata);
      Object.defineProperty(client, 'noManage', { value: true });
      cache.set(key, client);
    }
    return cache.get(key);
  };
}

/**
 * Client metadata for oidc-provider from the client options (WSO2 app settings: docs-is
 * private-key-jwt-client-auth.md, `OAuthAppDO.requirePushedAuthorizationRequests`): the `jwks` of a
 * private_key_jwt client (an empty key set until one is set), its registered `token_endpoint_auth_signing_alg`
 * (WSO2's `tokenEndpointAuthSignatureAlgorithm`) and, for `par_mandatory`, `require_pushed_authorization_requests`.
 * @param {any} c client options
 */
export function wso2ClientMetadata(c) {
  return {
    ...(c.token_endpoint_auth_method === 'private_key_jwt' ? { jwks: c.jwks || { keys: [] } } : {}),
    ...(c.token_endpoint_auth_signing_alg ? { token_endpoint_auth_signing_alg: c.token_endpoint_auth_signing_alg } : {}),
    ...(c.par_mandatory ? { require_pushed_authorization_requests: true } : {}),
  };
}

/**
 * Rewrites a client authentication error of the revocation or introspection endpoint with WSO2's status and
 * text (`wso2ClientAuthError`); other answers are left alone.
 * @param {any} ctx
 */
export function shapeClientAuthErrorResponse(ctx) {
  if (!(ctx.status >= 400 && ctx.body?.error)) return;
  const out = wso2ClientAuthError(ctx, ctx.state.localIsError, ctx.body);
  if (!out) return;
  ctx.status = out.status;
  ctx.body = { error_description: out.error_description, error: out.error };
}
