/**
 * Auth.js (next-auth 5 beta) configured like myclinic: one generic OIDC provider pointed at the
 * local WSO2 IS stand-in, PKCE + state + nonce, JWT session strategy (an encrypted cookie, no
 * database). The jwt callback keeps what myclinic's session keeps (access, ID and refresh token,
 * expiry, the user's attributes), so both dashboards read the same data from their session.
 *
 * Env (set by bench/lib/peers.mjs): PEER_ISSUER (WSO2's issuer = the token endpoint URL,
 * https://localhost:<port>/oauth2/token; discovery at <issuer>/.well-known/openid-configuration),
 * PEER_CLIENT_ID, PEER_CLIENT_SECRET, AUTH_SECRET, AUTH_URL. The back channel trusts the stand-in's
 * certificate through NODE_EXTRA_CA_CERTS (process-wide, so Auth.js's plain fetch() trusts it).
 */
import NextAuth from 'next-auth'

/** ID token claims that are protocol bookkeeping rather than user attributes. */
const PROTOCOL_CLAIMS = new Set(['iss', 'aud', 'azp', 'exp', 'iat', 'nbf', 'jti', 'nonce', 'at_hash', 'c_hash', 'isk', 'sid', 'amr', 'auth_time', 'acr'])

/** The user's attributes from the validated ID token claims (Auth.js's `profile` for an oidc provider). */
function attributesOf(profile) {
  return Object.fromEntries(Object.entries(profile ?? {}).filter(([k]) => !PROTOCOL_CLAIMS.has(k)))
}

export const { handlers, auth, signIn, signOut } = NextAuth({
  trustHost: true,
  session: { strategy: 'jwt', maxAge: 8 * 60 * 60 },
  providers: [
    {
      id: 'wso2',
      name: 'WSO2 Identity Server',
      type: 'oidc',
      issuer: process.env.PEER_ISSUER,
      clientId: process.env.PEER_CLIENT_ID,
      clientSecret: process.env.PEER_CLIENT_SECRET,
      checks: ['pkce', 'state', 'nonce'],
      authorization: { params: { scope: 'openid profile email' } },
      profile(profile) {
        return { id: profile.sub, name: profile.username ?? profile.preferred_username ?? profile.sub, email: profile.email ?? null }
      },
    },
  ],
  callbacks: {
    /** The guard (middleware.js): a session or the sign-in redirect. */
    authorized({ auth: session }) {
      return Boolean(session?.user)
    },
    /** At sign-in, copy the token set and the attributes into the (encrypted) JWT cookie. */
    jwt({ token, account, profile }) {
      if (account) {
        token.accessToken = account.access_token
        token.idToken = account.id_token
        token.refreshToken = account.refresh_token
        token.expiresAt = account.expires_at
        token.scope = account.scope
        token.attributes = attributesOf(profile)
        token.username = profile?.username ?? profile?.preferred_username ?? token.sub
      }
      return token
    },
    session({ session, token }) {
      session.user.username = token.username
      session.attributes = token.attributes
      session.accessToken = token.accessToken
      session.idToken = token.idToken
      session.expiresAt = token.expiresAt
      return session
    },
  },
})
