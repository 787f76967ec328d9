// WSO2 IS 7 authentication portal routes: login.do, commonauth, oauth2_consent.do and the consent decision,
// oauth2_error.do, oauth2_logout.do, checksession, and the logout confirmation's "No" and automatic "Yes"
// (README.md, "What it mimics": Login UI, Consent, Error page, Logout).
import * as querystring from 'node:querystring';

import { dispatchToProvider, redirect, sendHtml } from './http.mjs';
import { approveConsent, claimsForConsent, finishInteraction, loadInteraction, sessionExpiredPage } from './interactions.mjs';
import { loginPageOptions, selectAcr } from './login-options.mjs';
import { handleOrganizationRoutes } from './organizations.mjs';
import * as pages from './pages.mjs';
import { PAR_ERROR_TEXTS } from './par.mjs';
import { handleRegistrationRoutes, registrationLink } from './registration.mjs';
import { clientOpts, forgetConsent } from './state.mjs';
import { findTenantUser } from './users.mjs';

/**
 * @typedef {object} PageRequest
 * @property {import('./state.mjs').LocalIsRuntime} is
 * @property {any} t tenant
 * @property {any} req
 * @property {import('node:http').ServerResponse} res
 * @property {URL} u
 * @property {any} body parsed form or JSON body
 */

/**
 * WSO2 login form (`form#loginForm` → `/commonauth`), with `extra` `{ failed, username }` after wrong credentials;
 * the login options (login hint, fidp failure, ui_locales) and the "Register" link (login-options.mjs,
 * registration.mjs).
 * @param {PageRequest} r @param {any} interaction @param {unknown} uid the sessionDataKey @param {object} [extra]
 */
async function renderLogin({ is, t, res, u }, interaction, uid, extra = {}) {
  const client = await t.provider.Client.find(interaction.params.client_id);
  const onLoginDo = u.pathname.endsWith('/authenticationendpoint/login.do');
  const query = onLoginDo ? u.searchParams : new URLSearchParams({ client_id: String(interaction.params.client_id), sessionDataKey: String(uid), sp: client?.clientName || '', tenantDomain: t.tenant });
  sendHtml(res, 200, pages.loginPage({
    action: `${t.prefix}/commonauth`, sessionDataKey: /** @type {string} */ (uid), appName: client?.clientName, tenantDomain: t.tenant,
    ...loginPageOptions(query, interaction.params), registerUrl: registrationLink(is, t, query.toString()), ...extra,
  }));
}

/** GET /authenticationendpoint/login.do?sessionDataKey=.. @param {PageRequest} r */
async function loginDo(r) {
  const uid = r.u.searchParams.get('sessionDataKey');
  const interaction = await loadInteraction(r.t, uid);
  if (!interaction) { sessionExpiredPage(r.res); return; }
  await renderLogin(r, interaction, uid);
}

/** POST /commonauth: checks the credentials (BasicAuthenticator) and resumes, or re-renders with "Login failed!". @param {PageRequest} r */
async function commonauth(r) {
  const { is, t, res, body } = r;
  const uid = body?.sessionDataKey;
  const interaction = await loadInteraction(t, uid);
  if (!interaction) { sessionExpiredPage(res); return; }
  const user = findTenantUser(is, t.tenant, body.username || body.usernameUserInput);
  if (!user || user.password !== body.password) {
    await renderLogin(r, interaction, uid, { failed: true, username: body.usernameUserInput || body.username });
    return;
  }
  const acr = selectAcr(interaction.params.acr_values, clientOpts(is.state, interaction.params.client_id));
  await finishInteraction(res, interaction, {
    login: { accountId: user.id, amr: ['BasicAuthenticator'], remember: true, ...(acr ? { acr } : {}) },
  });
}

/** GET /authenticationendpoint/oauth2_consent.do: "<app> wants to access your account." (skipped for skip_login_consent). @param {PageRequest} r */
async function consentDo({ is, t, res, u }) {
  const uid = u.searchParams.get('sessionDataKeyConsent') || u.searchParams.get('sessionDataKey');
  const interaction = await loadInteraction(t, uid);
  if (!interaction) { sessionExpiredPage(res); return; }
  const clientId = interaction.params.client_id;
  const accountId = interaction.session?.accountId || interaction.result?.login?.accountId;
  if (String(interaction.params.prompt || '').split(' ').includes('consent') && accountId) forgetConsent(is.state, t.tenant, accountId, clientId);
  if (clientOpts(is.state, clientId)?.skip_login_consent) { await approveConsent(is, t, res, interaction); return; }
  const client = await t.provider.Client.find(clientId);
  const scopes = interaction.prompt.details?.missingOIDCScope || String(interaction.params.scope || '').split(' ');
  sendHtml(res, 200, pages.consentPage({
    action: `${t.prefix}/oauth2/authorize`, sessionDataKey: /** @type {string} */ (uid), appName: client?.clientName || clientId,
    claims: claimsForConsent(is.seed.users, t.tenant, interaction.session?.accountId, scopes),
  }).replace('name="sessionDataKey"', 'name="sessionDataKeyConsent"'));
}

