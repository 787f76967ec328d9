/**
 * Readable names and values for OpenID Connect claims: `given_name` → "Given name",
 * `emailVerified` → "Email verified", `sub` → "Subject". Shared by the attributes table and the
 * decoded ID token on the dashboard. Pure functions, safe on the server and the client.
 */

/** Registered and common claims whose snake_case name does not read well on its own. */
const KNOWN: Record<string, string> = {
  sub: 'Subject',
  iss: 'Issuer',
  aud: 'Audience',
  exp: 'Expires',
  iat: 'Issued at',
  nbf: 'Not before',
  jti: 'Token ID',
  azp: 'Authorized party',
  amr: 'Authentication methods',
  acr: 'Authentication context',
  auth_time: 'Authenticated at',
  at_hash: 'Access token hash',
  c_hash: 'Code hash',
  s_hash: 'State hash',
  sid: 'Session ID',
  isk: 'IS session key',
  nonce: 'Nonce',
  upn: 'User principal name',
  org_id: 'Organization ID',
  org_name: 'Organization name',
  org_handle: 'Organization handle',
  preferred_username: 'Preferred username',
  updated_at: 'Updated at',
  zoneinfo: 'Time zone',
  locale: 'Locale',
}

/** Words that are written in capitals when they stand alone. */
const ACRONYMS: Record<string, string> = { id: 'ID', url: 'URL', uri: 'URI', uuid: 'UUID', ip: 'IP', sso: 'SSO', oidc: 'OIDC', mfa: 'MFA' }

/** Claims that hold a time as seconds since the epoch (OIDC Core 2, 5.1). */
export const TIME_CLAIMS = new Set(['exp', 'iat', 'nbf', 'auth_time', 'updated_at'])

/** `given_name` → "Given name", `emailVerified` → "Email verified", `phone-number` → "Phone number". */
export function claimLabel(claim: string): string {
  const known = KNOWN[claim]
  if (known) return known
  // A URI-named claim (http://wso2.org/claims/…) reads best by its last segment.
  const name = /^[a-z][a-z0-9+.-]*:\/\//i.test(claim) ? claim.replace(/\/+$/, '').split('/').pop() || claim : claim
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .split(/[\s_.-]+/)
    .filter(Boolean)
    .map((word) => word.toLowerCase())
  if (!words.length) return claim
  const text = words.map((word, i) => ACRONYMS[word] ?? (i === 0 ? word.charAt(0).toUpperCase() + word.slice(1) : word)).join(' ')
  return text
}

/** A claim value as text: arrays joined with commas, objects as JSON, booleans as Yes/No. */
export function claimValue(value: unknown): string {
  if (Array.isArray(value)) return value.map((v) => claimValue(v)).join(', ')
  if (typeof value === 'boolean') return value ? 'Yes' : 'No'
  if (typeof value === 'object' && value !== null) return JSON.stringify(value)
  return String(value)
}
