/**
 * The OIDC authorization code flow (OIDC Core 3.1) as two framework-agnostic steps over
 * oauth4webapi: {@link startLogin} builds the authorization request and the transaction to keep,
 * {@link completeLogin} validates the callback and returns the session to store.
 *
 * Node only: it calls the IS through the certificate-trusting fetch.
 */
import 'server-only'
import * as oauth from 'oauth4webapi'
import { createRemoteJWKSet, customFetch as joseCustomFetch, errors as joseErrors, jwtVerify, type JWTVerifyOptions, type JWTVerifyResult } from 'jose'
import type { AuthConfig } from './config'
import type { DiscoveryCache, Provider } from './discovery'
import { AuthError, isAuthError, type AuthErrorCode } from './errors'
import type { AuthFetch } from './http'
import { nowSeconds, type SessionData, type SessionUser } from './session'
import type { Transaction } from './transaction'

export interface FlowContext {
  config: AuthConfig
  fetch: AuthFetch
  discovery: DiscoveryCache
  provider: Pick<Provider, 'client' | 'clientAuth'>
  jwks: (as: oauth.AuthorizationServer) => ReturnType<typeof createRemoteJWKSet>
}

/** How far in the past an ID token's `iat` may be (the code just came back; rp-security ID-06 POLICY). */
export const MAX_ID_TOKEN_AGE = 300
/** How far in the future `iat` may be: clock skew only. */
export const MAX_CLOCK_SKEW = 60

/** Claims that describe the token, not the user: never shown as user attributes. */
const PROTOCOL_CLAIMS = new Set([
  'iss', 'sub', 'aud', 'azp', 'exp', 'iat', 'nbf', 'jti', 'nonce', 'at_hash', 'c_hash', 's_hash',
  'auth_time', 'acr', 'amr', 'sid', 'isk', 'realm', 'typ', 'cnf',
])

function fetchOptions(ctx: FlowContext) {
  return { [oauth.customFetch]: ctx.fetch as typeof fetch }
}

/** One remote JWKS per jwks_uri for the life of the process; jose refetches on an unknown kid (with a 5 s cooldown). */
export function createJwksCache(fetch: AuthFetch) {
  const sets = new Map<string, ReturnType<typeof createRemoteJWKSet>>()
  return (as: oauth.AuthorizationServer) => {
    const uri = as.jwks_uri!
    let set = sets.get(uri)
    if (!set) {
      set = createRemoteJWKSet(new URL(uri), {
        [joseCustomFetch]: fetch as never,
        cacheMaxAge: 10 * 60 * 1000,
        // An unknown kid triggers at most one JWKS fetch per 5 s, however many tokens carry one
        // (back-channel logout tokens can be posted by anyone; rp-security DK-04).
        cooldownDuration: 5 * 1000,
      })
      sets.set(uri, set)
    }
    return set
  }
}

export interface LoginStart {
  authorizationUrl: URL
  transaction: Transaction
}

/**
 * Builds the authorization request: PKCE S256 (RFC 7636; RFC 9700 2.1.1), a fresh state and nonce
 * per attempt, and WSO2's redirect_uri. `returnTo` must already be a safe same-origin path.
 */
export async function startLogin(ctx: FlowContext, returnTo: string): Promise<LoginStart> {
  const as = await ctx.discovery.get()
  const codeVerifier = oauth.generateRandomCodeVerifier()
  const transaction: Transaction = {
    state: oauth.generateRandomState(),
    nonce: oauth.generateRandomNonce(),
    codeVerifier,
    returnTo,
    createdAt: nowSeconds(),
  }
  const url = new URL(as.authorization_endpoint!)
  url.searchParams.set('response_type', 'code')
  url.searchParams.set('client_id', ctx.config.clientId)
  url.searchParams.set('redirect_uri', ctx.config.loginCallbackUrl)
  url.searchParams.set('scope', ctx.config.scope)
  url.searchParams.set('state', transaction.state)
  url.searchParams.set('nonce', transaction.nonce)
  url.searchParams.set('code_challenge', await oauth.calculatePKCECodeChallenge(codeVerifier))
  url.searchParams.set('code_challenge_method', 'S256')
  return { authorizationUrl: url, transaction }
}

