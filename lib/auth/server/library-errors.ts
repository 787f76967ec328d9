/**
 * The one place errors from oauth4webapi and jose become coded AuthErrors. Errors are recognised by
 * their `code` (and the HTTP status or `error` they carry), never by matching message text, never
 * by class name (minified in production bundles) and never by `instanceof` (after a hot reload or
 * in another route bundle the classes are different objects).
 *
 * Node only.
 *
 * @see https://github.com/panva/oauth4webapi/blob/main/docs/README.md#errors
 * @see https://github.com/panva/jose/blob/main/docs/util/errors/README.md
 */
import 'server-only'
import * as oauth from 'oauth4webapi'
import { AuthError, isAuthError, type AuthErrorCode } from '../errors'

/** Where in the flow an error happened. */
export type Stage = 'discovery' | 'authorize' | 'par' | 'token' | 'refresh' | 'id_token' | 'userinfo' | 'logout_token' | 'revoke'

/** A coded error and whether trying again later may succeed. */
export interface Classified {
  error: AuthError
  transient: boolean
}

/** oauth4webapi's error codes (`OperationProcessingError.code`). */
const O4 = {
  responseBody: 'OAUTH_RESPONSE_BODY_ERROR',
  authorizationResponse: 'OAUTH_AUTHORIZATION_RESPONSE_ERROR',
  challenge: 'OAUTH_WWW_AUTHENTICATE_CHALLENGE',
  unsupported: 'OAUTH_UNSUPPORTED_OPERATION',
  notConform: 'OAUTH_RESPONSE_IS_NOT_CONFORM',
  notJson: 'OAUTH_RESPONSE_IS_NOT_JSON',
  parse: 'OAUTH_PARSE_ERROR',
  invalid: 'OAUTH_INVALID_RESPONSE',
  attribute: 'OAUTH_JSON_ATTRIBUTE_COMPARISON_FAILED',
  claim: 'OAUTH_JWT_CLAIM_COMPARISON_FAILED',
  timestamp: 'OAUTH_JWT_TIMESTAMP_CHECK_FAILED',
} as const

/** Codes that mean "the IS (or the store) is having a bad moment", worth retrying. */
const TRANSIENT: ReadonlySet<AuthErrorCode> = new Set(['idp_unreachable', 'idp_timeout', 'idp_error', 'idp_bad_response', 'idp_tls_error', 'discovery_invalid', 'store_unavailable'])

/** IS `error=` values on the callback that have pages of their own (RFC 6749 4.1.2.1, OIDC Core 3.1.2.6). */
const AUTHORIZE_ERRORS: Record<string, AuthErrorCode> = {
  access_denied: 'access_denied',
  login_required: 'login_required',
  interaction_required: 'login_required',
  consent_required: 'login_required',
  account_selection_required: 'login_required',
}

interface Shape {
  name?: unknown
  code?: unknown
  status?: unknown
  error?: unknown
  cause?: unknown
}

function statusOf(error: Shape): number {
  if (typeof error.status === 'number') return error.status
  const cause = error.cause as { status?: unknown } | undefined
  return typeof cause?.status === 'number' ? cause.status : 0
}

function coded(code: AuthErrorCode, stage: Stage, detail: string, cause: unknown): Classified {
  const error = new AuthError(code, `${stage}: ${detail}`, { cause })
  return { error, transient: TRANSIENT.has(code) }
}

/** A failure of the IS itself (5xx, 429, 408) versus a refusal of this request. */
function serverFailure(status: number): boolean {
  return status >= 500 || status === 429 || status === 408
}

function fromResponseBody(e: Shape, stage: Stage, cause: unknown): Classified {
  const status = statusOf(e)
  const oauthError = typeof e.error === 'string' ? e.error.slice(0, 40) : 'error'
  if (serverFailure(status)) return coded('idp_error', stage, `HTTP ${status} ${oauthError}`, cause)
  if (stage === 'token' || stage === 'refresh') return coded('token_exchange_failed', stage, oauthError, cause)
  return coded('idp_error', stage, oauthError, cause)
}

