/**
 * nextjs-auth0 4 configured like myclinic against the local WSO2 IS stand-in: authorization code
 * with PKCE + state + nonce (the SDK's defaults), its encrypted session cookie (no database).
 *
 * Talking to the stand-in needs two settings the SDK documents for development:
 * - `domain` as a full URL with the path: WSO2's issuer is the token endpoint URL
 *   (https://localhost:<port>/oauth2/token); a bare `localhost:<port>/oauth2/token` is refused
 *   ("Domain cannot contain paths"), and the SDK keeps a path only when given a URL.
 * - `allowInsecureRequests: true`: without it the SDK refuses the hostname `localhost` and drops a
 *   non-default port from the issuer (utils/normalize.js). Every call still goes over HTTPS with
 *   the certificate verified: the stand-in's certificate is trusted through NODE_EXTRA_CA_CERTS.
 *
 * Env (set by bench/lib/peers.mjs): PEER_ISSUER, PEER_CLIENT_ID, PEER_CLIENT_SECRET, PEER_SECRET,
 * PEER_BASE_URL.
 */
import { Auth0Client } from '@auth0/nextjs-auth0/server'

/** ID token claims that are protocol bookkeeping rather than user attributes (as in the Auth.js peer). */
const PROTOCOL_CLAIMS = new Set(['iss', 'aud', 'azp', 'exp', 'iat', 'nbf', 'jti', 'nonce', 'at_hash', 'c_hash', 'isk', 'sid', 'amr', 'auth_time', 'acr'])

export const auth0 = new Auth0Client({
  domain: process.env.PEER_ISSUER,
  clientId: process.env.PEER_CLIENT_ID,
  clientSecret: process.env.PEER_CLIENT_SECRET,
  secret: process.env.PEER_SECRET,
  appBaseUrl: process.env.PEER_BASE_URL,
  allowInsecureRequests: true,
  authorizationParameters: { scope: 'openid profile email' },
  // Keep every user attribute, as myclinic does (the SDK's default keeps only a few standard claims).
  async beforeSessionSaved(session) {
    return { ...session, user: Object.fromEntries(Object.entries(session.user).filter(([k]) => !PROTOCOL_CLAIMS.has(k))) }
  },
  session: { rolling: true, absoluteDuration: 8 * 60 * 60, inactivityDuration: 30 * 60 },
})