/** The IS's `error=` codes that have a page of their own; the rest become `idp_error`. */
const IDP_ERROR_CODES = { access_denied: 'access_denied', login_required: 'login_required' } as const

/**
 * Parameters that only a front-channel token flow (RFC 9700 4.6) or a JARM response would carry: a
 * plain code-flow callback with any of them, even empty, is forged.
 */
const TOKEN_PARAMETERS = ['access_token', 'id_token', 'token_type', 'expires_in', 'refresh_token', 'response']

/** Step 1: the authorization response (RFC 6749 4.1.2, RFC 9207 2.4), checked before any back-channel call. */
export function validateCallback(as: oauth.AuthorizationServer, ctx: FlowContext, url: URL, txn: Transaction): URLSearchParams {
  for (const name of new Set(url.searchParams.keys())) {
    // RFC 6749 3.1: request and response parameters MUST NOT be included more than once.
    if (url.searchParams.getAll(name).length > 1) throw new AuthError('callback_invalid', `parameter "${name}" repeated`)
  }
  if (TOKEN_PARAMETERS.some((name) => url.searchParams.has(name))) {
    throw new AuthError('callback_invalid', 'token parameters in a code-flow callback')
  }
  // An `error` parameter makes this an error response (RFC 6749 4.1.2.1), even when it is empty;
  // oauth4webapi would skip an empty one and redeem the code.
  if (url.searchParams.has('error') && !url.searchParams.get('error')) {
    throw new AuthError('callback_invalid', 'empty error parameter')
  }
  try {
    return oauth.validateAuthResponse(as, ctx.provider.client, url, txn.state)
  } catch (error) {
    if (error instanceof oauth.AuthorizationResponseError) {
      const code: AuthErrorCode = IDP_ERROR_CODES[error.error as keyof typeof IDP_ERROR_CODES] ?? 'idp_error'
      throw new AuthError(code, `IS returned error=${error.error}`, { cause: error })
    }
    if (error instanceof oauth.OperationProcessingError) {
      const message = error.message
      if (/"state"/.test(message)) throw new AuthError('state_mismatch', message, { cause: error })
      if (/"iss"/.test(message)) throw new AuthError('issuer_mismatch', message, { cause: error })
      throw new AuthError('callback_invalid', message, { cause: error })
    }
    if (error instanceof oauth.UnsupportedOperationError || error instanceof TypeError) {
      throw new AuthError('callback_invalid', (error as Error).message, { cause: error })
    }
    throw error
  }
}

/** Maps a failure at the token, userinfo or JWKS step to a coded error. */
function backchannelError(error: unknown, step: 'token' | 'id_token' | 'userinfo'): AuthError {
  if (isAuthError(error)) return error
  if (error instanceof oauth.ResponseBodyError) {
    // OAuth error JSON (RFC 6749 5.2). 5xx with an error body is the IS failing, not the request.
    if (error.status >= 500) return new AuthError('idp_error', `${step}: ${error.error}`, { cause: error })
    if (step === 'userinfo') return new AuthError('idp_error', `userinfo: ${error.error}`, { cause: error })
    return new AuthError('token_exchange_failed', `${step}: ${error.error}`, { cause: error })
  }
  if (error instanceof oauth.WWWAuthenticateChallengeError) {
    // At userinfo this means the IS no longer accepts the access token it just issued (for example it
    // revoked the grant because the code was redeemed twice): the sign-in cannot complete.
    return new AuthError('token_exchange_failed', `${step}: WWW-Authenticate challenge`, { cause: error })
  }
  if (error instanceof oauth.OperationProcessingError) {
    const code = error.code
    if (code === oauth.RESPONSE_IS_NOT_CONFORM) {
      const status = (error.cause as Response | undefined)?.status
      return new AuthError('idp_error', `${step}: unexpected HTTP status ${status ?? ''}`.trim(), { cause: error })
    }
    if (code === oauth.PARSE_ERROR || code === oauth.RESPONSE_IS_NOT_JSON || code === oauth.INVALID_RESPONSE) {
      if (step === 'token' && /id_token|JWT/i.test(error.message)) {
        return new AuthError('id_token_invalid', error.message, { cause: error })
      }
      return new AuthError(step === 'userinfo' ? 'userinfo_invalid' : 'idp_bad_response', `${step}: ${error.message}`, { cause: error })
    }
    if (code === oauth.JSON_ATTRIBUTE_COMPARISON && step === 'userinfo') {
      return new AuthError('userinfo_invalid', error.message, { cause: error })
    }
    return new AuthError(step === 'userinfo' ? 'userinfo_invalid' : 'id_token_invalid', error.message, { cause: error })
  }
  if (error instanceof oauth.UnsupportedOperationError) {
    return new AuthError(step === 'userinfo' ? 'userinfo_invalid' : 'id_token_invalid', error.message, { cause: error })
  }
  if (error instanceof TypeError) {
    return new AuthError(step === 'userinfo' ? 'userinfo_invalid' : 'idp_bad_response', error.message, { cause: error })
  }
  return new AuthError('internal_error', (error as Error)?.message, { cause: error })
}

