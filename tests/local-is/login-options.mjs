// Authorization request options as WSO2 IS 7 treats them, on top of oidc-provider's interaction policy:
// prompt (login / none / consent / select_account), max_age and auth_time, login_hint, ui_locales, fidp and
// acr_values (README.md, "Login options"). Sources: wso2-extensions/identity-inbound-auth-oauth
// (AuthzUtil.analyzePromptParameter, handlePromptNone, handleMaxAgeParameter, DefaultIDTokenBuilder),
// wso2/carbon-identity-framework (DefaultStepHandler), wso2-extensions/identity-local-auth-basicauth
// (BasicAuthenticator), wso2/identity-apps (login.jsp, basicauth.jsp, includes/localize.jsp), docs-is
// guides/authentication/conditional-auth/acr-based-adaptive-auth.md.
import { interactionPolicy } from 'oidc-provider';

import { clientOpts, rememberedConsent } from './state.mjs';
import { federatedUser } from './users.mjs';

const { Check, base } = interactionPolicy;

/** WSO2's supported prompt values (`AuthzUtil`): none, login, consent, select_account. */
const WSO2_PROMPTS = new Set(['none', 'login', 'consent', 'select_account']);

/** The Home Realm Identifier of WSO2's built-in "SSO" identity provider (organization login). */
export const ORGANIZATION_SSO = 'OrganizationSSO';

/**
 * WSO2's prompt handling before oidc-provider sees the request: if any requested value is one WSO2 supports
 * (`containsAny`), unknown values are dropped and `select_account` is "handled exactly like no prompt" ("IS
 * does not currently support multiple logged-in sessions"); with no supported value the prompt is left for
 * oidc-provider to refuse (answered with WSO2's text, see `wso2AuthorizeErrorText`). Changes `params` in place.
 * @param {Record<string, any>} params authorize query or PAR body
 */
export function normalizePrompt(params) {
  if (typeof params?.prompt !== 'string') return;
  const values = params.prompt.split(' ').filter(Boolean);
  if (!values.some((v) => WSO2_PROMPTS.has(v))) return;
  const kept = values.filter((v) => WSO2_PROMPTS.has(v) && v !== 'select_account');
  if (kept.length) params.prompt = [...new Set(kept)].join(' ');
  else delete params.prompt;
}

/**
 * The ACR an application's adaptive script would select: the first requested `acr_values` entry that the
 * client option `acr_values_supported` lists (the script's `selectAcrFrom(context, supportedAcrValues)`,
 * docs "ACR-based adaptive authentication"); undefined when the app has no such script or nothing matches.
 * @param {unknown} acrValues space-separated, as sent @param {any} copts client options
 */
export function selectAcr(acrValues, copts) {
  const supported = Array.isArray(copts?.acr_values_supported) ? copts.acr_values_supported : [];
  return String(acrValues || '').split(' ').filter(Boolean).find((v) => supported.includes(v));
}

/**
 * The organization the request names (`orgId`, `orgHandle`, `org`), in `OrganizationAuthenticator`'s order.
 * @param {Record<string, any>} params
 */
export function requestedOrganization(params) {
  if (params.orgId) return { id: String(params.orgId) };
  if (params.orgHandle) return { handle: String(params.orgHandle) };
  if (params.org) return { name: String(params.org) };
  return undefined;
}

/**
 * `fidp=OrganizationSSO` with an IS session of another user (or none): organization login runs, as
 * `DefaultStepHandler` skips step 1 only when the session was authenticated with that IdP (and the same
 * organization, when one is named).
 * @param {import('./state.mjs').LocalIsRuntime} is @param {any} ctx
 */
function organizationLoginNeeded(is, ctx) {
  const { oidc } = ctx;
  if (oidc.params.fidp !== ORGANIZATION_SSO || oidc.result?.login) return Check.NO_NEED_TO_PROMPT;
  const fed = oidc.session.accountId ? federatedUser(is, ctx.req.tenant, oidc.session.accountId) : undefined;
  const want = requestedOrganization(oidc.params);
  const same = fed && (!want || fed.org.id === want.id || fed.org.handle === want.handle || fed.org.name === want.name);
  return same ? Check.NO_NEED_TO_PROMPT : Check.REQUEST_PROMPT;
}

