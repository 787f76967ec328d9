// oidc-provider interactions behind WSO2's `sessionDataKey` / `sessionDataKeyConsent`: loading, finishing,
// and approving consent (README.md, "What it mimics": Login UI and Consent).
import { epoch } from './jwt.mjs';
import { redirect, sendHtml } from './http.mjs';
import * as pages from './pages.mjs';
import { rememberConsent } from './state.mjs';
import { SCOPE_CLAIMS, usersOf } from './wso2.mjs';

/**
 * The interaction named by a `sessionDataKey`, or undefined when unknown or expired.
 * @param {any} t tenant @param {unknown} uid
 */
export async function loadInteraction(t, uid) {
  if (!uid) return undefined;
  try { return await t.provider.Interaction.find(String(uid)); } catch { return undefined; }
}

/**
 * Stores the interaction result and sends the browser back to oidc-provider's resume URL.
 * @param {import('node:http').ServerResponse} res @param {any} interaction @param {any} result
 * @param {boolean} [merge] merge with the earlier submission (login before consent) unless it is an error
 */
export async function finishInteraction(res, interaction, result, merge = true) {
  interaction.result = merge && !('error' in result) ? { ...interaction.lastSubmission, ...result } : result;
  await interaction.save(Math.max(interaction.exp - epoch(), 1));
  redirect(res, interaction.returnTo, 302);
}

/** WSO2's error page for an unknown or expired sessionDataKey. @param {import('node:http').ServerResponse} res */
export function sessionExpiredPage(res) {
  sendHtml(res, 400, pages.errorPage({ code: 'Authentication Error!', message: 'Authentication session expired or invalid (sessionDataKey not found). Please restart the login.' }));
}

/**
 * Claims listed on the consent page: those of the requested scopes (WSO2 scope table) the user has a value for.
 * @param {Record<string, any[]>} users @param {string} tenant @param {string | undefined} accountId @param {string[]} scopes
 */
export function claimsForConsent(users, tenant, accountId, scopes) {
  const user = usersOf(users, tenant).find((u) => u.id === accountId);
  /** @type {string[]} */
  const names = [];
  for (const s of scopes) for (const c of SCOPE_CLAIMS[/** @type {keyof typeof SCOPE_CLAIMS} */ (s)] || []) {
    if (c !== 'sub' && user?.claims?.[c] !== undefined && !names.includes(c)) names.push(c);
  }
  return names;
}

/**
 * The interaction's grant (existing or new) with the missing scopes, claims and resource scopes added.
 * @param {any} provider @param {any} interaction @param {string} accountId @param {string} clientId
 */
async function grantWithConsent(provider, interaction, accountId, clientId) {
  const { prompt: { details = {} } = {}, params } = interaction;
  const grant = interaction.grantId
    ? (await provider.Grant.find(interaction.grantId)) || new provider.Grant({ accountId, clientId })
    : new provider.Grant({ accountId, clientId });
  const scopes = details.missingOIDCScope || String(params.scope || 'openid').split(' ');
  if (scopes.length) grant.addOIDCScope(scopes.join(' '));
  if (details.missingOIDCClaims?.length) grant.addOIDCClaims(details.missingOIDCClaims);
  if (details.missingResourceScopes) {
    for (const [indicator, s] of Object.entries(details.missingResourceScopes)) grant.addResourceScope(indicator, /** @type {string[]} */ (s).join(' '));
  }
  return grant;
}

/**
 * WSO2 "Allow" (`consent=approveAlways`): grants the requested scopes, remembers the consent per
 * tenant + user + client and resumes the authorization.
 * @param {import('./state.mjs').LocalIsRuntime} is @param {any} t @param {import('node:http').ServerResponse} res
 * @param {any} interaction
 */
export async function approveConsent(is, t, res, interaction) {
  const { params, session } = interaction;
  const accountId = session?.accountId || interaction.result?.login?.accountId;
  const clientId = params.client_id;
  const grant = await grantWithConsent(t.provider, interaction, accountId, clientId);
  const grantId = await grant.save();
  rememberConsent(is.state, t.tenant, accountId, clientId, params.scope);
  await finishInteraction(res, interaction, { consent: { grantId } });
}