/**
 * Checks oauth4webapi leaves to the app (rp-security section 2):
 * - `sub` is a non-empty string of at most 255 characters (OIDC Core 2);
 * - `iat` is recent and not in the future (ID-06 policy: code-flow tokens are minted on the spot).
 */
export function checkIdTokenPolicy(claims: oauth.IDToken, now = nowSeconds()): void {
  if (typeof claims.sub !== 'string' || claims.sub.length === 0 || claims.sub.length > 255) {
    throw new AuthError('id_token_invalid', 'sub must be a non-empty string of at most 255 characters')
  }
  if (typeof claims.iat !== 'number') throw new AuthError('id_token_invalid', 'iat missing')
  if (claims.iat > now + MAX_CLOCK_SKEW) throw new AuthError('id_token_invalid', 'iat is in the future')
  if (claims.iat < now - MAX_ID_TOKEN_AGE) throw new AuthError('id_token_invalid', 'iat is too old')
}

/**
 * jwtVerify against the remote JWKS, trying each candidate key when the token names no `kid` and
 * the JWKS holds several keys for its algorithm (jose leaves that loop to the caller;
 * rp-security DK-05 b). A key that verifies but whose claims fail still fails.
 */
export async function verifyWithJwks(
  token: string,
  jwks: ReturnType<typeof createRemoteJWKSet>,
  options: JWTVerifyOptions,
): Promise<JWTVerifyResult> {
  try {
    return await jwtVerify(token, jwks, options)
  } catch (error) {
    if (!(error instanceof joseErrors.JWKSMultipleMatchingKeys)) throw error
    for await (const key of error as unknown as AsyncIterable<CryptoKey>) {
      try {
        return await jwtVerify(token, key, options)
      } catch (attempt) {
        if (!(attempt instanceof joseErrors.JWSSignatureVerificationFailed)) throw attempt
      }
    }
    throw new joseErrors.JWSSignatureVerificationFailed()
  }
}

/**
 * Verifies the ID token's signature against the IS's JWKS with the algorithm pinned to RS256.
 * oauth4webapi skips this for tokens from the token endpoint (OIDC Core 3.1.3.7 step 6 allows
 * relying on TLS); we verify anyway as defence in depth (rp-security ID-10), so a token forged or
 * altered in transit never creates a session. jose refetches the JWKS once on an unknown kid
 * (OIDC Core 10.1.1 key rotation).
 */