/** POST /oauth2/authorize with sessionDataKeyConsent: Allow, or Deny → access_denied "User denied the consent". @param {PageRequest} r */
async function consentDecision({ is, t, res, body }) {
  const interaction = await loadInteraction(t, body.sessionDataKeyConsent);
  if (!interaction) { sessionExpiredPage(res); return; }
  if (body.consent === 'approveAlways' || body.consent === 'approve') {
    await approveConsent(is, t, res, interaction);
  } else {
    await finishInteraction(res, interaction, { error: 'access_denied', error_description: 'User denied the consent' }, false);
  }
}

/** GET /authenticationendpoint/oauth2_error.do?oauthErrorCode=..&oauthErrorMsg=.. @param {PageRequest} r */
async function oauth2ErrorDo({ res, u }) {
  const code = u.searchParams.get('oauthErrorCode') || 'server_error';
  let msg = u.searchParams.get('oauthErrorMsg') || '';
  if (msg === 'callback.not.match') msg = 'Registered callback does not match with the provided url. (callback.not.match)';
  else if (Object.hasOwn(PAR_ERROR_TEXTS, msg)) msg = `${PAR_ERROR_TEXTS[/** @type {keyof typeof PAR_ERROR_TEXTS} */ (msg)]} (${msg})`;
  sendHtml(res, 200, pages.errorPage({ code, message: msg }));
}

/** "No" on the logout confirmation: back to post_logout_redirect_uri with access_denied. @param {PageRequest} r */
async function logoutDeny({ is, res, body }) {
  const d = is.state.logoutKeys.get(String(body.denyKey || ''));
  is.state.logoutKeys.delete(String(body.denyKey || ''));
  if (d?.uri) {
    const back = new URL(d.uri);
    back.searchParams.set('error', 'access_denied');
    back.searchParams.set('error_description', 'End User denied the logout request');
    if (d.state != null && d.state !== '') back.searchParams.set('state', d.state);
    redirect(res, back.href);
  } else {
    sendHtml(res, 200, pages.errorPage({ code: 'access_denied', message: 'End User denied the logout request' }));
  }
}

/** GET /oidc/logout/auto?k=..: a skip_logout_consent client's logout, confirmed server-side. @param {PageRequest} r */
async function logoutAuto({ is, t, req, res, u }) {
  const k = u.searchParams.get('k') || '';
  const d = is.state.logoutKeys.get(k);
  is.state.logoutKeys.delete(k);
  if (!d || d.kind !== 'auto') { sendHtml(res, 400, pages.errorPage({ code: 'invalid_request', message: 'Logout request expired.' })); return; }
  req.method = 'POST';
  req.headers['content-type'] = 'application/x-www-form-urlencoded';
  req.body = { xsrf: d.xsrf, logout: 'yes' };
  req.headers['content-length'] = String(Buffer.byteLength(querystring.stringify(req.body)));
  await dispatchToProvider(t, req, res, '/oidc/logout/confirm');
}

/** @type {{ path: string, method?: string, when?: (body: any) => unknown, handle: (r: PageRequest) => Promise<void> }[]} */
const ROUTES = [
  { path: '/authenticationendpoint/login.do', method: 'GET', handle: loginDo },
  { path: '/commonauth', method: 'POST', handle: commonauth },
  { path: '/authenticationendpoint/oauth2_consent.do', method: 'GET', handle: consentDo },
  { path: '/oauth2/authorize', method: 'POST', when: (body) => body?.sessionDataKeyConsent, handle: consentDecision },
  { path: '/authenticationendpoint/oauth2_error.do', handle: oauth2ErrorDo },
  { path: '/authenticationendpoint/oauth2_logout.do', handle: async ({ res }) => { sendHtml(res, 200, pages.loggedOutPage()); } },
  { path: '/oidc/checksession', handle: async ({ res }) => { sendHtml(res, 200, pages.checkSessionPage()); } },
  { path: '/oidc/logout', method: 'POST', when: (body) => body?.consent === 'deny', handle: logoutDeny },
  { path: '/oidc/logout/auto', method: 'GET', handle: logoutAuto },
];

/**
 * Answers the request if it is one of the WSO2 authentication portal routes.
 * @param {import('./state.mjs').LocalIsRuntime} is @param {any} t tenant @param {any} req
 * @param {import('node:http').ServerResponse} res @param {string} rest tenant-relative path @param {URL} u @param {any} body
 * @returns {Promise<boolean>} whether it was answered
 */
export async function handleWso2Pages(is, t, req, res, rest, u, body) {
  const r = { is, t, req, res, u, body };
  if (await handleOrganizationRoutes(r, rest) || await handleRegistrationRoutes(r, rest)) return true;
  const route = ROUTES.find((x) => x.path === rest && (!x.method || x.method === req.method) && (!x.when || x.when(body)));
  if (!route) return false;
  await route.handle({ is, t, req, res, u, body });
  return true;
}
