// Self-registration (sign-up) as WSO2 IS 7's classic flow serves it: /accountrecoveryendpoint/register.do
// (also under /t/{tenant}) with the login page's parameters, processregistration.do creating the user in the
// tenant's store (in memory), and the completion page (README.md, "Self-registration").
// Sources: wso2/identity-apps recovery-portal (self-registration-username-request.jsp,
// self-registration-process.jsp, self-registration-complete.jsp, Resources.properties), authentication-portal
// basicauth.jsp (the "Register" link), carbon-identity-framework default.json
// (identity_mgt.user_self_registration.*).
import * as crypto from 'node:crypto';

import { redirect, send, sendHtml } from './http.mjs';
import { finishInteraction, loadInteraction, sessionExpiredPage } from './interactions.mjs';
import * as pages from './pages.mjs';
import { registrationCompletePage, registrationPage } from './pages-extra.mjs';
import { SELF_REGISTRATION_DEFAULTS } from './state.mjs';
import { addTenantUser, findTenantUser, tenantUserById } from './users.mjs';

/** @typedef {import('./pages-routes.mjs').PageRequest} PageRequest */

/** WSO2 claim URIs of the sign-up form fields → the OIDC claims they become (claim-config.xml OIDC dialect). */
const FORM_CLAIMS = Object.freeze({
  'http://wso2.org/claims/givenname': 'given_name',
  'http://wso2.org/claims/lastname': 'family_name',
  'http://wso2.org/claims/emailaddress': 'email',
});

/** Lifetime of the ALOR auto-login cookie (self-registration-process.jsp: 300 s). */
const AUTO_LOGIN_SECONDS = 300;

/**
 * The login page's "Register" link: `register.do?<login.do query>&callback=<urlencoded login.do URL>`
 * (basicauth.jsp `getRegistrationPortalUrl`), or undefined when self-registration is off.
 * @param {import('./state.mjs').LocalIsRuntime} is @param {any} t tenant @param {string} loginQuery the login.do query
 */
export function registrationLink(is, t, loginQuery) {
  if (!is.state.selfRegistration.enabled) return undefined;
  const loginDo = `${is.origin}${t.prefix}/authenticationendpoint/login.do?${loginQuery}`;
  return `${t.prefix}/accountrecoveryendpoint/register.do?${loginQuery}&callback=${encodeURIComponent(loginDo)}`;
}

/** @param {PageRequest} r @param {number} status @param {string} message */
const recoveryError = (r, status, message) => sendHtml(r.res, status, pages.errorPage({ code: 'Error', message }));

/** GET register.do: the sign-up form, every query parameter echoed as a hidden input. @param {PageRequest} r */
async function registerDo(r) {
  if (!r.is.state.selfRegistration.enabled) { recoveryError(r, 200, `Self registration is disabled for tenant - ${r.t.tenant}`); return; }
  const hidden = echoed(Object.fromEntries(r.u.searchParams));
  sendHtml(r.res, 200, registrationPage({ action: `${r.t.prefix}/accountrecoveryendpoint/processregistration.do`, hidden }));
}

/**
 * The callback after sign-up: the application's access URL (client option `access_url` of the `sp` app)
 * wins; otherwise `callback` must match the tenant's self-registration callback regex, default
 * `${carbon.protocol}://${carbon.host}:${carbon.management.port}/.*` (the IS origin).
 * @param {PageRequest} r @param {Record<string, any>} b form body
 * @returns {{ ok: boolean, accessUrl?: string }}
 */
function checkCallback(r, b) {
  const app = [...r.is.state.clients.values()].find((c) => c.name === b.sp || c.client_id === b.client_id);
  if (app?.access_url) return { ok: true, accessUrl: app.access_url };
  const cb = String(b.callback || '');
  return { ok: !cb || cb.startsWith(`${r.is.origin}/`) };
}

/** The hidden inputs to echo again when the form is shown once more. @param {Record<string, any>} b */
const echoed = (b) => /** @type {[string, string][]} */ (Object.entries(b)
  .filter(([k]) => !['username', 'password', ...Object.keys(FORM_CLAIMS)].includes(k)).map(([k, v]) => [k, String(v)]));

/**
 * The form's error, if any (self-registration-process.jsp): "Pick a username", "Password cannot be empty.",
 * "Username <name> is already taken. Please pick a different username".
 * @param {PageRequest} r @param {Record<string, any>} b
 */
function formError(r, b) {
  const username = String(b.username || '').trim();
  if (!username) return 'Pick a username';
  if (!String(b.password || '').trim()) return 'Password cannot be empty.';
  if (findTenantUser(r.is, r.t.tenant, username)) return `Username ${username} is already taken. Please pick a different username`;
  return undefined;
}

/**
 * The new user: WSO2 sets the username and the submitted claims (`username`, `given_name`, `family_name`,
 * `email`; no full name, no verified flag).
 * @param {PageRequest} r @param {Record<string, any>} b
 */
