// Pushed Authorization Requests (RFC 9126) as WSO2 IS 7 serves them at /oauth2/par, on oidc-provider's
// pushedAuthorizationRequests feature: WSO2's request_uri form and 201 answer, WSO2's error texts, single use
// from the first /oauth2/authorize hit, the per-application "PAR mandatory" option (README.md, "PAR").
// Sources: wso2-extensions/identity-inbound-auth-oauth (OAuth2ParEndpoint.java, ParConstants.java,
// ParAuthServiceImpl.java, ParRequestBuilder.java, OAuthParRequestWrapper.java, AuthzUtil.checkPARMandatory),
// docs-is en/includes/guides/authentication/oidc/implement-login-with-par.md, product-is OAuth2PushedAuthRequestTestCase.
import * as crypto from 'node:crypto';
import { decodeJwt, UnsecuredJWT } from 'jose';

import { wso2ClientAuthError } from './client-auth.mjs';
import { redirect, send } from './http.mjs';
import { epoch } from './jwt.mjs';

/** WSO2's `ParConstants.REQUEST_URI_PREFIX` (one `par:` segment more than RFC 9126's). */
export const WSO2_PAR_URN = 'urn:ietf:params:oauth:par:request_uri:';
/** oidc-provider's `PUSHED_REQUEST_URN` (RFC 9126), used inside the stand-in only. */
const PROVIDER_PAR_URN = 'urn:ietf:params:oauth:request_uri:';

/**
 * Texts of WSO2's PAR error keys on the error page (identity-apps authentication-portal Resources.properties).
 * Whether `oauth2_error.jsp` shows them or its generic heading is UNCERTAIN (README.md).
 */
export const PAR_ERROR_TEXTS = Object.freeze({
  'par.invalid.request.uri': 'The request_uri is not valid.',
  'par.request.uri.expired': 'The request_uri is expired.',
  'par.client.id.not.match': 'The client_id does not match that of the pushed authorization request.',
});

/**
 * WSO2 request_uri ids are `UUID.randomUUID()` (`ParAuthServiceImpl.handleParAuthRequest`).
 * @param {any} provider
 */
export function patchParIds(provider) {
  provider.PushedAuthorizationRequest.prototype.generateTokenId = () => crypto.randomUUID();
}

/** @param {Record<string, any>} b @param {number} status @param {string} error @param {string} desc */
const parError = (b, status, error, desc) => Object.assign(b, { status, body: { error_description: desc, error } });

/**
 * WSO2's PAR endpoint error (`OAuth2ParEndpoint`, `ParConstants`, product-is test) for oidc-provider's: client authentication texts, response_type,
 * callback and server errors.
 * @param {any} ctx @param {any} err the emitted error
 * @returns {{ status: number, body: { error_description: string, error: string } }}
 */
function wso2ParError(ctx, err) {
  const b = /** @type {any} */ ({});
  const { error, error_description: desc = '' } = ctx.body;
  const sentNothing = !ctx.headers.authorization && !ctx.oidc.params?.client_secret && !ctx.oidc.params?.client_assertion;
  if (/does not match the registered client authentication method/.test(`${err?.error_detail}`) && sentNothing) {
    return parError(b, 400, 'unauthorized_client', 'Client authentication required.');
  }
  const auth = wso2ClientAuthError(ctx, err, ctx.body);
  if (auth) return parError(b, auth.status, auth.error, auth.error_description);
  if (/must not be provided twice/.test(desc)) return parError(b, 400, 'invalid_request', 'Invalid request with repeated parameters.');
  if (error === 'unsupported_response_type' || /response_type/.test(desc)) return parError(b, 400, 'invalid_request', 'Invalid response_type parameter value');
  if (/redirect_uri/.test(desc)) return parError(b, 400, 'invalid_request', 'callback.not.match');
  if (ctx.status >= 500) return parError(b, 500, 'server_error', 'Internal Server Error.');
  return parError(b, ctx.status, error, desc);
}

/**
 * Post-processes oidc-provider's PAR answer: 201 `{"request_uri":"urn:ietf:params:oauth:par:request_uri:<uuid>",
 * "expires_in":60}` (oidc-provider's lifetime is 60 s too, WSO2's `oauth.par.expiry_time` default), or
 * WSO2's error JSON `{"error_description","error"}`.
 * @param {import('./state.mjs').LocalIsRuntime} is @param {any} t @param {any} ctx
 */
