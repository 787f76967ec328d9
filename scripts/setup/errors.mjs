/**
 * Coded errors of `npm run setup`. Every failure the command can explain is a {@link SetupError} with a stable
 * code (`setup_*`), a sentence a person understands and, where there is one, a hint on what to do. `index.mjs`
 * prints them and exits non-zero (2 for usage errors, 1 otherwise).
 */

/** The codes and what each means (the table in docs/wso2-is.md, "Setup errors", repeats it). */
export const CODES = Object.freeze({
  setup_usage: 'the command line is wrong',
  setup_unreachable: 'the server cannot be reached (connection refused, DNS, timeout, not TLS)',
  setup_cert_invalid: 'the server certificate has expired, is not yet valid or is not for this host name',
  setup_cert_refused: 'the server certificate was not trusted (answer no, wrong --trust-fingerprint, --yes alone)',
  setup_cert_changed: 'the server certificate differs from the one trusted last time',
  setup_discovery_failed: 'the OpenID Connect discovery document is missing or unusable',
  setup_unknown_tenant: 'the IS does not know the tenant (or Asgardeo organization)',
  setup_issuer_mismatch: 'the IS publishes another issuer than the app will expect',
  setup_auth_failed: 'the IS refused the admin credentials or the M2M application credentials (401)',
  setup_forbidden: 'the credentials may not use the Application Management API (403)',
  setup_dcr_forbidden: 'the credentials may not use Dynamic Client Registration (403)',
  setup_dcr_disabled: 'Dynamic Client Registration is not available on this IS (404, or it demands a software statement)',
  setup_dcr_rejected: 'the IS refused the registration request (400)',
  setup_name_taken: 'an application of that name exists and setup cannot update it',
  setup_unexpected_response: 'the IS answered something setup does not understand',
  setup_verify_failed: 'the final check of the new settings failed',
  setup_needs_input: 'a question needs an answer but there is no terminal (use the flags for scripts)',
  setup_cancelled: 'stopped on request; nothing was written',
  setup_write_failed: 'the files could not be written',
});

/** An error with a stable code, printed as `✖ <code>: <message>` plus an optional hint. */
export class SetupError extends Error {
  /**
   * @param {keyof typeof CODES} code
   * @param {string} message one or two sentences, no stack trace needed to understand it
   * @param {{ hint?: string, status?: number, cause?: unknown }} [extra]
   */
  constructor(code, message, extra = {}) {
    super(message, extra.cause === undefined ? undefined : { cause: extra.cause });
    this.name = 'SetupError';
    this.code = code;
    this.hint = extra.hint;
    this.status = extra.status;
  }
}

/**
 * The lines printed for an error: the code and sentence, then the hint.
 * @param {unknown} err
 * @returns {string[]}
 */
export function formatError(err) {
  if (err instanceof SetupError) {
    const lines = [`✖ ${err.code}: ${err.message}`];
    if (err.hint) lines.push(...err.hint.split('\n').map((l) => `  ${l}`));
    if (err.code !== 'setup_write_failed') lines.push('  No file was written.');
    return lines;
  }
  const e = /** @type {any} */ (err);
  return [`✖ setup_internal: ${e?.message || String(err)}`, '  This is a bug in the setup command; no file was written.', ...(e?.stack ? [e.stack] : [])];
}

/** @param {unknown} err */
export const exitCodeFor = (err) => (err instanceof SetupError && err.code === 'setup_usage' ? 2 : 1);
