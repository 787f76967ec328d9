/**
 * Every failure lib/auth can report, as a stable code with an HTTP status and a sentence a person
 * understands. Route handlers render these on the error page (`data-error-code`), tests assert on
 * the code, and logs carry the code plus the cause, never tokens or codes.
 *
 * Edge-safe: no `node:` imports.
 */

export interface ErrorInfo {
  /** HTTP status of the error page. 4xx: the request or the IS response was bad; 5xx: the IS is down or broken. */
  status: number
  /** Short title for the error page. */
  title: string
  /** What happened and what to do, for the person in front of the browser. */
  message: string
}

export const ERRORS = {
  config_invalid: {
    status: 500,
    title: 'The app is not configured',
    message: 'The sign-in settings of this app are missing or invalid. The server log names the setting to fix.',
  },
  transaction_missing: {
    status: 400,
    title: 'Your sign-in expired',
    message: 'This sign-in attempt is unknown or took too long. Start again from the sign-in page.',
  },
  state_mismatch: {
    status: 400,
    title: 'Sign-in could not be verified',
    message: 'The answer from the identity server does not belong to a sign-in started in this browser.',
  },
  callback_invalid: {
    status: 400,
    title: 'Sign-in response not accepted',
    message: 'The identity server sent back a response this app cannot accept.',
  },
  issuer_mismatch: {
    status: 400,
    title: 'Unexpected identity server',
    message: 'The response came from an identity server other than the one this app trusts.',
  },
  access_denied: {
    status: 403,
    title: 'Access was not granted',
    message: 'You declined to share your details with myclinic, or the identity server refused the request.',
  },
  login_required: {
    status: 401,
    title: 'Sign-in needed',
    message: 'The identity server needs you to sign in again.',
  },
  idp_error: {
    status: 502,
    title: 'The identity server reported an error',
    message: 'The identity server could not complete the sign-in. Try again in a moment.',
  },
  token_exchange_failed: {
    status: 400,
    title: 'Sign-in could not be completed',
    message: 'The identity server refused to issue tokens for this sign-in. Start again from the sign-in page.',
  },
  id_token_invalid: {
    status: 400,
    title: 'Identity could not be verified',
    message: 'The identity token from the identity server failed validation, so nobody was signed in.',
  },
  userinfo_invalid: {
    status: 400,
    title: 'Profile could not be verified',
    message: 'The profile sent by the identity server does not match the signed-in user.',
  },
  discovery_invalid: {
    status: 502,
    title: 'Identity server misconfigured',
    message: 'The identity server published settings this app cannot use safely.',
  },
  idp_unreachable: {
    status: 502,
    title: 'Identity server unreachable',
    message: 'The identity server could not be reached. Try again in a moment.',
  },
  idp_tls_error: {
    status: 502,
    title: 'Identity server not trusted',
    message: "The identity server's certificate is not trusted by this app, so the connection was refused.",
  },
  idp_timeout: {
    status: 504,
    title: 'Identity server too slow',
    message: 'The identity server did not answer in time. Try again in a moment.',
  },
  idp_bad_response: {
    status: 502,
    title: 'Identity server sent a broken answer',
    message: 'The identity server answered with something that is not a valid response.',
  },
  session_too_large: {
    status: 500,
    title: 'Session too large',
    message: 'Your tokens are too large to keep in a browser cookie, so the sign-in was not completed.',
  },
  logout_forbidden: {
    status: 403,
    title: 'Sign-out refused',
    message: 'The sign-out request did not come from this app. Use the Log out button instead.',
  },
  method_not_allowed: {
    status: 405,
    title: 'Not allowed',
    message: 'This address does not accept that kind of request.',
  },
  internal_error: {
    status: 500,
    title: 'Something went wrong',
    message: 'An unexpected error stopped the sign-in. Try again from the sign-in page.',
  },
} as const satisfies Record<string, ErrorInfo>

export type AuthErrorCode = keyof typeof ERRORS

/**
 * The one error type lib/auth throws. `code` is stable (tests and the error page rely on it);
 * `cause` keeps the underlying library error for the server log.
 */
export class AuthError extends Error {
  readonly code: AuthErrorCode
  readonly status: number

  constructor(code: AuthErrorCode, detail?: string, options?: { cause?: unknown }) {
    super(detail ? `${code}: ${detail}` : code, options)
    this.name = 'AuthError'
    this.code = code
    this.status = ERRORS[code].status
  }
}

export function isAuthError(error: unknown): error is AuthError {
  return error instanceof AuthError
}

/** Turns anything thrown into an AuthError, keeping AuthErrors as they are. */
export function toAuthError(error: unknown, fallback: AuthErrorCode = 'internal_error'): AuthError {
  if (error instanceof AuthError) return error
  return new AuthError(fallback, error instanceof Error ? error.message : undefined, { cause: error })
}
