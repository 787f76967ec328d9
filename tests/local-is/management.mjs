// WSO2's management APIs in the stand-in, as `npm run setup` uses them: Dynamic Client Registration
// (dcr.mjs) and Application Management (applications.mjs), behind WSO2's authentication valve (mgmt-auth.mjs),
// over the per-tenant application registry (apps-registry.mjs). Also the client-credentials scope rule of the
// token endpoint for management (M2M) clients and the `/__test/management` test control. README.md lists the
// endpoints and what they leave out.
import { handleApplications } from './applications.mjs';
import { registry, resetManagement } from './apps-registry.mjs';
import { handleDcr } from './dcr.mjs';
import { parseAuthorization, send } from './http.mjs';
import { clientOpts } from './state.mjs';

export { resetManagement };

const DCR_MODES = ['enabled', 'forbidden', 'mandate_ssa', 'not_deployed'];

/**
 * Answers a management API request of tenant `t` (`rest` is tenant-relative); false when `rest` is not one.
 * @param {import('./state.mjs').LocalIsRuntime} is @param {any} t @param {any} req @param {any} res
 * @param {string} rest @param {URL} u @param {any} body
 */
export async function handleManagement(is, t, req, res, rest, u, body) {
  if (!rest.startsWith('/api/')) return false;
  return (await handleDcr(is, t, req, res, rest, u, body)) || handleApplications(is, t, req, res, rest, u, body);
}

/**
 * WSO2 drops the scopes a client may not have (`oauth.drop_unregistered_scopes: true`; for an M2M app, those of
 * the API resources not authorized to it). For a client-credentials request of a client with
 * `authorized_scopes`, the `scope` parameter is cut down to those before oidc-provider sees it.
 * @param {import('./state.mjs').LocalIsRuntime} is @param {any} req @param {string} rest @param {any} body
 */
export function dropUnauthorizedScopes(is, req, rest, body) {
  if (rest !== '/oauth2/token' || body?.grant_type !== 'client_credentials') return;
  const auth = parseAuthorization(req.headers.authorization);
  const clientId = auth?.scheme === 'Basic' ? auth.user : body.client_id;
  const allowed = clientOpts(is.state, String(clientId || ''))?.authorized_scopes;
  if (!Array.isArray(allowed)) return;
  const kept = String(body.scope || '').split(' ').filter((s) => s && allowed.includes(s));
  if (kept.length) body.scope = kept.join(' ');
  else delete body.scope;
}

/** @param {import('./state.mjs').LocalIsRuntime} is */
function controlView(is) {
  const { options, apps } = registry(is);
  return { ...options, apps: [...apps.values()].filter((a) => a.source !== 'seed').map((a) => ({ id: a.id, tenant: a.tenant, name: a.name, clientId: a.clientId })) };
}

/**
 * `/__test/management`: GET shows the options and the registered apps; PUT/POST merges options (`dcr`:
 * `enabled` | `forbidden` | `mandate_ssa` | `not_deployed`; `decodeRedirectUris`: boolean); DELETE resets the
 * options and deletes the registered apps.
 * @param {import('./state.mjs').LocalIsRuntime} is @param {any} req @param {any} res @param {URL} u @param {any} body
 * @returns {boolean} whether the request was for it
 */
export function handleManagementControl(is, req, res, u, body) {
  if (u.pathname !== '/__test/management') return false;
  const m = req.method;
  if (m === 'PUT' || m === 'POST') {
    const { dcr, decodeRedirectUris } = body || {};
    if (dcr !== undefined && !DCR_MODES.includes(dcr)) {
      send(res, 400, { error: `dcr must be one of ${DCR_MODES.join(', ')}` });
      return true;
    }
    const { options } = registry(is);
    if (dcr !== undefined) options.dcr = dcr;
    if (decodeRedirectUris !== undefined) options.decodeRedirectUris = decodeRedirectUris === true;
  } else if (m === 'DELETE') resetManagement(is);
  else if (m !== 'GET') {
    send(res, 404, { error: 'not found' });
    return true;
  }
  send(res, 200, controlView(is));
  return true;
}