/**
 * oidc-provider's interaction policy with WSO2's rules: `max_age` is not checked for `prompt=none` (the
 * passive branch of `DefaultStepHandler.handle` returns before it), essential `acr` is never enforced (WSO2
 * never rejects a request for an ACR), an `acr_values` entry the app's script selects forces a password
 * login, and `fidp=OrganizationSSO` forces organization login unless the session comes from it.
 * @param {import('./state.mjs').LocalIsRuntime} is
 */
export function wso2InteractionPolicy(is) {
  const policy = base();
  const login = policy.get('login');
  login.checks.remove('essential_acrs');
  login.checks.remove('essential_acr');
  const i = login.checks.findIndex((/** @type {any} */ c) => c.reason === 'max_age');
  const maxAge = login.checks[i];
  login.checks.splice(i, 1, new Check('max_age', maxAge.description, 'login_required', (/** @type {any} */ ctx) => (
    ctx.oidc.prompts.has('none') ? Check.NO_NEED_TO_PROMPT : maxAge.check(ctx))));
  login.checks.add(new Check('wso2_acr_step', 'Authentication required', 'login_required', (/** @type {any} */ ctx) => {
    const selected = selectAcr(ctx.oidc.params.acr_values, clientOpts(is.state, ctx.oidc.client.clientId));
    return selected && !ctx.oidc.result?.login ? Check.REQUEST_PROMPT : Check.NO_NEED_TO_PROMPT;
  }));
  login.checks.add(new Check('wso2_organization_sso', 'Authentication required', 'login_required',
    (/** @type {any} */ ctx) => organizationLoginNeeded(is, ctx)));
  return policy;
}

/**
 * Whether WSO2 puts `auth_time` in the ID token: only for a `max_age` other than 0 or an essential
 * `auth_time` in the claims parameter (`DefaultIDTokenBuilder`; `max_age=0` and `prompt=login` add none,
 * unlike oidc-provider). `params` are oidc-provider's, where `max_age=0` has already become `prompt=login`.
 * @param {Record<string, any>} params
 */
export function wantsAuthTime(params) {
  if (params.max_age !== undefined && Number(params.max_age) !== 0) return true;
  try { return JSON.parse(String(params.claims || '{}'))?.id_token?.auth_time?.essential === true; } catch { return false; }
}

/**
 * Remembers that the ID tokens of this authorization code carry `auth_time` (and, once redeemed, of its grant
 * for refreshes). Called with the authorization response.
 * @param {import('./state.mjs').LocalIsRuntime} is @param {any} ctx @param {string} code
 */
export function rememberAuthTime(is, ctx, code) {
  if (wantsAuthTime(ctx.oidc.params || {})) is.state.authTimeFor.add(`code:${code}`);
}

/**
 * Whether the ID token issued now keeps `auth_time` (see `rememberAuthTime`).
 * @param {import('./state.mjs').LocalIsRuntime} is @param {any} ctx
 */
export function keepsAuthTime(is, ctx) {
  const code = ctx.oidc.entities.AuthorizationCode;
  const grantId = (code || ctx.oidc.entities.RefreshToken)?.grantId;
  if (code && is.state.authTimeFor.has(`code:${ctx.oidc.params.code}`)) {
    if (grantId) is.state.authTimeFor.add(`grant:${grantId}`);
    return true;
  }
  return !code && !!grantId && is.state.authTimeFor.has(`grant:${grantId}`);
}

/** @type {[RegExp, string, string][]} oidc-provider authorization error description → WSO2 error and text */
const PROMPT_ERRORS = [
  [/^prompt none must only be used alone/, 'invalid_request', "Invalid prompt variable combination. The value 'none' cannot be used with others prompts."],
  [/^unsupported prompt value requested/, 'invalid_request', 'Invalid prompt variables passed with the authorization request'],
  [/^invalid max_age parameter value/, 'invalid_request', 'Invalid max_age parameter value sent in the authorization request.'],
  [/^Pushed Authorization Request must be used/, 'invalid_request', 'PAR request is mandatory for the application.'],
];

