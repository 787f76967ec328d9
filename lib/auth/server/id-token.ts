/**
 * ID token checks beyond oauth4webapi's claim validation: the RS256 signature against the IS's
 * JWKS (oauth4webapi skips it for tokens from the token endpoint, which OIDC Core 3.1.3.7 step 6
 * allows; verifying anyway means a token altered in transit never makes a session), the `sub` shape,
 * the `iat` recency policy, and the `acr` a step-up asked for.
 *
 * Node only.
 *
 * @see https://openid.net/specs/openid-connect-core-1_0.html#IDTokenValidation
 */
import 'server-only'
import { errors as joseErrors, jwtVerify, type createRemoteJWKSet, type JWTVerifyOptions, type JWTVerifyResult } from 'jose'
import type * as oauth from 'oauth4webapi'
import { AuthError } from '../errors'
import { nowSeconds } from '../session'
import type { AuthContext } from './context'
import { classify } from './library-errors'

/** How far in the past an ID token's `iat` may be: the code just came back. */
export const MAX_ID_TOKEN_AGE = 300
/** How far in the future `iat` may be: clock skew only. */
export const MAX_CLOCK_SKEW = 60

/**
 * jwtVerify against the remote JWKS, trying each candidate key when the token names no `kid` and
 * the JWKS holds several keys for its algorithm (jose leaves that loop to the caller). A key that
 * verifies but whose claims fail still fails.
 *
 * @param token - A compact JWS.
 * @param jwks - The remote JWKS.
 * @param options - jose verify options (algorithms pinned by the caller).
 * @returns The verified result.
 */
export async function verifyWithJwks(token: string, jwks: ReturnType<typeof createRemoteJWKSet>, options: JWTVerifyOptions): Promise<JWTVerifyResult> {
  try {
    return await jwtVerify(token, jwks, options)
  } catch (error) {
    if ((error as { code?: unknown })?.code !== 'ERR_JWKS_MULTIPLE_MATCHING_KEYS') throw error
    for await (const key of error as unknown as AsyncIterable<CryptoKey>) {
      try {
        return await jwtVerify(token, key, options)
      } catch (attempt) {
        if ((attempt as { code?: unknown })?.code !== 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED') throw attempt
      }
    }
    throw new joseErrors.JWSSignatureVerificationFailed()
  }
}

/**
 * Verifies the ID token's RS256 signature, issuer and audience. jose refetches the JWKS once on an
 * unknown `kid` (key rotation).
 *
 * @param ctx - The context.
 * @param as - The discovery document.
 * @param idToken - The ID token.
 * @throws {AuthError} `id_token_invalid`, or `idp_*` when the JWKS cannot be had.
 */
export async function verifyIdTokenSignature(ctx: AuthContext, as: oauth.AuthorizationServer, idToken: string): Promise<void> {
  try {
    await verifyWithJwks(idToken, ctx.jwks(as), { algorithms: ['RS256'], issuer: as.issuer, audience: ctx.config.clientId, clockTolerance: 30 })
  } catch (error) {
    throw classify(error, 'id_token').error
  }
}

/**
 * Checks oauth4webapi leaves to the app: `sub` is a non-empty string of at most 255 characters
 * (OIDC Core 2); `iat` is recent and not in the future (code-flow tokens are minted on the spot).
 *
 * @param claims - Validated claims.
 * @param now - Seconds.
 * @throws {AuthError} `id_token_invalid`.
 */
export function checkIdTokenPolicy(claims: oauth.IDToken, now = nowSeconds()): void {
  if (typeof claims.sub !== 'string' || claims.sub.length === 0 || claims.sub.length > 255) {
    throw new AuthError('id_token_invalid', 'sub must be a non-empty string of at most 255 characters')
  }
  if (typeof claims.iat !== 'number') throw new AuthError('id_token_invalid', 'iat missing')
  if (claims.iat > now + MAX_CLOCK_SKEW) throw new AuthError('id_token_invalid', 'iat is in the future')
  if (claims.iat < now - MAX_ID_TOKEN_AGE) throw new AuthError('id_token_invalid', 'iat is too old')
  if (claims.auth_time !== undefined && (!Number.isFinite(claims.auth_time) || claims.auth_time > now + MAX_CLOCK_SKEW)) {
    throw new AuthError('id_token_invalid', 'auth_time is not a past time')
  }
}

/**
 * When a login asked for `acr_values`, the ID token's `acr` must be one of them (OIDC Core 3.1.2.1
 * leaves honouring them to the IS; the RP that needs a level checks it, step 12 of 3.1.3.7).
 *
 * @param claims - Validated claims.
 * @param acrValues - The space-separated values requested, if any.
 * @throws {AuthError} `step_up_failed`.
 */
export function checkAcr(claims: oauth.IDToken, acrValues: string | undefined): void {
  if (!acrValues) return
  const wanted = acrValues.split(' ').filter(Boolean)
  if (typeof claims.acr !== 'string' || !wanted.includes(claims.acr)) {
    throw new AuthError('step_up_failed', `acr ${typeof claims.acr === 'string' ? `"${claims.acr.slice(0, 40)}"` : 'missing'} is not one of the requested values`)
  }
}