export function shapeParResponse(is, t, ctx) {
  if (ctx.status === 201 && typeof ctx.body?.request_uri === 'string') {
    const id = ctx.body.request_uri.slice(PROVIDER_PAR_URN.length);
    is.state.parRequests.set(id, epoch() + ctx.body.expires_in);
    if (is.state.parRequests.size > 10000) is.state.parRequests.clear();
    ctx.body = { request_uri: `${WSO2_PAR_URN}${id}`, expires_in: ctx.body.expires_in };
    return;
  }
  if (ctx.status >= 400 && ctx.body?.error) {
    const out = wso2ParError(ctx, ctx.state.localIsError);
    ctx.status = out.status;
    ctx.body = out.body;
  }
}

/**
 * Before oidc-provider handles a PAR request: WSO2 refuses a `request_uri` in the pushed body
 * ("Request with request_uri not allowed.").
 * @param {any} req @param {import('node:http').ServerResponse} res
 * @returns {boolean} whether the request was answered
 */
export function refuseParRequestUri(req, res) {
  if (req.body?.request_uri === undefined) return false;
  send(res, 400, { error_description: 'Request with request_uri not allowed.', error: 'invalid_request' });
  return true;
}

/** @param {string} prefix @param {string} code @param {string} key */
const errorPage = (prefix, code, key) => `${prefix}/authenticationendpoint/oauth2_error.do?${new URLSearchParams({ oauthErrorCode: code, oauthErrorMsg: key })}`;

/**
 * Query parameters sent with `/oauth2/authorize?client_id=..&request_uri=..` that are not in the pushed
 * request stay visible to WSO2 (`OAuthParRequestWrapper.getParameterMap`; derived), while oidc-provider would
 * drop them: they are merged into the stored request.
 * @param {any} par @param {URLSearchParams} query
 */
async function mergeFrontChannelParams(par, query) {
  const payload = decodeJwt(par.request);
  const extra = [...query].filter(([k]) => !['client_id', 'request_uri'].includes(k) && !(k in payload));
  if (!extra.length) return;
  const { iss, aud, iat, exp, nbf, ...params } = payload;
  par.request = new UnsecuredJWT({ ...params, ...Object.fromEntries(extra) })
    .setIssuer(String(iss)).setAudience(/** @type {string} */ (aud)).setIssuedAt(Number(iat))
    .setExpirationTime(Number(exp)).setNotBefore(Number(nbf)).encode();
  await par.save(Math.max(par.exp - epoch(), 1));
}

/**
 * `/oauth2/authorize` with a WSO2 request_uri (`ParAuthServiceImpl.retrieveParams`): unknown or used → error
 * page `invalid_request_uri` / `par.invalid.request.uri`; expired → `par.request.uri.expired`; another
 * client_id → `invalid_request` / `par.client.id.not.match` (the entry is deleted on the first hit in every
 * case). Otherwise the URN is rewritten to oidc-provider's and the request goes on; `forgetPushedRequest`
 * deletes the entry once oidc-provider has loaded it.
 * The in-memory store drops expired entries, so the issued ids and expiry times are kept aside to tell
 * "expired" from "unknown".
 * @param {import('./state.mjs').LocalIsRuntime} is @param {any} t tenant
 * @param {import('node:http').ServerResponse} res @param {URL} u
 * @returns {Promise<boolean>} whether the request was answered
 */
export async function preparePushedAuthorize(is, t, res, u) {
  const uri = u.searchParams.get('request_uri');
  if (!uri?.startsWith(WSO2_PAR_URN)) return false;
  const id = uri.slice(WSO2_PAR_URN.length);
  const exp = is.state.parRequests.get(id);
  is.state.parRequests.delete(id);
  const par = await t.provider.PushedAuthorizationRequest.find(id, { ignoreExpiration: true }).catch(() => undefined);
  if ((par?.isExpired) || (!par && exp !== undefined && exp <= epoch())) {
    await par?.destroy();
    redirect(res, errorPage(t.prefix, 'invalid_request_uri', 'par.request.uri.expired'));
    return true;
  }
  if (!par || par.consumed) { redirect(res, errorPage(t.prefix, 'invalid_request_uri', 'par.invalid.request.uri')); return true; }
  if (decodeJwt(par.request).client_id !== u.searchParams.get('client_id')) {
    await par.destroy();
    redirect(res, errorPage(t.prefix, 'invalid_request', 'par.client.id.not.match'));
    return true;
  }
  await mergeFrontChannelParams(par, u.searchParams);
  u.searchParams.set('request_uri', `${PROVIDER_PAR_URN}${par.jti}`);
  return false;
}

/**
 * WSO2 deletes a pushed request at the first `/oauth2/authorize` that uses it (`parMgtDAO.removeRequestData`),
 * so reloading the authorize URL fails even before the login is finished.
 * @param {any} ctx
 */
export function forgetPushedRequest(ctx) {
  ctx.oidc?.entities?.PushedAuthorizationRequest?.destroy().catch(() => {});
}