function fromProcessing(e: Shape, stage: Stage, cause: unknown): Classified {
  const status = statusOf(e)
  switch (e.code) {
    case O4.notConform:
      return coded(serverFailure(status) || stage !== 'refresh' ? 'idp_error' : 'token_exchange_failed', stage, `unexpected HTTP status ${status || ''}`.trim(), cause)
    case O4.parse:
    case O4.notJson:
      return coded(stage === 'userinfo' ? 'userinfo_invalid' : 'idp_bad_response', stage, 'response is not JSON', cause)
    case O4.attribute:
      return coded(stage === 'discovery' ? 'discovery_invalid' : stage === 'userinfo' ? 'userinfo_invalid' : 'idp_bad_response', stage, 'response attribute mismatch', cause)
    case O4.claim:
    case O4.timestamp:
      return coded('id_token_invalid', stage, 'ID token claim check failed', cause)
    default: {
      // INVALID_RESPONSE and the rest: about the ID token when the library attached its claims.
      const onToken = typeof (e.cause as { claims?: unknown } | undefined)?.claims === 'object'
      if (stage === 'discovery') return coded('discovery_invalid', stage, String(e.code ?? 'invalid'), cause)
      if (stage === 'userinfo') return coded('userinfo_invalid', stage, String(e.code ?? 'invalid'), cause)
      return coded(onToken ? 'id_token_invalid' : 'idp_bad_response', stage, String(e.code ?? 'invalid'), cause)
    }
  }
}

function fromJose(e: Shape, stage: Stage, cause: unknown): Classified {
  const invalidToken: AuthErrorCode = stage === 'logout_token' ? 'logout_token_invalid' : 'id_token_invalid'
  switch (e.code) {
    case 'ERR_JWKS_TIMEOUT':
      return coded('idp_timeout', stage, 'JWKS timed out', cause)
    case 'ERR_JWKS_INVALID':
      return coded('idp_bad_response', stage, 'JWKS is invalid', cause)
    default:
      return coded(invalidToken, stage, `signature or claims: ${String(e.code)}`, cause)
  }
}

/**
 * Classifies anything thrown during a protocol step.
 *
 * @param error - What oauth4webapi, jose or our fetch threw.
 * @param stage - The step.
 * @returns A coded error and whether it is transient.
 * @example
 * ```ts
 * catch (error) { throw classify(error, 'token').error }
 * ```
 */
export function classify(error: unknown, stage: Stage): Classified {
  if (isAuthError(error)) return { error, transient: TRANSIENT.has(error.code) }
  const e = (typeof error === 'object' && error !== null ? error : {}) as Shape
  const name = typeof e.name === 'string' ? e.name : ''
  // By code: class names do not survive minification in production bundles. The few errors
  // oauth4webapi throws without a code are recognised by class (same bundle, same module).
  const code = typeof e.code === 'string' ? e.code : error instanceof oauth.OperationProcessingError ? 'OAUTH_UNSPECIFIED' : ''
  if (code === O4.responseBody) return fromResponseBody(e, stage, error)
  if (code === O4.authorizationResponse) {
    const value = typeof e.error === 'string' ? e.error : ''
    return coded(AUTHORIZE_ERRORS[value] ?? 'idp_error', stage, `IS returned error=${value.slice(0, 40)}`, error)
  }
  if (code === O4.challenge) {
    // At userinfo: the IS no longer accepts the access token it just issued; at the token endpoint:
    // the client was refused. Either way the sign-in cannot complete.
    const status = statusOf(e)
    if (serverFailure(status)) return coded('idp_error', stage, `HTTP ${status} challenge`, error)
    return coded('token_exchange_failed', stage, 'WWW-Authenticate challenge', error)
  }
  if (code === O4.unsupported) {
    // At the token endpoint: an unsupported token_type, JWE or `crit` header; the tokens cannot be used.
    const target: AuthErrorCode = stage === 'userinfo' ? 'userinfo_invalid' : stage === 'authorize' ? 'callback_invalid' : 'id_token_invalid'
    return coded(target, stage, 'unsupported response', error)
  }
  if (code.startsWith('OAUTH_')) return fromProcessing(e, stage, error)
  if (code.startsWith('ERR_J')) return fromJose(e, stage, error)
  if (name === 'TypeError') {
    const target: AuthErrorCode = stage === 'discovery' ? 'discovery_invalid' : stage === 'userinfo' ? 'userinfo_invalid' : stage === 'authorize' ? 'callback_invalid' : 'idp_bad_response'
    return coded(target, stage, 'malformed response', error)
  }
  // Anything else during a call to the IS is the request not getting through.
  return coded(stage === 'authorize' ? 'internal_error' : 'idp_unreachable', stage, name || 'unexpected error', error)
}
