/**
 * Step 4, what DCR cannot set or show, through the Application Management API where the IS needs it: the one
 * callback entry `regexp=(…/login|…/signin)` (the post-logout URL is checked against it), the back-channel
 * logout URL (DCR accepts it but never shows it), PKCE, and the user attributes the dashboard shows
 * (requested claims: DCR sets none, so the IS would release no attributes). Changes only what differs.
 */
import { desiredClaims, desiredOidc } from './apps.mjs';
import { SetupError } from './errors.mjs';

/**
 * The OIDC inbound: PUT back with setup's settings when they differ (WSO2 wants the client id and secret
 * echoed).
 * @param {any} ctx
 */
async function inbound(ctx) {
  const { id, clientId, clientSecret } = ctx.app;
  const oidc = await ctx.apps.getOidc(id);
  if (!oidc) throw new SetupError('setup_name_taken', `The application "${ctx.options.name}" has no OpenID Connect protocol.`, { hint: 'Choose another --name.' });
  const { changes, body } = desiredOidc(oidc, ctx.urls);
  if (!changes.length) {
    ctx.ui.ok(`callback entry ${(oidc.callbackURLs || [])[0]}`);
    ctx.ui.ok(`back-channel logout URL ${ctx.urls.backchannel}`);
    return;
  }
  const { state: _readOnly, ...rest } = body;
  await ctx.apps.putOidc(id, { ...rest, clientId, clientSecret });
  for (const c of changes) ctx.ui.changed(c);
}

/**
 * The requested claims: the dashboard's attributes added to the claim configuration (others kept).
 * @param {any} ctx
 */
async function claims(ctx) {
  const app = await ctx.apps.get(ctx.app.id);
  const cc = app.claimConfiguration || {};
  if (cc.dialect && cc.dialect !== 'LOCAL') {
    ctx.ui.warn(`its user attributes use the ${cc.dialect} dialect; select given_name, family_name, email and username on the User Attributes tab yourself`);
    ctx.leftToDo.push('Select the user attributes given_name, family_name, email and username (User Attributes tab).');
    return;
  }
  const { added, claimConfiguration } = desiredClaims(cc);
  if (!added.length) {
    ctx.ui.ok('user attributes given_name, family_name, email, username are requested');
    return;
  }
  await ctx.apps.patch(ctx.app.id, { claimConfiguration });
  ctx.ui.changed(`requested user attributes ${added.join(', ')}`);
}

/**
 * Step 4.
 * @param {any} ctx
 */
export async function ensureSettings(ctx) {
  await inbound(ctx);
  await claims(ctx);
}
