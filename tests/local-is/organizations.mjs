// Organization (B2B) login as WSO2 IS 7 does it for `fidp=OrganizationSSO` on a root-tenant authorize request:
// the built-in "SSO" IdP (`OrganizationAuthenticator`) resolves the organization from `orgId`, `orgHandle`
// or `org`, or asks for its name ("Sign In With SSO", org_name.do); the user signs in on the organization's
// login page with the organization's own user store; the root tenant then issues tokens for a federated
// account carrying WSO2's organization claims (README.md, "Organization login").
// Sources: wso2-extensions/identity-auth-organization-login (OrganizationAuthenticator.java,
// AuthenticatorConstants.java), identity-organization-management (OrganizationClaimProvider), docs-is
// en/includes/guides/organization-management/organization-login/, product-is#16365/#21828/#23663.
import { redirect, sendHtml } from './http.mjs';
import { finishInteraction, loadInteraction, sessionExpiredPage } from './interactions.mjs';
import { ORGANIZATION_SSO, requestedOrganization } from './login-options.mjs';
import * as pages from './pages.mjs';
import { organizationNamePage } from './pages-extra.mjs';
import { federatedAccount, federatedUser, findOrganization } from './users.mjs';
import { findUser } from './wso2.mjs';

/**
 * @typedef {import('./pages-routes.mjs').PageRequest} PageRequest
 * @typedef {import('./users.mjs').Organization} Organization
 */

/** i18n texts of the organization input page's `authFailureMsg` keys (identity-apps Resources.properties). */
const ORG_FAILURE_TEXTS = Object.freeze({
  'invalid.organization.name': 'Invalid Organization Name',
  'invalid.organization.handle': 'Invalid Organization Handle',
});

/** The organization-qualified path prefix of an organization under a root tenant: `/t/<root>/o/<org-id>`. */
const orgPrefix = (/** @type {string} */ tenant, /** @type {string} */ orgId) => `/t/${tenant}/o/${orgId}`;

/**
 * Whether an authorization request asks for organization login (`fidp` matches the SSO IdP's Home Realm
 * Identifier `OrganizationSSO`, as `DefaultHomeRealmDiscoverer` matches it).
 * @param {Record<string, any>} params the interaction's params
 */
export function isOrganizationLogin(params) {
  return params.fidp === ORGANIZATION_SSO;
}

/**
 * Where the login prompt of an organization-login request starts: `/commonauth`, where the
 * `OrganizationAuthenticator` step runs (WSO2 forwards there internally; here it is one visible redirect).
 * @param {string} prefix tenant prefix @param {any} interaction
 */
export function organizationLoginStart(prefix, interaction) {
  const q = new URLSearchParams({ sessionDataKey: interaction.uid, idp: 'SSO', authenticator: 'OrganizationAuthenticator' });
  return `${prefix}/commonauth?${q}`;
}

/** The org_name.do input page URL (`REQUEST_ORG_PAGE_URL`), with `authFailureMsg` after a failure. @param {any} t @param {any} interaction @param {string} [failure] */
function orgNamePageUrl(t, interaction, failure) {
  const q = new URLSearchParams({
    sessionDataKey: interaction.uid, idp: 'SSO', authenticator: 'OrganizationAuthenticator',
    spId: String(interaction.params.client_id), defaultParam: 'orgName',
  });
  if (failure) { q.set('authFailure', 'true'); q.set('authFailureMsg', failure); }
  return `${t.prefix}/authenticationendpoint/org_name.do?${q}`;
}

/**
 * The organization named by the org input form, else by the authorize request, and the failure key when it is
 * unknown or not shared with the application (`OrganizationAuthenticator`; an unknown `orgId` is UNCERTAIN in WSO2 and ends
 * the login with `login_required` "Authentication required", WSO2's default for authentication failures).
 * @param {PageRequest} r @param {any} interaction
 * @returns {{ org?: Organization, failure?: string, fatal?: boolean, none?: boolean }}
 */
function resolveOrganization({ is, t, u }, interaction) {
  const q = Object.fromEntries(u.searchParams);
  const want = requestedOrganization(q) || requestedOrganization(interaction.params);
  if (!want) return { none: true };
  const org = findOrganization(is, t.tenant, want);
  if (!org) {
    if (want.id) return { fatal: true };
    return { failure: want.handle ? 'invalid.organization.handle' : 'invalid.organization.name' };
  }
  const shared = org.shared_clients;
  if (Array.isArray(shared) && !shared.includes(interaction.params.client_id)) {
    return { failure: 'Organization is not associated with this application.' };
  }
  return { org };
}

