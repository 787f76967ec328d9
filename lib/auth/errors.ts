/**
 * Every failure lib/auth reports, as a stable code with an HTTP status and a sentence a person
 * understands. Route handlers render these on the error page (`data-error-code`), tests assert on
 * the code, and logs carry the code plus the cause, never tokens, codes or cookies.
 *
 * No status is 500: a broken configuration is 503 (the service is not available until an operator
 * fixes it), and a session that nothing can hold is 507. `internal_error` is the one fallback for
 * a bug, and is still rendered as a coded page.
 *
 * Edge-safe: no `node:` imports.
 */

/** How one error code is shown. */
export interface ErrorInfo {
  /** HTTP status of the error page. 4xx: the request or the IS response was bad; 5xx: the IS, the store or the setup is down. */
  status: number
  /** Short title for the error page. */
  title: string
  /** What happened and what to do, for the person in front of the browser. */
  message: string
}

/**
 * The error catalogue. Keys are the stable codes (`data-error-code`, `AuthError.code`).
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.2.1 (authorization error responses)
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-15 (status codes)
 */
export const ERRORS = {
  config_invalid: {
    status: 503,
    title: 'Sign-in is not set up',
    message: 'The sign-in settings of this app are missing or invalid. The server log names the setting to fix.',
  },
  login_param_invalid: {
    status: 400,
    title: 'Sign-in link not accepted',
    message: 'The sign-in link carries an option this app does not accept, or a value that is too long.',
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
    message: 'You declined to share your details with this app, or the identity server refused the request.',
  },
  login_required: {
    status: 401,
    title: 'Sign-in needed',
    message: 'The identity server needs you to sign in again.',
  },
  session_expired: {
    status: 401,
    title: 'Your session has ended',
    message: 'Your session has ended. Please log in again.',
  },
  step_up_failed: {
    status: 403,
    title: 'A fresh sign-in is needed',
    message: 'This page needs a recent or stronger sign-in, and the identity server did not confirm one.',
  },
  idp_error: {
    status: 502,
    title: 'The identity server reported an error',
    message: 'The identity server could not complete the request. Try again in a moment.',
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
  logout_token_invalid: {
    status: 400,
    title: 'Logout notice not accepted',
    message: 'The back-channel logout token failed validation.',
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
  store_unavailable: {
    status: 503,
    title: 'Sessions are unavailable',
    message: 'The session store of this app cannot be reached right now. Try again in a moment.',
  },
  session_too_large: {
    status: 507,
    title: 'Session too large',
    message: 'Your tokens are too large to keep in a browser cookie, so the sign-in was not completed.',
  },
  logout_forbidden: {
    status: 403,
    title: 'Sign-out refused',
    message: 'The sign-out request did not come from this app. Use the Log out button instead.',
  },
  request_too_large: {
    status: 413,
    title: 'Request too large',
    message: 'The request body is larger than this endpoint accepts.',
  },
  internal_error: {
    status: 500,
    title: 'Something went wrong',
    message: 'An unexpected error stopped the sign-in. Try again from the sign-in page.',
  },
} as const satisfies Record<string, ErrorInfo>

/** A stable error code: a key of {@link ERRORS}. */
export type AuthErrorCode = keyof typeof ERRORS

/**
 * The one error type lib/auth throws. `code` is stable (tests and the error page rely on it);
 * `cause` keeps the underlying library error for the server log.
 *
 * @example
 * ```ts
 * try { await auth.getAccessToken() } catch (error) {
 *   if (isAuthError(error) && error.code === 'session_expired') redirect('/signin?reason=session_ended')
 *   throw error
 * }
 * ```
 */
export class AuthError extends Error {
  /** Stable error code, see {@link ERRORS}. */
  readonly code: AuthErrorCode
  /** HTTP status that fits the failure. */
  readonly status: number

  /**
   * @param code - The stable code.
   * @param detail - A sanitised detail for the log (never tokens or codes).
   * @param options - `cause`: the underlying error.
   */
  constructor(code: AuthErrorCode, detail?: string, options?: { cause?: unknown }) {
    super(detail ? `${code}: ${detail}` : code, options)
    this.name = 'AuthError'
    this.code = code
    this.status = ERRORS[code].status
  }
}

/** Whether `code` is one of lib/auth's codes. */
export function isAuthErrorCode(code: unknown): code is AuthErrorCode {
  return typeof code === 'string' && Object.prototype.hasOwnProperty.call(ERRORS, code)
}

/**
 * Recognises an {@link AuthError} by its shape, not by `instanceof`: after a hot reload (or in
 * another route bundle) the class is a different object, and a known error must not turn into
 * `internal_error`.
 *
 * @param error - Anything thrown.
 * @returns Whether it is an AuthError with a known code.
 * @example
 * ```ts
 * if (isAuthError(error)) console.warn(error.code)
 * ```
 */
export function isAuthError(error: unknown): error is AuthError {
  return (
    typeof error === 'object' &&
    error !== null &&
    (error as { name?: unknown }).name === 'AuthError' &&
    isAuthErrorCode((error as { code?: unknown }).code)
  )
}

/**
 * Turns anything thrown into an AuthError, keeping AuthErrors as they are.
 *
 * @param error - Anything thrown.
 * @param fallback - The code for errors that are not AuthErrors.
 * @returns An AuthError.
 * @example
 * ```ts
 * const authError = toAuthError(error, 'idp_error')
 * ```
 */
export function toAuthError(error: unknown, fallback: AuthErrorCode = 'internal_error'): AuthError {
  if (isAuthError(error)) return error
  return new AuthError(fallback, error instanceof Error ? error.message : undefined, { cause: error })
}
