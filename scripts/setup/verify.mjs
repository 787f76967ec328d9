/**
 * Step 5, the check, with exactly the values that will be written: discovery trusting only the certificate
 * to be written (plus the public CAs), the issuer, and client authentication at the token endpoint. The check
 * sends a made-up authorization code with client_secret_basic, as the app does: WSO2 answers 400
 * `invalid_grant` when the client authenticated and 401 `invalid_client` when it did not.
 */
import * as crypto from 'node:crypto';

import { checkIssuer, expectedIssuer, fetchDiscovery } from './discovery.mjs';
import { SetupError } from './errors.mjs';
import { clientBasicAuth, createHttp, describeResponse } from './http.mjs';
import { trustingDispatcher } from './tls.mjs';

/**
 * @param {ReturnType<typeof createHttp>} http @param {string} tokenEndpoint
 * @param {{ clientId: string, clientSecret: string, redirectUri: string }} client
 */
export async function checkClientAuthentication(http, tokenEndpoint, client) {
  const r = await http.request('POST', tokenEndpoint, {
    authorization: clientBasicAuth(client.clientId, client.clientSecret),
    form: { grant_type: 'authorization_code', code: `setup-check-${crypto.randomUUID()}`, redirect_uri: client.redirectUri },
  });
  if (r.status === 400 && r.json?.error === 'invalid_grant') return;
  if (r.status === 401 || r.json?.error === 'invalid_client') {
    throw new SetupError('setup_verify_failed', `The token endpoint does not accept the client id and secret (${describeResponse(r)}).`, { hint: 'Compare them with the application\'s Protocol tab.' });
  }
  throw new SetupError('setup_verify_failed', `Unexpected answer of the token endpoint to the client check (${describeResponse(r)}); expected 400 invalid_grant.`, {
    hint: r.json?.error === 'unauthorized_client' ? 'Allow the Code grant on the application\'s Protocol tab.' : undefined,
  });
}

/**
 * Step 5.
 * @param {any} ctx
 */
export async function verifySettings(ctx) {
  const o = ctx.options;
  const dispatcher = trustingDispatcher(ctx.cert.pem);
  try {
    const http = createHttp({ dispatcher, timeoutMs: o.timeoutMs });
    const doc = await fetchDiscovery(http, o);
    checkIssuer(doc, expectedIssuer(o.origin, o.tenantPath));
    ctx.ui.ok(`discovery and issuer, trusting ${ctx.cert.pem ? 'only the certificate to be written (and the public CAs)' : 'the public CAs'}`);
    await checkClientAuthentication(http, doc.token_endpoint, { clientId: ctx.app.clientId, clientSecret: ctx.app.clientSecret, redirectUri: ctx.urls.login });
    ctx.ui.ok('the token endpoint accepts the client id and secret (client_secret_basic)');
  } finally {
    await dispatcher.close();
  }
}
