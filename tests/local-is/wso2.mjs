// WSO2 IS 7 conventions shared by several modules: tenants, default lifetimes, the scope → claim table, the
// callback URL rule and tenant-qualified user names. See README.md ("What it mimics") and docs/wso2-is.md.

/** WSO2's super tenant domain. */
export const SUPER = 'carbon.super';
/** The tenants of the stand-in (one oidc-provider each), docs/wso2-is.md ("8. Tenants"). */
export const TENANTS = [SUPER, 'wso2.com'];

/** WSO2 defaults in seconds: access and ID token 3600, refresh token 86400, authorization code 300. */
export const DEFAULT_LIFETIMES = Object.freeze({
  AccessToken: 3600, IdToken: 3600, RefreshToken: 86400, AuthorizationCode: 300,
});

/** WSO2 oidc-scope-config.xml (default); the table is in docs/wso2-is.md ("4. User Attributes tab"). */
export const SCOPE_CLAIMS = Object.freeze({
  openid: ['sub'],
  profile: ['name', 'family_name', 'given_name', 'middle_name', 'nickname', 'preferred_username', 'profile',
    'picture', 'website', 'gender', 'birthdate', 'zoneinfo', 'locale', 'updated_at', 'username'],
  email: ['email', 'email_verified'],
  phone: ['phone_number', 'phone_number_verified'],
  address: ['address'],
  groups: ['groups'],
  roles: ['roles'],
});

/**
 * Path prefix of a tenant: none for the super tenant (URLs WSO2 emits never contain `/t/carbon.super`),
 * `/t/<tenant>` otherwise (docs/wso2-is.md, "8. Tenants").
 * @param {string} tenant
 */
export function tenantPrefix(tenant) {
  return tenant === SUPER ? '' : `/t/${tenant}`;
}

/**
 * WSO2's issuer is the token endpoint URL of the tenant (docs/wso2-is.md, "8. Tenants").
 * @param {string} origin
 * @param {string} tenant
 */
export function issuerFor(origin, tenant) {
  return `${origin}${tenantPrefix(tenant)}/oauth2/token`;
}

/**
 * WSO2 callback rule: literal (exact) or `regexp=<regex>` (whole-string match), used for both redirect_uri and
 * post_logout_redirect_uri (docs/wso2-is.md, "Why the logout URL must be registered").
 * @param {string} registered
 * @param {string} value
 */
export function callbackMatches(registered, value) {
  if (typeof registered !== 'string' || typeof value !== 'string') return false;
  if (registered.startsWith('regexp=')) {
    try { return new RegExp(`^(?:${registered.slice(7)})$`).test(value); } catch { return false; }
  }
  return registered === value;
}

/**
 * Best-effort list of concrete URLs in a callback entry (for oidc-provider's metadata validation only).
 * @param {string} registered
 */
export function callbackUrls(registered) {
  if (!registered.startsWith('regexp=')) return [registered];
  const inner = registered.slice(7).replace(/^\((.*)\)$/, '$1');
  const urls = inner.split('|').map((s) => s.replace(/\\(.)/g, '$1')).filter((s) => URL.canParse(s) && /^[\w:/.\-?=&]+$/.test(s));
  return urls.length ? urls : ['https://localhost:5000/login'];
}

/**
 * A tenant's user store (each WSO2 tenant has its own users).
 * @param {Record<string, any[]>} users seed users per tenant
 * @param {string} tenant
 */
export function usersOf(users, tenant) { return users[tenant] || []; }

/**
 * WSO2 user-store lookup by user name, case-insensitive; a tenant-qualified name (`kim@wso2.com`,
 * `admin@carbon.super`) is accepted in its own tenant (README.md, "Seed data").
 * @param {Record<string, any[]>} users seed users per tenant
 * @param {string} tenant
 * @param {unknown} username
 */
export function findUser(users, tenant, username) {
  let u = String(username || '').trim();
  if (u.toLowerCase().endsWith(`@${tenant}`.toLowerCase()) && tenant !== SUPER) u = u.slice(0, -(tenant.length + 1));
  if (tenant === SUPER && u.toLowerCase().endsWith('@carbon.super')) u = u.slice(0, -'@carbon.super'.length);
  return usersOf(users, tenant).find((x) => x.username.toLowerCase() === u.toLowerCase()
    || String(x.claims?.username || '').toLowerCase() === u.toLowerCase());
}
