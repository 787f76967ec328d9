/**
 * OpenID Connect Back-Channel Logout 1.0: the IS POSTs a logout_token when a user's IS session
 * ends (logout elsewhere, an admin terminating sessions). The token arrives from outside, so it is
 * validated in full (section 2.6) — signature included, unlike ID tokens from the token endpoint —
 * and the IS session it names is revoked for every app session that belongs to it.
 *
 * Node only.
 */
import 'server-only'
import { decodeProtectedHeader, type JWTPayload } from 'jose'
import { AuthError } from './errors'
import { verifyWithJwks, type FlowContext } from './login'
import { keys, type RevocationStore } from './revocation'

export const BACKCHANNEL_EVENT = 'http://schemas.openid.net/event/backchannel-logout'
/** Logout tokens older than this are refused (WSO2 makes them valid for 2 minutes). */
export const MAX_LOGOUT_TOKEN_AGE = 300

export interface LogoutTokenClaims {
  iss: string
  sub?: string
  sid?: string
  jti: string
  iat: number
}

function invalid(detail: string, cause?: unknown): AuthError {
  return new AuthError('callback_invalid', `logout_token: ${detail}`, { cause })
}

/** Validates a logout token per Back-Channel Logout 1.0 section 2.6. Throws AuthError. */
export async function validateLogoutToken(ctx: FlowContext, token: string): Promise<LogoutTokenClaims> {
  const as = await ctx.discovery.get()
  let header: ReturnType<typeof decodeProtectedHeader>
  try {
    header = decodeProtectedHeader(token)
  } catch (error) {
    throw invalid('not a JWT', error)
  }
  // 2.6 step 2: explicit typing, when the IS uses it, must say logout+jwt (so an ID token cannot pass as one).
  if (header.typ !== undefined && header.typ.toLowerCase().replace(/^application\//, '') !== 'logout+jwt') {
    throw invalid(`unexpected typ "${header.typ}"`)
  }
  let payload: JWTPayload
  try {
    // 2.6 step 3 (signature, alg pinned so none/HS256 never pass) and step 4 (iss, aud, iat, exp).
    ;({ payload } = await verifyWithJwks(token, ctx.jwks(as), {
      algorithms: ['RS256'],
      issuer: as.issuer,
      audience: ctx.config.clientId,
      requiredClaims: ['iat', 'exp', 'jti'],
      maxTokenAge: MAX_LOGOUT_TOKEN_AGE,
      clockTolerance: 30,
    }))
  } catch (error) {
    if (error instanceof AuthError) throw error
    throw invalid((error as Error).message, error)
  }
  // 2.6 step 5: sub or sid (or both).
  const sub = typeof payload.sub === 'string' && payload.sub ? payload.sub : undefined
  const sid = typeof payload.sid === 'string' && payload.sid ? payload.sid : undefined
  if (!sub && !sid) throw invalid('neither sub nor sid')
  // 2.6 step 6: the events claim holds the back-channel logout event, whose value is an object.
  const events = payload.events as Record<string, unknown> | undefined
  const event = events && typeof events === 'object' ? events[BACKCHANNEL_EVENT] : undefined
  if (!event || typeof event !== 'object' || Array.isArray(event)) throw invalid('events claim missing the back-channel logout event')
  // 2.6 step 7: a logout token must not carry a nonce (so an ID token cannot be replayed as one).
  if ('nonce' in payload) throw invalid('nonce present')
  if (typeof payload.jti !== 'string' || !payload.jti) throw invalid('jti missing')
  return { iss: payload.iss!, sub, sid, jti: payload.jti, iat: payload.iat! }
}

/**
 * Validates the token, refuses a replayed jti (2.6 step 8, optional in the spec) and revokes the
 * IS session: by sid when present, else every session of sub that began before the token.
 */
export async function handleLogoutToken(
  ctx: FlowContext,
  store: RevocationStore,
  token: string,
  sessionTtl: number,
): Promise<LogoutTokenClaims> {
  const claims = await validateLogoutToken(ctx, token)
  const fresh = await store.setIfAbsent(keys.jti(claims.iss, claims.jti), '1', MAX_LOGOUT_TOKEN_AGE * 2)
  if (!fresh) throw invalid('jti replayed')
  if (claims.sid) await store.set(keys.sid(claims.iss, claims.sid), '1', sessionTtl)
  else await store.set(keys.sub(claims.iss, claims.sub!), String(claims.iat), sessionTtl)
  return claims
}
