/**
 * Credentials for WSO2's management APIs: HTTP Basic with an administrator (WSO2 IS), or an access token of a
 * machine-to-machine application from the client-credentials grant (Asgardeo, or an IS): Asgardeo's APIs take
 * only Bearer tokens. The scopes are those of the APIs setup calls (R1 §1.1, §2.1, §5).
 */
import { SetupError } from './errors.mjs';
import { basicAuth, clientBasicAuth, describeResponse } from './http.mjs';

/** Scopes setup asks the M2M application's token for. */
export const M2M_SCOPES = Object.freeze([
  'internal_dcr_view', 'internal_dcr_create', 'internal_dcr_update',
  'internal_application_mgt_view', 'internal_application_mgt_update', 'internal_application_mgt_client_secret_view',
]);

/**
 * @typedef {{ authorization: string, who: string }} ManagementAuth
 */

/**
 * A secret from the environment variable named by a flag, or asked for (hidden).
 * @param {string | undefined} envName @param {string} flag @param {string} question
 * @param {import('./prompts.mjs').Prompter} prompts
 */
async function secret(envName, flag, question, prompts) {
  if (envName !== undefined) {
    const v = process.env[envName];
    if (!v) throw new SetupError('setup_usage', `${flag} ${envName}: that environment variable is not set or empty.`);
    return v;
  }
  const v = await prompts.ask(question, { hidden: true });
  if (!v) throw new SetupError('setup_cancelled', 'No password given.');
  return v;
}

/**
 * Gets an M2M application's access token with the client-credentials grant.
 * @param {ReturnType<import('./http.mjs').createHttp>} http @param {string} tokenEndpoint
 * @param {string} clientId @param {string} clientSecret @param {import('./progress.mjs').Reporter} ui
 */
async function m2mToken(http, tokenEndpoint, clientId, clientSecret, ui) {
  const r = await http.request('POST', tokenEndpoint, {
    authorization: clientBasicAuth(clientId, clientSecret),
    form: { grant_type: 'client_credentials', scope: M2M_SCOPES.join(' ') },
  });
  if (r.status === 401 || r.json?.error === 'invalid_client') {
    throw new SetupError('setup_auth_failed', `The token endpoint refused the M2M application "${clientId}" (${describeResponse(r)}).`, { hint: 'Copy the client id and secret from the M2M application\'s Protocol tab.', status: 401 });
  }
  if (r.status !== 200 || typeof r.json?.access_token !== 'string') {
    throw new SetupError('setup_auth_failed', `No access token for the M2M application "${clientId}" (${describeResponse(r)}).`, { hint: 'Its Protocol tab must allow the Client Credential grant.' });
  }
  const granted = new Set(String(r.json.scope || '').split(' ').filter(Boolean));
  const missing = M2M_SCOPES.filter((s) => !granted.has(s));
  if (missing.length) ui.warn(`the token lacks ${missing.join(', ')}: authorize those APIs on the M2M application's API Authorization tab`);
  return `Bearer ${r.json.access_token}`;
}

/**
 * The Authorization header for the management APIs.
 * @param {{ options: import('./args.mjs').Options, http: ReturnType<import('./http.mjs').createHttp>, prompts: import('./prompts.mjs').Prompter, ui: import('./progress.mjs').Reporter, discovery: any }} ctx
 * @returns {Promise<ManagementAuth>}
 */
export async function managementAuth(ctx) {
  const c = ctx.options.credentials;
  if (c.kind === 'basic') {
    const password = await secret(c.passwordEnv, '--password-env', `Password of ${c.user}: `, ctx.prompts);
    return { authorization: basicAuth(c.user, password), who: `administrator ${c.user}` };
  }
  const clientSecret = await secret(c.secretEnv, '--m2m-client-secret-env', `Client secret of the M2M application ${c.clientId}: `, ctx.prompts);
  const authorization = await m2mToken(ctx.http, ctx.discovery.token_endpoint, c.clientId, clientSecret, ctx.ui);
  return { authorization, who: `M2M application ${c.clientId}` };
}
