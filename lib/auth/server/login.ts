/**
 * The OIDC authorization code flow as two framework-agnostic steps over oauth4webapi:
 * {@link startLogin} builds the authorization request (optionally pushed, RFC 9126) and the
 * transaction to keep; {@link completeLogin} validates the callback and returns the session.
 *
 * Node only: it calls the IS through the certificate-trusting fetch.
 *
 * @see https://openid.net/specs/openid-connect-core-1_0.html#CodeFlowAuth
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-2.1.1 (PKCE, state, nonce)
 */
import 'server-only'
import { decodeJwt, decodeProtectedHeader } from 'jose'
import * as oauth from 'oauth4webapi'
import { displayUsername, userAttributes, userinfoExtras, type Claims } from '../claims'
import { AuthError } from '../errors'
import { authorizationParameters, type LoginParams } from '../login-params'
import { nowSeconds, tokenLifetime, type SessionRecord, type TokenSet } from '../session'
import type { Transaction } from '../transaction'
import type { AuthContext } from './context'
import { peekJson } from './http'
import { checkAcr, checkIdTokenPolicy, verifyIdTokenSignature } from './id-token'
import { classify } from './library-errors'

/** What {@link startLogin} returns. */
export interface LoginStart {
  authorizationUrl: URL
  transaction: Transaction
}

/** What {@link completeLogin} returns. */
export interface LoginResult {
  record: SessionRecord
  tokens: TokenSet
  extras: Claims
}

function fetchOptions(ctx: AuthContext) {
  return { [oauth.customFetch]: ctx.fetch as typeof fetch }
}

/** Whether this login pushes its authorization request (RFC 9126). */
function usePar(ctx: AuthContext, as: oauth.AuthorizationServer): boolean {
  if (ctx.config.par === 'off') return false
  const advertised = typeof as.pushed_authorization_request_endpoint === 'string'
  if (ctx.config.par === 'on' && !advertised) throw new AuthError('discovery_invalid', 'AUTH_PAR=on but the IS advertises no pushed_authorization_request_endpoint')
  return advertised
}

/**
 * Builds the authorization request: PKCE S256, a fresh state (starting with the transaction slot)
 * and nonce per attempt, the registered redirect_uri and the login parameters. With PAR the
 * parameters are pushed to the IS and the browser URL carries only `client_id` and `request_uri`.
 *
 * @param ctx - The context.
 * @param returnTo - A safe same-origin path.
 * @param params - Validated login parameters.
 * @param slot - The transaction slot.
 * @returns The URL to send the browser to and the transaction to keep.
 * @see https://www.rfc-editor.org/rfc/rfc9126#section-2
 */
export async function startLogin(ctx: AuthContext, returnTo: string, params: LoginParams, slot: number): Promise<LoginStart> {
  const as = await ctx.discovery.get()
  const codeVerifier = oauth.generateRandomCodeVerifier()
  const transaction: Transaction = {
    v: 1,
    state: `${slot}${oauth.generateRandomState()}`,
    nonce: oauth.generateRandomNonce(),
    codeVerifier,
    returnTo,
    createdAt: Date.now(),
    params,
  }
  const request = new URLSearchParams({
    response_type: 'code',
    client_id: ctx.config.clientId,
    redirect_uri: ctx.config.loginCallbackUrl,
    scope: ctx.config.scope,
    state: transaction.state,
    nonce: transaction.nonce,
    code_challenge: await oauth.calculatePKCECodeChallenge(codeVerifier),
    code_challenge_method: 'S256',
  })
  for (const [name, value] of authorizationParameters(params)) request.set(name, value)

  const url = new URL(as.authorization_endpoint!)
  if (!usePar(ctx, as)) {
    url.search = request.toString()
    return { authorizationUrl: url, transaction }
  }
  const { client, clientAuth } = await ctx.client()
  try {
    const response = await oauth.pushedAuthorizationRequest(as, client, clientAuth, request, fetchOptions(ctx))
    const { request_uri } = await oauth.processPushedAuthorizationResponse(as, client, response)
    url.searchParams.set('client_id', ctx.config.clientId)
    url.searchParams.set('request_uri', request_uri)
  } catch (error) {
    throw classify(error, 'par').error
  }
  return { authorizationUrl: url, transaction }
}

