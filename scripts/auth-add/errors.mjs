/**
 * Errors of `npm run auth:add`: a stable code, a sentence a person understands and, where there is
 * one, what to do. `index.mjs` prints them as `✖ <code>: <message>` and exits with status 1 (2 for
 * usage errors). Nothing has been written when one is thrown.
 */

/** The codes and what each means. */
export const CODES = Object.freeze({
  usage: 'the command line is wrong',
  not_found: 'the target folder does not exist',
  not_next_app: 'the target has no package.json, or Next.js is not among its dependencies',
  no_app_router: 'the target has no app/ or src/app/ folder (Pages Router only)',
  no_typescript: 'the target has no tsconfig.json (lib/auth is TypeScript)',
  guard_exists: 'the target already has the other guard file (middleware.ts or proxy.ts) with its own code',
  config_unsupported: 'next.config has a shape auth:add cannot patch safely',
  conflict: 'files differ from what auth:add writes (use --force to overwrite them)',
  write_failed: 'a file could not be written',
})

/** An error with a code from {@link CODES}. */
export class AuthAddError extends Error {
  /**
   * @param {keyof typeof CODES} code
   * @param {string} message - One or two sentences.
   * @param {{ hint?: string, cause?: unknown }} [extra]
   */
  constructor(code, message, extra = {}) {
    super(message, extra.cause === undefined ? undefined : { cause: extra.cause })
    this.name = 'AuthAddError'
    this.code = code
    this.hint = extra.hint
  }
}

/**
 * The lines to print for an error.
 *
 * @param {unknown} error
 * @returns {string[]}
 */
export function formatError(error) {
  if (!(error instanceof AuthAddError)) return [`✖ ${error instanceof Error ? error.stack ?? error.message : String(error)}`]
  return [`✖ ${error.code}: ${error.message}`, ...(error.hint ? [`  ${error.hint.split('\n').join('\n  ')}`] : [])]
}

/**
 * @param {unknown} error
 * @returns {number} The exit status.
 */
export function exitCodeFor(error) {
  return error instanceof AuthAddError && error.code === 'usage' ? 2 : 1
}