/** GET /commonauth?sessionDataKey=..&idp=SSO: the OrganizationAuthenticator step. @param {PageRequest} r */
async function organizationStep(r) {
  const interaction = await loadInteraction(r.t, r.u.searchParams.get('sessionDataKey'));
  if (!interaction) { sessionExpiredPage(r.res); return; }
  const found = resolveOrganization(r, interaction);
  if (found.fatal) {
    await finishInteraction(r.res, interaction, { error: 'login_required', error_description: 'Authentication required' }, false);
  } else if (found.none || found.failure) {
    redirect(r.res, orgNamePageUrl(r.t, interaction, found.failure));
  } else if (found.org) {
    const q = new URLSearchParams({ sessionDataKey: interaction.uid, client_id: String(interaction.params.client_id), tenantDomain: r.t.tenant, orgId: found.org.id });
    redirect(r.res, `${orgPrefix(r.t.tenant, found.org.id)}/authenticationendpoint/login.do?${q}`);
  }
}

/** GET /authenticationendpoint/org_name.do: "Sign In With SSO" asking the organization name. @param {PageRequest} r */
async function organizationNameDo({ t, res, u }) {
  const uid = u.searchParams.get('sessionDataKey') || '';
  const msg = u.searchParams.get('authFailure') === 'true' ? u.searchParams.get('authFailureMsg') || '' : '';
  const error = msg ? ORG_FAILURE_TEXTS[/** @type {keyof typeof ORG_FAILURE_TEXTS} */ (msg)] || msg : undefined;
  sendHtml(res, 200, organizationNamePage({ action: `${t.prefix}/commonauth`, sessionDataKey: uid, error }));
}

/**
 * The organization's login page (its own basicauth.jsp), posting to the organization-qualified /commonauth.
 * @param {PageRequest} r @param {Organization} org @param {string} uid @param {object} [extra]
 */
async function renderOrganizationLogin({ t, res }, org, uid, extra = {}) {
  sendHtml(res, 200, pages.loginPage({
    action: `${orgPrefix(t.tenant, org.id)}/commonauth`, sessionDataKey: uid, appName: org.name, tenantDomain: t.tenant,
    organizationName: org.name, ...extra,
  }));
}

/**
 * `/o/<org-id>/authenticationendpoint/login.do` (GET) and `/o/<org-id>/commonauth` (POST): the organization's
 * login against its own users; success finishes the root login as the user's federated account
 * (amr `OrganizationAuthenticator`, derived from the authenticator name).
 * @param {PageRequest} r @param {string} orgId @param {string} sub the path after `/o/<org-id>`
 */
async function organizationPages(r, orgId, sub) {
  const org = findOrganization(r.is, r.t.tenant, { id: orgId });
  const uid = sub === '/commonauth' ? r.body?.sessionDataKey : r.u.searchParams.get('sessionDataKey');
  const interaction = org && await loadInteraction(r.t, uid);
  if (!org || !interaction) { sessionExpiredPage(r.res); return; }
  if (sub === '/authenticationendpoint/login.do' && r.req.method === 'GET') { await renderOrganizationLogin(r, org, uid); return; }
  const user = findUser({ org: org.users }, 'org', r.body?.username || r.body?.usernameUserInput);
  if (!user || user.password !== r.body?.password) {
    await renderOrganizationLogin(r, org, uid, { failed: true, username: r.body?.usernameUserInput || r.body?.username });
    return;
  }
  const accountId = federatedAccount(r.is, org, user);
  await finishInteraction(r.res, interaction, { login: { accountId, amr: ['OrganizationAuthenticator'], remember: true } });
}

/**
 * WSO2's organization claims for a federated organization user's ID token (`OrganizationClaimProvider`):
 * `org_id` (the organization the token is for), `org_name`, `user_org` (the user's resident organization)
 * and the authenticator's `user_organization` attribute. product-is#23663 expects other values for B2B
 * logins (UNCERTAIN, README.md). Empty for local users.
 * @param {import('./state.mjs').LocalIsRuntime} is @param {string} tenant @param {string} sub
 */
export function organizationClaims(is, tenant, sub) {
  const f = federatedUser(is, tenant, sub);
  if (!f) return {};
  return { org_id: f.org.id, org_name: f.org.name, user_org: f.org.id, user_organization: f.org.id };
}

/**
 * Answers the organization-login routes of a tenant: GET /commonauth (organization step), org_name.do, and
 * the organization-qualified login page and /commonauth.
 * @param {PageRequest} r @param {string} rest tenant-relative path
 * @returns {Promise<boolean>} whether it was answered
 */
export async function handleOrganizationRoutes(r, rest) {
  if (rest === '/commonauth' && r.req.method === 'GET' && r.u.searchParams.get('idp') === 'SSO') { await organizationStep(r); return true; }
  if (rest === '/authenticationendpoint/org_name.do' && r.req.method === 'GET') { await organizationNameDo(r); return true; }
  const m = /^\/o\/([^/]+)(\/authenticationendpoint\/login\.do|\/commonauth)$/.exec(rest);
  if (!m) return false;
  await organizationPages(r, decodeURIComponent(m[1]), m[2]);
  return true;
}