/**
 * Parameters that only a front-channel token flow or a JARM response would carry: a plain
 * code-flow callback with any of them, even empty, is forged.
 *
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-4.6
 */
const TOKEN_PARAMETERS = ['access_token', 'id_token', 'token_type', 'expires_in', 'refresh_token', 'response']

/**
 * Step 1: the authorization response, checked before any back-channel call. `iss` and `state` are
 * compared here, each with its own code; oauth4webapi then repeats its checks.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.2
 * @see https://www.rfc-editor.org/rfc/rfc9207#section-2.4
 */
export function validateCallback(as: oauth.AuthorizationServer, client: oauth.Client, url: URL, txn: Transaction): URLSearchParams {
  const query = url.searchParams
  for (const name of new Set(query.keys())) {
    // RFC 6749 3.1: request and response parameters MUST NOT be included more than once.
    if (query.getAll(name).length > 1) throw new AuthError('callback_invalid', `parameter "${name.slice(0, 40)}" repeated`)
  }
  if (TOKEN_PARAMETERS.some((name) => query.has(name))) throw new AuthError('callback_invalid', 'token parameters in a code-flow callback')
  const iss = query.get('iss')
  if (iss !== null ? iss !== as.issuer : as.authorization_response_iss_parameter_supported === true) {
    throw new AuthError('issuer_mismatch', iss === null ? 'iss parameter missing' : 'iss parameter is another issuer')
  }
  if (query.get('state') !== txn.state) throw new AuthError('state_mismatch', 'state differs from the transaction')
  // An `error` parameter makes this an error response (RFC 6749 4.1.2.1), even when it is empty;
  // oauth4webapi would skip an empty one and redeem the code.
  if (query.has('error') && !query.get('error')) throw new AuthError('callback_invalid', 'empty error parameter')
  try {
    return oauth.validateAuthResponse(as, client, url, txn.state)
  } catch (error) {
    throw classify(error, 'authorize').error
  }
}

/**
 * The ID token of a successful token response, checked for presence, structure and the pinned
 * algorithm before oauth4webapi processes it, so each failure carries the ID-token code (a bad
 * token body is the IS sending a broken answer; a bad ID token is an identity that cannot be
 * verified).
 */
async function checkIdTokenShape(response: Response): Promise<void> {
  if (response.status !== 200) return
  let body: unknown
  try {
    body = await peekJson(response)
  } catch {
    return
  }
  if (typeof body !== 'object' || body === null || typeof (body as { access_token?: unknown }).access_token !== 'string') return
  const idToken = (body as { id_token?: unknown }).id_token
  if (typeof idToken !== 'string') throw new AuthError('id_token_invalid', 'no ID token in the token response')
  let header: ReturnType<typeof decodeProtectedHeader>
  try {
    header = decodeProtectedHeader(idToken)
    decodeJwt(idToken)
  } catch (error) {
    throw new AuthError('id_token_invalid', 'ID token is not a JWT', { cause: error })
  }
  // Pinned: alg "none", HS256 with the client secret and other keys' algorithms never pass.
  if (header.alg !== 'RS256') throw new AuthError('id_token_invalid', 'ID token alg is not RS256')
  if (header.crit !== undefined) throw new AuthError('id_token_invalid', 'ID token has crit header parameters')
}