function createUser(r, b) {
  const username = String(b.username).trim();
  /** @type {Record<string, unknown>} */
  const claims = { username };
  for (const [uri, claim] of Object.entries(FORM_CLAIMS)) if (b[uri]) claims[claim] = String(b[uri]);
  return addTenantUser(r.is, r.t.tenant, { username, password: String(b.password), claims });
}

/**
 * With auto-login (`identity_mgt.user_self_registration.auto_login.enable`) an `ALOR` cookie (300 s) lets the
 * next `/commonauth?sessionDataKey=..` sign the new user in.
 * @param {PageRequest} r @param {any} user
 */
function setAutoLoginCookie(r, user) {
  const token = crypto.randomBytes(24).toString('base64url');
  r.is.state.autoLogins.set(token, { tenant: r.t.tenant, userId: user.id, exp: Date.now() + AUTO_LOGIN_SECONDS * 1000 });
  r.res.setHeader('set-cookie', `ALOR=${token}; Path=/; Max-Age=${AUTO_LOGIN_SECONDS}; Secure; HttpOnly; SameSite=None`);
}

/** POST processregistration.do: validates, creates the user, shows the completion page. @param {PageRequest} r */
async function processRegistration(r) {
  const b = r.body || {};
  if (!r.is.state.selfRegistration.enabled) { recoveryError(r, 200, `Self registration is disabled for tenant - ${r.t.tenant}`); return; }
  const cb = checkCallback(r, b);
  if (!cb.ok) { recoveryError(r, 200, 'Configured callback URL format does not match with the provided callback URL in the request'); return; }
  const error = formError(r, b);
  const action = `${r.t.prefix}/accountrecoveryendpoint/processregistration.do`;
  if (error) { sendHtml(r.res, 200, registrationPage({ action, hidden: echoed(b), error, values: b })); return; }
  const user = createUser(r, b);
  let redirectTo = cb.accessUrl;
  if (r.is.state.selfRegistration.auto_login && b.sessionDataKey) {
    setAutoLoginCookie(r, user);
    redirectTo = `${r.t.prefix}/commonauth?${new URLSearchParams({ sessionDataKey: String(b.sessionDataKey) })}`;
  }
  sendHtml(r.res, 200, registrationCompletePage({ redirectTo }));
}

/** The ALOR cookie of a request. @param {any} req */
function autoLoginToken(req) {
  const m = /(?:^|;\s*)ALOR=([^;]+)/.exec(String(req.headers.cookie || ''));
  return m?.[1];
}

/**
 * GET /commonauth?sessionDataKey=.. with a valid ALOR cookie: signs the self-registered user in and resumes.
 * @param {PageRequest} r
 */
async function autoLogin(r) {
  const token = autoLoginToken(r.req);
  const a = token ? r.is.state.autoLogins.get(token) : undefined;
  if (token) r.is.state.autoLogins.delete(token);
  const user = a && a.exp > Date.now() && a.tenant === r.t.tenant ? tenantUserById(r.is, r.t.tenant, a.userId) : undefined;
  const interaction = await loadInteraction(r.t, r.u.searchParams.get('sessionDataKey'));
  if (!interaction) { sessionExpiredPage(r.res); return; }
  if (!user) { redirect(r.res, interaction.returnTo); return; }
  r.res.setHeader('set-cookie', 'ALOR=; Path=/; Max-Age=0; Secure; HttpOnly; SameSite=None');
  await finishInteraction(r.res, interaction, { login: { accountId: user.id, amr: ['BasicAuthenticator'], remember: true } });
}

/**
 * Answers the self-registration routes of a tenant.
 * @param {PageRequest} r @param {string} rest tenant-relative path
 * @returns {Promise<boolean>} whether it was answered
 */
export async function handleRegistrationRoutes(r, rest) {
  if (rest === '/accountrecoveryendpoint/register.do' && r.req.method === 'GET') { await registerDo(r); return true; }
  if (rest === '/accountrecoveryendpoint/processregistration.do' && r.req.method === 'POST') { await processRegistration(r); return true; }
  if (rest === '/commonauth' && r.req.method === 'GET' && autoLoginToken(r.req)) { await autoLogin(r); return true; }
  return false;
}

/**
 * `/__test/self-registration`: GET shows, PUT merges `{ enabled, auto_login }`, DELETE resets the tenant-wide
 * self-registration settings.
 * @type {Record<string, (is: import('./state.mjs').LocalIsRuntime, res: import('node:http').ServerResponse, body: any) => unknown>}
 */
export const selfRegistrationControl = {
  GET: (is, res) => send(res, 200, is.state.selfRegistration),
  PUT: (is, res, body) => {
    const settings = /** @type {Record<string, boolean>} */ (is.state.selfRegistration);
    for (const k of Object.keys(SELF_REGISTRATION_DEFAULTS)) if (body?.[k] !== undefined) settings[k] = Boolean(body[k]);
    return send(res, 200, is.state.selfRegistration);
  },
  DELETE: (is, res) => { is.state.selfRegistration = { ...SELF_REGISTRATION_DEFAULTS }; return send(res, 200, is.state.selfRegistration); },
};
