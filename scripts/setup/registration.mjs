/**
 * Step 3, the application: find it by name (Application Management API), register it through Dynamic Client
 * Registration when there is none, otherwise reuse it, updating its registration when it differs from what the
 * app needs (never a second app of the same name). Sets `ctx.app`: `{ id, clientId, clientSecret, created }`.
 */
import { appsClient } from './apps.mjs';
import { dcrClient, registrationChanges, registrationRequest, urlsOfEntry, callbackEntryOf } from './dcr.mjs';
import { SetupError } from './errors.mjs';

/** @param {any} ctx */
function clients(ctx) {
  const o = ctx.options;
  const base = `${o.origin}${o.tenantPath}`;
  const published = ctx.discovery.registration_endpoint;
  const dcrEndpoint = typeof published === 'string' && published.startsWith(`${o.origin}/`) ? published : `${base}/api/identity/oauth2/dcr/v1.1/register`;
  return { dcr: dcrClient(ctx.http, dcrEndpoint, ctx.auth.authorization, ctx.auth.who), apps: appsClient(ctx.http, `${base}/api/server/v1/applications`, ctx.auth.authorization, ctx.auth.who) };
}

/** @param {string} name @param {string} why */
const taken = (name, why) => new SetupError('setup_name_taken', `An application named "${name}" exists, but setup cannot update it: ${why}.`, {
  hint: 'Choose another --name, or delete that application in the Console and run setup again.',
});

/**
 * A new registration, then its application id.
 * @param {any} ctx @param {ReturnType<typeof clients>} c
 */
async function create(ctx, c) {
  const reg = await c.dcr.register(registrationRequest(ctx.options.name, ctx.urls));
  const found = await c.apps.findByName(ctx.options.name);
  if (!found) throw new SetupError('setup_unexpected_response', `The registration answered 201, but no application named "${ctx.options.name}" is listed afterwards.`);
  ctx.ui.created(`registered "${ctx.options.name}" through Dynamic Client Registration (client id ${reg.client_id})`);
  return { id: found.id, clientId: reg.client_id, clientSecret: reg.client_secret, created: true };
}

/**
 * Reuses an existing application: through DCR when DCR can read it (updating it when needed), otherwise
 * through the Application Management API alone.
 * @param {any} ctx @param {ReturnType<typeof clients>} c @param {any} found list item
 */
async function reuse(ctx, c, found) {
  const name = ctx.options.name;
  if (!found.clientId) throw taken(name, 'it has no OpenID Connect protocol (a SAML or other application)');
  let reg = await c.dcr.get(found.clientId);
  if (reg) {
    const changes = registrationChanges(reg, ctx.urls);
    if (changes.length) {
      const keepUrls = urlsOfEntry(callbackEntryOf(reg.redirect_uris));
      const redirectUris = [...new Set([...(keepUrls ?? []), ctx.urls.login, ctx.urls.signin])];
      reg = await c.dcr.update(found.clientId, registrationRequest(name, ctx.urls, { grants: reg.grant_types, redirectUris }));
      ctx.ui.changed(`updated the registration of "${name}": ${changes.join(', ')}`);
    } else ctx.ui.ok(`"${name}" is registered already (client id ${found.clientId}); nothing to change`);
    if (reg.client_secret) return { id: found.id, clientId: found.clientId, clientSecret: reg.client_secret, created: false };
  }
  const oidc = await c.apps.getOidc(found.id);
  if (!oidc) throw taken(name, 'it has no OpenID Connect protocol');
  if (!oidc.clientSecret) throw taken(name, 'the IS does not show its client secret to these credentials (internal_application_mgt_client_secret_view)');
  if (!reg) ctx.ui.ok(`found "${name}" (client id ${found.clientId}); DCR cannot read it, so it is updated through the Application Management API`);
  return { id: found.id, clientId: oidc.clientId, clientSecret: oidc.clientSecret, created: false };
}

/**
 * Step 3.
 * @param {any} ctx
 */
export async function ensureRegistration(ctx) {
  const c = clients(ctx);
  ctx.apps = c.apps;
  const found = await c.apps.findByName(ctx.options.name);
  ctx.app = found ? await reuse(ctx, c, found) : await create(ctx, c);
}
