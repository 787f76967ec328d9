// SCIM 2.0 `GET /scim2/Me` (also /t/{tenant}/scim2/Me) as WSO2 IS 7 answers it for a user access token
// (README.md, "SCIM /scim2/Me"). Sources: wso2-extensions/identity-inbound-provisioning-scim2 (MeResource,
// SCIMUserManager.getMe, AttributeMapper), wso2/charon (MeResourceManager, JSONEncoder, SCIMConstants),
// wso2-extensions/identity-carbon-auth-rest (APIErrorResponseHandler, AuthorizationValve), carbon-identity-
// framework resource-access-control-v2.xml.j2 ("SCIM2 Me API": internal_login), product-is SCIM2MeTestCase.
import * as crypto from 'node:crypto';

import { send } from './http.mjs';
import { SUPER } from './wso2.mjs';
import { tenantUserById } from './users.mjs';

const ERROR_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:Error';
/** The resource schema list of a User (charon `SCIMResourceSchemaManager.getUserResourceSchema`, extension on). */
const USER_SCHEMAS = Object.freeze([
  'urn:ietf:params:scim:schemas:core:2.0:User',
  'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User',
  'urn:scim:wso2:schema',
]);
/** Creation time of the seeded users: the start of this process. */
const STARTED = new Date().toISOString();
/** The super tenant's organization id in WSO2 IS 7 (carbon.super as an organization). */
const SUPER_ORG_ID = '10084a8d-113f-4211-a0d5-efe36b082211';

/** A stable UUID for a name (role, group and tenant-organization ids of the stand-in). @param {string} name */
function nameUuid(name) {
  const h = crypto.createHash('sha256').update(name).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/**
 * The auth valve's errors (`APIErrorResponseHandler.handleScim2ApiErrorResponse`): JSON with a numeric
 * `status`; 401 with `WWW-Authenticate: Bearer realm=localhost` (the server host name).
 * @param {import('node:http').ServerResponse} res @param {401 | 403} status
 */
function valveError(res, status) {
  const detail = status === 401
    ? 'Authorization failure. Authorization information was invalid or missing from your request.'
    : 'Operation is not permitted. You do not have permissions to make this request.';
  const headers = status === 401 ? { 'www-authenticate': 'Bearer realm=localhost' } : {};
  send(res, status, { schemas: [ERROR_SCHEMA], detail, status }, 'application/json;charset=UTF-8', headers);
}

/**
 * The valid user access token of a request (Bearer, opaque or an aliased JWT access token): not expired, its
 * grant still there (a logout or an ended IS session revokes it).
 * @param {any} t tenant @param {any} req
 */
async function userToken(t, req) {
  const m = /^Bearer\s+(\S+)$/i.exec(String(req.headers.authorization || ''));
  if (!m) return undefined;
  const at = await t.provider.AccessToken.find(m[1]).catch(() => undefined);
  if (!at || at.isExpired || !at.accountId) return undefined;
  const grant = at.grantId ? await t.provider.Grant.find(at.grantId).catch(() => undefined) : undefined;
  return grant ? at : undefined;
}

/**
 * Roles as the new authorization runtime lists them (`SCIMUserManager`, `RoleV2`), audience the tenant's
 * organization; groups as SCIM multi-valued references (RFC 7643 4.1.2).
 * @param {string} base `https://host[/t/<tenant>]` @param {string} tenant @param {any} claims
 */
function rolesAndGroups(base, tenant, claims) {
  const orgId = tenant === SUPER ? SUPER_ORG_ID : nameUuid(`organization:${tenant}`);
  const roles = (Array.isArray(claims.roles) ? claims.roles : []).map((/** @type {string} */ name) => {
    const id = nameUuid(`role:${tenant}:${name}`);
    return { display: name, value: id, $ref: `${base}/scim2/v2/Roles/${id}`, audienceValue: orgId, audienceType: 'organization', audienceDisplay: tenant };
  });
  const groups = (Array.isArray(claims.groups) ? claims.groups : []).map((/** @type {string} */ name) => {
    const id = nameUuid(`group:${tenant}:${name}`);
    return { display: name, value: id, $ref: `${base}/scim2/Groups/${id}` };
  });
  return { ...(roles.length ? { roles } : {}), ...(groups.length ? { groups } : {}) };
}

/**
 * WSO2's `/scim2/Me` body for a user: `emails` as a string array (IS 7.0–7.2), `name`, `id` = the user UUID
 * (= sub), `userName` without `PRIMARY/`, `meta`, roles and groups.
 * @param {string} base @param {string} tenant @param {any} user
 */
export function scimUser(base, tenant, user) {
  const c = user.claims || {};
  const name = {
    ...(c.given_name ? { givenName: c.given_name } : {}),
    ...(c.family_name ? { familyName: c.family_name } : {}),
  };
  return {
    ...(c.email ? { emails: [c.email] } : {}),
    meta: { created: user.created || STARTED, location: `${base}/scim2/Users/${user.id}`, lastModified: user.created || STARTED, resourceType: 'User' },
    schemas: [...USER_SCHEMAS],
    ...rolesAndGroups(base, tenant, c),
    ...(Object.keys(name).length ? { name } : {}),
    id: user.id,
    userName: user.username,
  };
}

/**
 * `GET /scim2/Me`: 401 without a valid token, 403 without the `internal_login` scope, 404 (charon error,
 * "No such user exist") for an account outside the tenant's user store, else 200 `application/scim+json` with
 * `Location: .../scim2/Users/<id>`.
 * @param {import('./state.mjs').LocalIsRuntime} is @param {any} t tenant @param {any} req
 * @param {import('node:http').ServerResponse} res @param {string} rest tenant-relative path
 * @returns {Promise<boolean>} whether it was answered
 */
export async function handleScimMe(is, t, req, res, rest) {
  if (rest !== '/scim2/Me' || req.method !== 'GET') return false;
  const at = await userToken(t, req);
  if (!at) { valveError(res, 401); return true; }
  if (!String(at.scope || '').split(' ').includes('internal_login')) { valveError(res, 403); return true; }
  const user = tenantUserById(is, t.tenant, at.accountId);
  if (!user) {
    send(res, 404, { schemas: [ERROR_SCHEMA], detail: 'No such user exist', status: '404' }, 'application/scim+json');
    return true;
  }
  const base = `${is.origin}${t.prefix}`;
  send(res, 200, scimUser(base, t.tenant, user), 'application/scim+json', { location: `${base}/scim2/Users/${user.id}` });
  return true;
}
