// WSO2's local claim URIs for the OIDC claims the stand-in's users carry, and the "User Attributes" rule: an
// application releases only the attributes in its claim configuration (requestedClaims). Source: the OIDC
// dialect of carbon-identity-framework's claim-config.xml, as quoted in /tmp/research/R1-wso2-management.md §2.6.

/** OIDC claim → WSO2 local claim URI (dialect `http://wso2.org/oidc/claim`). */
export const LOCAL_CLAIM_URIS = Object.freeze({
  given_name: 'http://wso2.org/claims/givenname',
  family_name: 'http://wso2.org/claims/lastname',
  email: 'http://wso2.org/claims/emailaddress',
  email_verified: 'http://wso2.org/claims/identity/emailVerified',
  username: 'http://wso2.org/claims/username',
  preferred_username: 'http://wso2.org/claims/displayName',
  name: 'http://wso2.org/claims/fullname',
  roles: 'http://wso2.org/claims/roles',
  groups: 'http://wso2.org/claims/groups',
});

/** @type {Map<string, string>} */
const OIDC_BY_URI = new Map(Object.entries(LOCAL_CLAIM_URIS).map(([oidc, uri]) => [uri, oidc]));

/**
 * OIDC claim names released for a list of requested local claim URIs (URIs without an OIDC mapping release
 * nothing).
 * @param {string[]} uris
 * @returns {string[]}
 */
export function oidcClaimsFor(uris) {
  return uris.map((u) => OIDC_BY_URI.get(u)).filter((c) => typeof c === 'string');
}

/**
 * The user claims an application may release. Client options without `requested_claims` (the seed clients,
 * configured "with every attribute selected") release all of them; otherwise only the requested ones, as WSO2
 * releases only the attributes selected on the application's User Attributes tab.
 * @param {{ requested_claims?: string[] } | undefined} copts client options (state.mjs)
 * @param {Record<string, unknown>} claims the user's claims
 */
export function releasableClaims(copts, claims) {
  if (!copts || !Array.isArray(copts.requested_claims)) return { ...claims };
  const allowed = new Set(copts.requested_claims);
  return Object.fromEntries(Object.entries(claims).filter(([k]) => allowed.has(k)));
}
