/**
 * Where a user may be sent after login or a refresh: only a path on the app's own origin. The
 * value comes from a query string, so it is attacker-controlled; the client must not become an
 * open redirector.
 *
 * Edge-safe.
 *
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-4.11.1
 */

const DEFAULT_RETURN_TO = '/'
/** Longest raw value looked at. */
const MAX_INPUT = 2048
/**
 * Longest path kept, after the URL parser percent-encoded it: a short raw value of non-ASCII
 * characters can grow twelvefold, and the result is sealed into a cookie.
 */
export const MAX_RETURN_TO = 512

/**
 * A same-origin path (`/a/b?c=d#e`, without the origin) for `value`, or `/` when the value is
 * missing, too long, points anywhere else, or into the auth routes. Parsing with the URL parser
 * (rather than string checks) treats `//evil`, `/\evil`, tabs and newlines the way browsers do.
 *
 * @param value - A candidate path from the query string.
 * @param appOrigin - The app's origin.
 * @param authRoutes - Paths never returned to (they would loop or restart a login).
 * @returns A safe path.
 * @example
 * ```ts
 * safeReturnTo('//evil.example', 'https://app.test') // '/'
 * safeReturnTo('/records?id=1', 'https://app.test')  // '/records?id=1'
 * ```
 */
export function safeReturnTo(value: string | null | undefined, appOrigin: string, authRoutes: readonly string[] = ['/login', '/logout']): string {
  if (!value || value.length > MAX_INPUT) return DEFAULT_RETURN_TO
  // Browsers strip ASCII tab/newline and treat backslashes as slashes; refuse them outright.
  if (/[\u0000-\u001f\u007f\\]/.test(value)) return DEFAULT_RETURN_TO
  if (!value.startsWith('/') || value.startsWith('//')) return DEFAULT_RETURN_TO
  let url: URL
  try {
    url = new URL(value, appOrigin)
  } catch {
    return DEFAULT_RETURN_TO
  }
  if (url.origin !== new URL(appOrigin).origin) return DEFAULT_RETURN_TO
  // Dot segments can collapse to a protocol-relative path: "/.//evil" parses to the pathname "//evil",
  // which a later `new URL(path, origin)` or a browser would send off-site.
  if (url.pathname.startsWith('//')) return DEFAULT_RETURN_TO
  if (authRoutes.some((route) => url.pathname === route || url.pathname.startsWith(`${route}/`))) return DEFAULT_RETURN_TO
  const path = `${url.pathname}${url.search}${url.hash}`
  return path.length > MAX_RETURN_TO ? DEFAULT_RETURN_TO : path
}
