// Back-channel logout delivery (OpenID Connect Back-Channel Logout 1.0), as WSO2 IS sends it when an IS
// session ends: README.md ("Back-channel logout") and docs/wso2-is.md ("About back-channel logout").
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Agent, fetch as undiciFetch } from 'undici';

import { epoch } from './jwt.mjs';
import { clientOpts } from './state.mjs';

/**
 * Dispatcher for outbound HTTPS. Trusts `trustCa` (PEM or PEMs), else the file named by LOCAL_IS_TRUST_CA, else
 * `<certDir>/app.crt` when present, like the certificate an administrator imports into WSO2's client truststore.
 * @param {string | string[] | undefined} trustCa
 * @param {string} certDir
 */
export function outboundAgent(trustCa, certDir) {
  /** @type {string[]} */
  const ca = [];
  if (trustCa) ca.push(...[trustCa].flat());
  else {
    const caFile = process.env.LOCAL_IS_TRUST_CA || path.join(certDir, 'app.crt');
    if (fs.existsSync(caFile)) ca.push(fs.readFileSync(caFile, 'utf8'));
  }
  return new Agent({ connect: ca.length ? { ca } : {} });
}

/**
 * Dispatcher for back-channel deliveries to loopback hosts (localhost, 127.0.0.1, ::1): accepts any server
 * certificate, so that an app on this machine with its own self-signed certificate receives logout tokens
 * without configuring trust (a test double posting to apps on the same machine; README.md, "Back-channel
 * logout"). Other hosts go through `outboundAgent` with full verification.
 */
export function loopbackAgent() {
  return new Agent({ connect: { rejectUnauthorized: false } });
}

/** Whether a URL's host is a loopback host (localhost, 127.0.0.1, [::1]). @param {string} uri */
export function isLoopbackUrl(uri) {
  const host = URL.canParse(uri) ? new URL(uri).hostname : '';
  return host === 'localhost' || host === '127.0.0.1' || host === '[::1]';
}

/**
 * WSO2's logout token: iss, sub, aud, iat, exp = iat + 120, jti, sid, the back-channel logout event;
 * RS256 with the WSO2 kid and no `typ` header.
 * @param {import('./state.mjs').LocalIsRuntime} is
 * @param {any} t tenant
 * @param {string} clientId @param {string} sub @param {string | undefined} sid
 */
function logoutToken(is, t, clientId, sub, sid) {
  const iat = epoch();
  return is.signJwt({
    iss: t.issuer, sub, aud: clientId, iat, exp: iat + 120, jti: crypto.randomUUID(),
    ...(sid ? { sid } : {}),
    events: { 'http://schemas.openid.net/event/backchannel-logout': {} },
  });
}

/**
 * POSTs a `logout_token` form to the client's back-channel logout URI (read from the mutable client options;
 * none → nothing sent) and records the delivery for `GET /__test/backchannel`. Never throws. Loopback URIs
 * accept self-signed certificates (`loopbackAgent`).
 * @param {import('./state.mjs').LocalIsRuntime} is
 * @param {any} t tenant
 * @param {string} clientId @param {string} sub @param {string | undefined} sid
 */
export async function sendBackchannelLogout(is, t, clientId, sub, sid) {
  const uri = clientOpts(is.state, clientId)?.backchannel_logout_uri;
  if (!uri) return;
  const token = logoutToken(is, t, clientId, sub, sid);
  const entry = { t: new Date().toISOString(), tenant: t.tenant, uri, clientId, sub, sid, status: 0, error: undefined };
  is.state.backchannel.push(entry);
  try {
    const r = await undiciFetch(uri, {
      method: 'POST',
      body: new URLSearchParams({ logout_token: token }),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      dispatcher: isLoopbackUrl(uri) ? is.outboundLoopback : is.outbound,
      redirect: 'manual',
      signal: AbortSignal.timeout(5000),
    });
    entry.status = r.status;
    await r.arrayBuffer().catch(() => {});
  } catch (err) {
    entry.error = String(err?.cause?.message || err?.message || err);
    is.log('back-channel logout to', uri, 'failed:', entry.error);
  }
}
