// The user directory of the local IS: each tenant's user store (seed users plus self-registered ones), the
// (B2B) organizations under a root tenant with their own users, and the federated accounts a root tenant
// keeps for organization users who logged in through "Organization SSO" (README.md, "Organization login").
import * as crypto from 'node:crypto';

import { findUser, usersOf } from './wso2.mjs';

/**
 * @typedef {import('./state.mjs').LocalIsRuntime} Runtime
 * @typedef {import('./seed/index.mjs').SeedUser & { created?: string }} User
 * @typedef {import('./seed/index.mjs').SeedOrganization} Organization
 */

/**
 * A tenant's user store: the seeded users, then those created by self-registration (each WSO2 tenant has its
 * own user store; docs/wso2-is.md "Tenants"; self-registration: identity-apps self-registration-process.jsp).
 * @param {Runtime} is @param {string} tenant
 * @returns {User[]}
 */
export function tenantUsers(is, tenant) {
  return [...usersOf(is.seed.users, tenant), ...(is.state.registeredUsers.get(tenant) || [])];
}

/**
 * WSO2 user-store lookup by user name in a tenant (case-insensitive, tenant-qualified names accepted), as the
 * BasicAuthenticator checks credentials (wso2-extensions/identity-local-auth-basicauth).
 * @param {Runtime} is @param {string} tenant @param {unknown} username
 */
export function findTenantUser(is, tenant, username) {
  return findUser({ [tenant]: tenantUsers(is, tenant) }, tenant, username);
}

/**
 * A tenant's user by its UUID, which WSO2 IS 6+ uses as `sub` and as the SCIM `id` (docs/wso2-is.md "sub").
 * @param {Runtime} is @param {string} tenant @param {string} id
 */
export function tenantUserById(is, tenant, id) {
  return tenantUsers(is, tenant).find((u) => u.id === id);
}

/**
 * The organizations under a root tenant (organizations.json), as WSO2's organization management keeps
 * sub-organizations of a root organization (docs-is guides/organization-management).
 * @param {Runtime} is @param {string} tenant
 * @returns {Organization[]}
 */
export function organizationsOf(is, tenant) {
  return is.seed.organizations?.[tenant] || [];
}

/**
 * Finds an organization by id, handle or name, as `OrganizationAuthenticator` resolves `orgId`, `orgHandle`
 * and `org` (wso2-extensions/identity-auth-organization-login, OrganizationAuthenticator.java). Names and
 * handles compare case-insensitively.
 * @param {Runtime} is @param {string} tenant @param {{ id?: string, handle?: string, name?: string }} by
 */
export function findOrganization(is, tenant, by) {
  const eq = (/** @type {unknown} */ a, /** @type {unknown} */ b) => String(a).toLowerCase() === String(b).toLowerCase();
  return organizationsOf(is, tenant).find((o) => (by.id !== undefined && o.id === by.id)
    || (by.handle !== undefined && eq(o.handle, by.handle))
    || (by.name !== undefined && eq(o.name, by.name)));
}

/**
 * The federated account of an organization user in the root tenant. WSO2 gives federated users a generated
 * UUID (`DefaultStepHandler`, stored in `IDN_AUTH_USER`; product-is#21828): here a UUID derived from the
 * organization and user ids, so it is stable across logins and restarts.
 * @param {Runtime} is @param {Organization} org @param {User} user
 */
export function federatedAccount(is, org, user) {
  const h = crypto.createHash('sha256').update(`federated:${org.id}:${user.id}`).digest('hex');
  const sub = `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${'89ab'[parseInt(h[16], 16) % 4]}${h.slice(17, 20)}-${h.slice(20, 32)}`;
  is.state.federatedAccounts.set(sub, { orgId: org.id, userId: user.id });
  return sub;
}

/**
 * Resolves a federated sub back to its organization and user (WSO2 maps the generated federated user id to the
 * IdP user in `IDN_AUTH_USER`; carbon-identity-framework UserSessionStore).
 * @param {Runtime} is @param {string} tenant @param {string} sub
 * @returns {{ org: Organization, user: User } | undefined}
 */
export function federatedUser(is, tenant, sub) {
  const f = is.state.federatedAccounts.get(sub);
  const org = f && organizationsOf(is, tenant).find((o) => o.id === f.orgId);
  const user = org?.users.find((u) => u.id === f.userId);
  return org && user ? { org, user } : undefined;
}

/**
 * An account of a tenant as oidc-provider's `findAccount` sees it: a local user or a federated organization
 * user, whose attributes WSO2 releases by its scope table (oidc-scope-config.xml, docs/wso2-is.md).
 * @param {Runtime} is @param {string} tenant @param {string} sub
 * @returns {{ user: User, org?: Organization } | undefined}
 */
export function accountOf(is, tenant, sub) {
  const user = tenantUserById(is, tenant, sub);
  if (user) return { user };
  return federatedUser(is, tenant, sub);
}

/**
 * Adds a self-registered user to a tenant's store (WSO2's self-register API, called by
 * self-registration-process.jsp; here in memory, until `DELETE /__test/reset`).
 * @param {Runtime} is @param {string} tenant @param {{ username: string, password: string, claims: Record<string, unknown> }} u
 */
export function addTenantUser(is, tenant, u) {
  const user = { id: crypto.randomUUID(), username: u.username, password: u.password, claims: u.claims, created: new Date().toISOString() };
  const list = is.state.registeredUsers.get(tenant) || [];
  list.push(user);
  is.state.registeredUsers.set(tenant, list);
  return user;
}
