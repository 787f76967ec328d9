/**
 * Discovery and the issuer. WSO2 serves `{origin}{tenant path}/oauth2/token/.well-known/openid-configuration`
 * and its issuer is the token endpoint URL, `{origin}{tenant path}/oauth2/token` (no `/t/carbon.super` for the
 * super tenant). When the published issuer differs, the IS builds its URLs from other settings: `[server]
 * hostname`, a port offset or `proxyPort`, a proxy context path (DefaultServiceURLBuilder, as the research
 * note R1 §6.2 quotes it); the explanation names the one that differs.
 */
import { SetupError } from './errors.mjs';
import { describeResponse } from './http.mjs';

/** @param {string} origin @param {string} tenantPath */
export const expectedIssuer = (origin, tenantPath) => `${origin}${tenantPath}/oauth2/token`;
/** @param {string} origin @param {string} tenantPath */
export const discoveryUrl = (origin, tenantPath) => `${expectedIssuer(origin, tenantPath)}/.well-known/openid-configuration`;

/**
 * Fetches and sanity-checks the discovery document.
 * @param {ReturnType<import('./http.mjs').createHttp>} http
 * @param {{ origin: string, tenant: string, tenantPath: string, asgardeo: boolean }} o
 */
export async function fetchDiscovery(http, o) {
  const url = discoveryUrl(o.origin, o.tenantPath);
  const r = await http.request('GET', url);
  const what = o.asgardeo ? 'organization' : 'tenant';
  if (r.status === 404 && (o.tenantPath || r.json?.code === '18013')) {
    throw new SetupError('setup_unknown_tenant', `The IS does not know the ${what} "${o.tenant}" (${describeResponse(r)}).`, {
      hint: o.asgardeo ? 'Use the organization name as it appears in Asgardeo URLs (console.asgardeo.io/t/<org>).' : 'Check the tenant domain (WSO2 Console → Root organization → Tenants), or leave --tenant out for the super tenant.',
    });
  }
  if (r.status !== 200 || !r.json || typeof r.json.issuer !== 'string' || typeof r.json.token_endpoint !== 'string') {
    throw new SetupError('setup_discovery_failed', `No usable discovery document at ${url} (${describeResponse(r)}).`, {
      hint: 'Is this a WSO2 Identity Server 7 or Asgardeo? The URL must be the server origin only.',
    });
  }
  return r.json;
}

/** @param {URL} u */
const portOf = (u) => Number(u.port || (u.protocol === 'https:' ? 443 : 80));

/**
 * Why the published issuer differs from the expected one, component by component.
 * @param {string} expected @param {string} published
 * @returns {string[]} one sentence per differing component
 */
export function explainIssuerMismatch(expected, published) {
  let e; let p;
  try { e = new URL(expected); p = new URL(published); } catch { return [`The published issuer "${published}" is not a URL.`]; }
  const reasons = [];
  if (e.hostname !== p.hostname) {
    reasons.push(`Host: the IS calls itself "${p.hostname}" ([server] hostname in deployment.toml, or a proxy in front of it). Run setup with --server ${p.protocol}//${p.host} if the app can reach it there, or set hostname to "${e.hostname}".`);
  }
  const ep = portOf(e); const pp = portOf(p);
  if (ep !== pp) {
    const offset = pp - 9443;
    if (p.port === '' || pp === 443) {
      reasons.push(`Port: the IS publishes URLs without a port, as behind a proxy ([transport.https.properties] proxyPort = 443). Reach it through that proxy: --server ${p.protocol}//${p.host}.`);
    } else if (offset > 0 && offset < 1000) {
      reasons.push(`Port: the IS publishes port ${pp}, a port offset of ${offset} ([server] offset = ${offset} in deployment.toml, or -DportOffset=${offset}); it listens on 9443+${offset}. Run setup with --server ${p.protocol}//${p.host}.`);
    } else {
      reasons.push(`Port: the IS publishes port ${pp} instead of ${ep} (a port offset or [transport.https.properties] proxyPort). Run setup with --server ${p.protocol}//${p.host} if it listens there.`);
    }
  }
  if (e.pathname !== p.pathname) {
    reasons.push(`Path: the IS publishes "${p.pathname}" instead of "${e.pathname}": a proxy context path ([server] proxy_context_path), another tenant, or a legacy "Identity Provider Entity ID" (Resident IdP) that is not {base}/oauth2/token.`);
  }
  return reasons.length ? reasons : [`The published issuer "${published}" differs from "${expected}".`];
}

/**
 * Refuses a discovery document whose issuer is not the one the app will expect.
 * @param {any} doc @param {string} expected
 */
export function checkIssuer(doc, expected) {
  if (doc.issuer === expected) return;
  const reasons = explainIssuerMismatch(expected, doc.issuer);
  throw new SetupError('setup_issuer_mismatch', `The IS publishes the issuer ${doc.issuer}, but the app will expect ${expected}; every login would stop with discovery_invalid.`, {
    hint: reasons.join('\n'),
  });
}