export async function verifyIdTokenSignature(ctx: FlowContext, as: oauth.AuthorizationServer, idToken: string): Promise<void> {
  try {
    await verifyWithJwks(idToken, ctx.jwks(as), {
      algorithms: ['RS256'],
      issuer: as.issuer,
      audience: ctx.config.clientId,
      clockTolerance: 30,
    })
  } catch (error) {
    if (isAuthError(error)) throw error
    if (error instanceof joseErrors.JWKSTimeout) throw new AuthError('idp_timeout', 'JWKS request timed out', { cause: error })
    if (error instanceof joseErrors.JWKSInvalid) throw new AuthError('idp_bad_response', 'JWKS is invalid', { cause: error })
    // jose reports a non-200 JWKS answer as a generic error: the IS failed, not the token.
    if (error instanceof joseErrors.JOSEError && /Expected 200 OK/.test(error.message)) {
      throw new AuthError('idp_error', 'JWKS endpoint did not answer 200', { cause: error })
    }
    throw new AuthError('id_token_invalid', `signature: ${(error as Error).message}`, { cause: error })
  }
}

/** The user attributes to keep: ID token claims and userinfo claims, minus protocol claims. */
export function userAttributes(idClaims: oauth.IDToken, userinfo: Record<string, unknown>): SessionUser {
  const user: SessionUser = {}
  for (const source of [idClaims as Record<string, unknown>, userinfo]) {
    for (const [key, value] of Object.entries(source)) {
      if (PROTOCOL_CLAIMS.has(key) || value === null || value === undefined) continue
      user[key] = value
    }
  }
  return user
}

/** WSO2 IS 6+ puts the login name in the `username` claim; `sub` is a UUID there (wso2-is.md 4.3). */
export function displayUsername(sub: string, user: SessionUser): string {
  for (const key of ['username', 'preferred_username', 'email']) {
    const value = user[key]
    if (typeof value === 'string' && value) return value
  }
  return sub
}

/**
 * Completes the login: authorization response, code exchange, ID token (claims by oauth4webapi
 * with the expected nonce, then signature and policy), userinfo with the sub check (OIDC Core
 * 5.3.2). Any failure stops the flow at that step: no userinfo call after a bad ID token, no
 * token call after a bad state. The code is redeemed once; it is never retried (RFC 6749 4.1.2).
 */
export async function completeLogin(ctx: FlowContext, callbackUrl: URL, txn: Transaction): Promise<SessionData> {
  const as = await ctx.discovery.get()
  const params = validateCallback(as, ctx, callbackUrl, txn)
  if (!params.get('code')) throw new AuthError('callback_invalid', 'code missing')

  let tokens: oauth.TokenEndpointResponse
  try {
    const response = await oauth.authorizationCodeGrantRequest(
      as, ctx.provider.client, ctx.provider.clientAuth, params, ctx.config.loginCallbackUrl, txn.codeVerifier,
      fetchOptions(ctx),
    )
    tokens = await oauth.processAuthorizationCodeResponse(as, ctx.provider.client, response, {
      expectedNonce: txn.nonce,
      requireIdToken: true,
    })
  } catch (error) {
    throw backchannelError(error, 'token')
  }
  const claims = oauth.getValidatedIdTokenClaims(tokens)
  if (!claims || !tokens.id_token) throw new AuthError('id_token_invalid', 'no ID token')
  checkIdTokenPolicy(claims)
  await verifyIdTokenSignature(ctx, as, tokens.id_token)

  let userinfo: Record<string, unknown> = {}
  if (as.userinfo_endpoint) {
    try {
      const response = await oauth.userInfoRequest(as, ctx.provider.client, tokens.access_token, fetchOptions(ctx))
      userinfo = (await oauth.processUserInfoResponse(as, ctx.provider.client, claims.sub, response)) as Record<string, unknown>
    } catch (error) {
      throw backchannelError(error, 'userinfo')
    }
  }

  const user = userAttributes(claims, userinfo)
  const now = nowSeconds()
  return {
    v: 1,
    id: oauth.generateRandomState(),
    iss: claims.iss,
    sub: claims.sub,
    sid: typeof claims.sid === 'string' ? claims.sid : undefined,
    username: displayUsername(claims.sub, user),
    user,
    accessToken: tokens.access_token,
    idToken: tokens.id_token,
    refreshToken: tokens.refresh_token,
    expiresAt: now + (typeof tokens.expires_in === 'number' ? tokens.expires_in : 3600),
    tokenIssuedAt: now,
    scope: tokens.scope,
    createdAt: now,
    lastSeen: now,
  }
}