async function exchangeCode(ctx: AuthContext, as: oauth.AuthorizationServer, params: URLSearchParams, txn: Transaction) {
  const { client, clientAuth } = await ctx.client()
  try {
    const response = await oauth.authorizationCodeGrantRequest(as, client, clientAuth, params, ctx.config.loginCallbackUrl, txn.codeVerifier, fetchOptions(ctx))
    await checkIdTokenShape(response)
    return await oauth.processAuthorizationCodeResponse(as, client, response, {
      expectedNonce: txn.nonce,
      requireIdToken: true,
      ...(txn.params.maxAge !== undefined ? { maxAge: txn.params.maxAge } : {}),
    })
  } catch (error) {
    // A step-up that the IS did not honour: auth_time older than max_age (OIDC Core 3.1.2.1).
    if ((error as { cause?: { claim?: unknown } })?.cause?.claim === 'auth_time') throw new AuthError('step_up_failed', 'auth_time is older than max_age', { cause: error })
    throw classify(error, 'token').error
  }
}

async function fetchUserinfo(ctx: AuthContext, as: oauth.AuthorizationServer, accessToken: string, sub: string): Promise<Record<string, unknown>> {
  if (!as.userinfo_endpoint || !ctx.config.userinfo) return {}
  const { client } = await ctx.client()
  try {
    const response = await oauth.userInfoRequest(as, client, accessToken, fetchOptions(ctx))
    return (await oauth.processUserInfoResponse(as, client, sub, response)) as Record<string, unknown>
  } catch (error) {
    throw classify(error, 'userinfo').error
  }
}

/**
 * Completes the login: authorization response, code exchange, ID token (claims by oauth4webapi
 * with the expected nonce and max_age, then signature, policy and acr), userinfo with the sub check
 * (OIDC Core 5.3.2). Any failure stops the flow at that step: no userinfo call after a bad ID
 * token, no token call after a bad state. The code is redeemed once; it is never retried.
 *
 * @param ctx - The context.
 * @param callbackUrl - The callback URL, rebuilt on the app's origin.
 * @param txn - The transaction of this login.
 * @returns The session record, tokens and userinfo extras.
 * @throws {AuthError} with the code of the failed step.
 */
export async function completeLogin(ctx: AuthContext, callbackUrl: URL, txn: Transaction): Promise<LoginResult> {
  const as = await ctx.discovery.get()
  const { client } = await ctx.client()
  const params = validateCallback(as, client, callbackUrl, txn)
  if (!params.get('code')) throw new AuthError('callback_invalid', 'code missing')

  const tokens = await exchangeCode(ctx, as, params, txn)
  const claims = oauth.getValidatedIdTokenClaims(tokens)
  if (!claims || !tokens.id_token) throw new AuthError('id_token_invalid', 'no ID token')
  checkIdTokenPolicy(claims)
  await verifyIdTokenSignature(ctx, as, tokens.id_token)
  checkAcr(claims, txn.params.acrValues)

  const userinfo = await fetchUserinfo(ctx, as, tokens.access_token, claims.sub)
  const now = Date.now()
  const issuedAt = nowSeconds()
  const user = userAttributes(claims, userinfo)
  const record: SessionRecord = {
    v: 2,
    id: oauth.generateRandomState(),
    iss: claims.iss,
    sub: claims.sub,
    ...(typeof claims.sid === 'string' && claims.sid.length <= 256 ? { sid: claims.sid } : {}),
    username: displayUsername(claims.sub, user),
    createdAt: now,
    writtenAt: now,
    ...(typeof claims.auth_time === 'number' ? { authTime: claims.auth_time } : {}),
    ...(typeof claims.acr === 'string' && claims.acr.length <= 256 ? { acr: claims.acr } : {}),
    ...(Array.isArray(claims.amr) ? { amr: claims.amr.filter((m): m is string => typeof m === 'string').slice(0, 20) } : {}),
  }
  return {
    record,
    tokens: {
      accessToken: tokens.access_token,
      idToken: tokens.id_token,
      ...(tokens.refresh_token ? { refreshToken: tokens.refresh_token } : {}),
      expiresAt: issuedAt + tokenLifetime(tokens.expires_in),
      issuedAt,
      ...(typeof tokens.scope === 'string' ? { scope: tokens.scope } : {}),
    },
    extras: userinfoExtras(claims, userinfo),
  }
}