/**
 * WSO2's error and text for an authorization error redirect, for the prompt, max_age, PAR and
 * `prompt=none` cases (`AuthzUtil`, `AuthzUtil.checkPARMandatory`); undefined when none applies. A consent that is missing entirely is
 * "Required consent not found", one that was given before for fewer scopes "Consent approved always without
 * prompting for new consent"; an id_token_hint of another user is `login_required` with WSO2's text.
 * @param {import('./state.mjs').LocalIsRuntime} is @param {any} t tenant @param {any} ctx @param {URL} u
 * @returns {[string, string] | undefined}
 */
export function wso2AuthorizeErrorText(is, t, ctx, u) {
  const desc = u.searchParams.get('error_description') || '';
  for (const [re, err, text] of PROMPT_ERRORS) if (re.test(desc)) return [err, text];
  if (u.searchParams.get('error') === 'consent_required') {
    const accountId = ctx.oidc.session?.accountId;
    const clientId = ctx.oidc.client?.clientId;
    const before = accountId && clientId && rememberedConsent(is.state, t.tenant, accountId, clientId)?.size;
    return ['consent_required', before ? 'Consent approved always without prompting for new consent' : 'Required consent not found'];
  }
  if (/^id_token_hint and authenticated subject do not match/.test(desc)) {
    return ['login_required', `Request with 'id_token_hint=${ctx.oidc.params?.id_token_hint}' but user has denied the consent`];
  }
  if (u.searchParams.get('error') === 'interaction_required') return ['login_required', 'Authentication required'];
  return undefined;
}

/**
 * Parameters WSO2 adds to the login.do URL for the login options: `ui_locales` (all original parameters reach
 * login.do), `authFailure=true&authFailureMsg=domain.unknown&hrd=true` for an unknown `fidp` (`hrd=true` alone
 * for an empty one), and `inputType=login_hint&login_hint=..` (BasicAuthenticator, "Add login hint support").
 * @param {Record<string, any>} p the interaction's params
 * @returns {[string, string][]}
 */
export function loginPageParams(p) {
  /** @type {[string, string][]} */
  const out = [];
  if (p.ui_locales) out.push(['ui_locales', String(p.ui_locales)]);
  if (p.fidp !== undefined && p.fidp !== ORGANIZATION_SSO) {
    if (p.fidp !== '') out.push(['authFailure', 'true'], ['authFailureMsg', 'domain.unknown']);
    out.push(['hrd', 'true']);
  }
  if (p.login_hint) out.push(['inputType', 'login_hint'], ['login_hint', String(p.login_hint)]);
  return out;
}

/** Locale bundles of WSO2's authentication portal (`includes/localize.jsp`, default set). */
const PORTAL_LOCALES = ['en', 'fr', 'es', 'pt', 'de', 'zh', 'ja'];

/**
 * What the login page shows for the login options: the login hint (`inputType=login_hint`), the `fidp`
 * failure ("Authentication Failed! Please Retry": `domain.unknown` has no i18n text, so login.jsp keeps its
 * default message) and the page language from `ui_locales` (first one with a bundle; texts stay English).
 * @param {URLSearchParams} query login.do query @param {Record<string, any>} params the interaction's params
 */
export function loginPageOptions(query, params) {
  const hint = query.get('inputType') === 'login_hint' ? query.get('login_hint') : (params.login_hint ? String(params.login_hint) : null);
  const locales = String(query.get('ui_locales') || params.ui_locales || '').split(' ').map((l) => l.split(/[-_]/)[0].toLowerCase());
  return {
    loginHint: hint || undefined,
    authFailureMessage: query.get('authFailure') === 'true' && query.get('authFailureMsg') === 'domain.unknown'
      ? 'Authentication Failed! Please Retry' : undefined,
    lang: locales.find((l) => PORTAL_LOCALES.includes(l)) || 'en',
  };
}
