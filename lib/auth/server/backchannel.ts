/**
 * OpenID Connect Back-Channel Logout 1.0: the IS POSTs a `logout_token` when a user's IS session
 * ends (logout elsewhere, an admin terminating sessions). The token arrives from outside, so it is
 * validated in full (section 2.6), signature included, and the IS session it names is revoked.
 *
 * An IS must be able to rely on the answer (section 2.8): 200 once the logout is recorded; 400 for
 * a token that fails validation; 503 when the JWKS, discovery or the store cannot be reached, so the
 * IS retries. The revocation is recorded before the `jti`, so a retry after a store failure is not
 * refused as a replay.
 *
 * Node only.
 *
 * @see https://openid.net/specs/openid-connect-backchannel-1_0.html#Validation
 */
import 'server-only'
import { decodeProtectedHeader, type JWTPayload } from 'jose'
import { AuthError, isAuthError } from '../errors'
import type { AuthContext } from './context'
import { MAX_CLOCK_SKEW, verifyWithJwks } from './id-token'
import { classify } from './library-errors'
import { keys, revokeIsSession } from './revocation'

export const BACKCHANNEL_EVENT = 'http://schemas.openid.net/event/backchannel-logout'
/** Logout tokens older than this are refused (WSO2 makes them valid for 2 minutes). */
export const MAX_LOGOUT_TOKEN_AGE = 300
/** Largest request body accepted, in bytes. */
export const MAX_LOGOUT_BODY = 32 * 1024

/** The claims a valid logout token carries. */
export interface LogoutTokenClaims {
  iss: string
  sub?: string
  sid?: string
  jti: string
  iat: number
}

function invalid(detail: string, cause?: unknown): AuthError {
  return new AuthError('logout_token_invalid', detail, { cause })
}

/**
 * Reads an `application/x-www-form-urlencoded` body of at most `max` bytes without buffering more:
 * a declared length over the limit is refused before reading, and the stream is cut at the limit.
 *
 * @param request - The request.
 * @param max - Byte limit.
 * @returns The form fields.
 * @throws {AuthError} `request_too_large`, or `logout_token_invalid` for another content type.
 */
export async function readSmallForm(request: Request, max = MAX_LOGOUT_BODY): Promise<URLSearchParams> {
  const type = (request.headers.get('content-type') ?? '').split(';')[0].trim().toLowerCase()
  if (type !== 'application/x-www-form-urlencoded') throw invalid('expected a form body')
  const declared = Number(request.headers.get('content-length') ?? NaN)
  if (Number.isFinite(declared) && declared > max) throw new AuthError('request_too_large', `body of ${declared} bytes`)
  const reader = request.body?.getReader()
  const chunks: Uint8Array[] = []
  let total = 0
  while (reader) {
    const { done, value } = await reader.read()
    if (done) break
    total += value.byteLength
    if (total > max) {
      await reader.cancel().catch(() => {})
      throw new AuthError('request_too_large', `body over ${max} bytes`)
    }
    chunks.push(value)
  }
  const bytes = new Uint8Array(total)
  let offset = 0
  for (const chunk of chunks) {
    bytes.set(chunk, offset)
    offset += chunk.byteLength
  }
  return new URLSearchParams(new TextDecoder().decode(bytes))
}

function checkTyp(token: string): void {
  let header: ReturnType<typeof decodeProtectedHeader>
  try {
    header = decodeProtectedHeader(token)
  } catch (error) {
    throw invalid('not a JWT', error)
  }
  // 2.6 step 2: explicit typing, when present, must say logout+jwt (so an ID token cannot pass as one).
  const typ: unknown = header.typ
  if (typ === undefined) return
  if (typeof typ !== 'string' || typ.toLowerCase().replace(/^application\//, '') !== 'logout+jwt') throw invalid('unexpected typ')
}

/**
 * Validates a logout token per section 2.6.
 *
 * @param ctx - The context.
 * @param token - The `logout_token`.
 * @returns Its claims.
 * @throws {AuthError} `logout_token_invalid`, or a transient `idp_*` code.
 */
export async function validateLogoutToken(ctx: AuthContext, token: string): Promise<LogoutTokenClaims> {
  checkTyp(token)
  const as = await ctx.discovery.get()
  let payload: JWTPayload
  try {
    // Step 3 (signature, alg pinned so none/HS256 never pass) and step 4 (iss, aud, iat, exp).
    ;({ payload } = await verifyWithJwks(token, ctx.jwks(as), {
      algorithms: ['RS256'],
      issuer: as.issuer,
      audience: ctx.config.clientId,
      requiredClaims: ['iat', 'exp', 'jti'],
      maxTokenAge: MAX_LOGOUT_TOKEN_AGE,
      clockTolerance: 30,
    }))
  } catch (error) {
    throw classify(error, 'logout_token').error
  }
  // Step 5: sub or sid (or both).
  const sub = typeof payload.sub === 'string' && payload.sub ? payload.sub : undefined
  const sid = typeof payload.sid === 'string' && payload.sid ? payload.sid : undefined
  if (!sub && !sid) throw invalid('neither sub nor sid')
  // Step 6: the events claim holds the back-channel logout event, whose value is an object.
  const events = payload.events
  const event = events && typeof events === 'object' && !Array.isArray(events) ? (events as Record<string, unknown>)[BACKCHANNEL_EVENT] : undefined
  if (!event || typeof event !== 'object' || Array.isArray(event)) throw invalid('events claim missing the back-channel logout event')
  // Step 7: a logout token must not carry a nonce (so an ID token cannot be replayed as one).
  if ('nonce' in payload) throw invalid('nonce present')
  if (typeof payload.jti !== 'string' || !payload.jti || payload.jti.length > 256) throw invalid('jti missing')
  return { iss: payload.iss!, sub, sid, jti: payload.jti, iat: payload.iat! }
}

/**
 * Validates the token, refuses a replayed `jti` (step 8) and revokes the IS session: by `sid`
 * when present, else every session of `sub` that began before the logout.
 *
 * @param ctx - The context.
 * @param token - The `logout_token`.
 * @returns Its claims.
 * @throws {AuthError} `logout_token_invalid` (400) or a transient code (503).
 */
export async function handleLogoutToken(ctx: AuthContext, token: string): Promise<LogoutTokenClaims> {
  const claims = await validateLogoutToken(ctx, token)
  const jtiKey = keys.jti(claims.iss, claims.jti)
  try {
    if ((await ctx.state.get(jtiKey)) !== null) throw invalid('jti replayed')
    await revokeIsSession(ctx, claims, MAX_CLOCK_SKEW)
    await ctx.state.setIfAbsent(jtiKey, '1', MAX_LOGOUT_TOKEN_AGE * 2)
  } catch (error) {
    if (isAuthError(error)) throw error
    throw new AuthError('store_unavailable', (error as Error)?.message, { cause: error })
  }
  return claims
}
