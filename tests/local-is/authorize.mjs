// Authorization endpoint behaviour of WSO2 IS 7 on top of oidc-provider: plain PKCE, WSO2 error texts and
// `session_state` on the callback (README.md, "What it mimics": Callback and PKCE).
import * as crypto from 'node:crypto';

import { normalizePrompt, rememberAuthTime, wso2AuthorizeErrorText } from './login-options.mjs';
import { forgetPushedRequest, preparePushedAuthorize, refuseParRequestUri } from './par.mjs';
import { runAfter } from './scenarios.mjs';

/** @type {[RegExp, string, string][]} oidc-provider error description → WSO2 error and text */
const WSO2_AUTHZ_ERRORS = [
  [/requires PKCE|code_challenge/i, 'invalid_request',
    'PKCE is mandatory for this application. PKCE Challenge is not provided or is not upto RFC 7636 specification.'],
  [/^End-User authentication is required/i, 'login_required',
    "Request with 'prompt=none' but user session does not exist"],
];

/**
 * WSO2 accepts `code_challenge_method=plain` (and a challenge without a method); oidc-provider only does S256,
 * so the challenge is converted to its S256 form in place. The verifier check still holds.
 * @param {any} req request to /oauth2/authorize (a POST body is already parsed into req.body)
 * @param {URL} u request URL (its query is changed for a GET)
 */
export function plainPkceToS256(req, u) {
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

/**
 * Before oidc-provider handles `/oauth2/authorize` or `/oauth2/par`: WSO2's prompt rules (login-options.mjs),
 * plain PKCE and a `request_uri` refused in a pushed request, WSO2's request_uri at authorize (par.mjs).
 * @param {import('./state.mjs').LocalIsRuntime} is @param {any} t tenant @param {any} req
 * @param {import('node:http').ServerResponse} res @param {string} rest tenant-relative path
 * @param {URL} u request URL (its query may change)
 * @returns {Promise<boolean>} whether the request was answered
 */
export async function prepareAuthorization(is, t, req, res, rest, u) {
  if (req.method === 'POST' && req.body && typeof req.body === 'object') normalizePrompt(req.body);
  if (rest === '/oauth2/par') {
    plainPkceToS256(req, u);
    return refuseParRequestUri(req, res);
  }
  const q = Object.fromEntries(u.searchParams);
  if (q.prompt !== undefined) {
    normalizePrompt(q);
    if (q.prompt === undefined) u.searchParams.delete('prompt'); else u.searchParams.set('prompt', q.prompt);
  }
  return preparePushedAuthorize(is, t, res, u);
}

/** Replaces oidc-provider's error and description by WSO2's where known. @param {URL} u callback URL */
function wso2AuthzError(u) {
  const desc = u.searchParams.get('error_description');
  if (!desc) return;
  for (const [re, err, text] of WSO2_AUTHZ_ERRORS) {
    if (re.test(desc)) { u.searchParams.set('error', err); u.searchParams.set('error_description', text); break; }
  }
}

/**
 * OIDC Session Management: sets the `opbs` browser-state cookie and adds
 * `session_state = sha256hex(client_id origin opbs salt).salt`, keeping WSO2's parameter order
 * code, state, session_state, iss (WSO2 never sends iss; oidc-provider appends it).
 * @param {any} t tenant @param {any} ctx @param {URL} u callback URL @param {string} sessionUid @param {string} clientId
 */
function addSessionState(t, ctx, u, sessionUid, clientId) {
  const opbs = crypto.createHash('sha256').update(`opbs:${sessionUid}`).digest('hex');
  ctx.cookies.set(t.prefix ? `opbs_${t.tenant}` : 'opbs', opbs, { httpOnly: false, sameSite: 'none', secure: true, path: '/', signed: false, overwrite: true });
  const salt = crypto.randomBytes(16).toString('hex');
  const redirectOrigin = URL.canParse(`${u.origin}`) ? u.origin : '';
  const hash = crypto.createHash('sha256').update(`${clientId} ${redirectOrigin} ${opbs} ${salt}`).digest('hex');
  u.searchParams.set('session_state', `${hash}.${salt}`);
  const iss = u.searchParams.get('iss');
  if (iss) { u.searchParams.delete('iss'); u.searchParams.append('iss', iss); }
}

/**
 * Post-processes the authorization response redirect back to the client (with `code` or `error`): WSO2 error
 * texts (login-options.mjs for prompt, max_age and PAR), `session_state`, then the scenario's `authorize`
 * hook; always answered with a 302 like WSO2. Redirects to the IS's own authentication portal pass through
 * untouched. A pushed request is deleted once used (par.mjs); codes remember whether auth_time is due.
 * @param {import('./state.mjs').LocalIsRuntime} is @param {any} t @param {any} ctx @param {any} helpers
 */
export function postAuthorize(is, t, ctx, helpers) {
  forgetPushedRequest(ctx);
  if (![302, 303].includes(ctx.status)) return;
  const loc = ctx.response.get('Location');
  if (!loc) return;
  const u = new URL(loc, is.origin);
  if (!(u.searchParams.has('code') || u.searchParams.has('error'))) return;
  if (u.origin === is.origin && u.pathname.includes('/authenticationendpoint/')) return;
  wso2AuthzError(u);
  const mapped = wso2AuthorizeErrorText(is, t, ctx, u);
  if (mapped) { u.searchParams.set('error', mapped[0]); u.searchParams.set('error_description', mapped[1]); }
  if (u.searchParams.has('code')) rememberAuthTime(is, ctx, String(u.searchParams.get('code')));
  const session = ctx.oidc.session;
  const clientId = ctx.oidc.client?.clientId || ctx.oidc.params?.client_id;
  if (session?.uid && clientId && u.searchParams.has('code')) addSessionState(t, ctx, u, session.uid, clientId);
  const res = { location: u };
  runAfter(is.state.scenario, 'authorize', res, helpers);
  ctx.status = 302;
  ctx.redirect(res.location.href);
}
