/**
 * Where a user may be sent after login: only a path on the app's own origin. The value comes from
 * the query string of /login or /signin, so it is attacker-controlled; RFC 9700 2.1 and 4.11.1 say
 * the client MUST NOT become an open redirector.
 *
 * Edge-safe.
 */

const DEFAULT_RETURN_TO = '/'
const MAX_LENGTH = 2048

/**
 * Returns a same-origin path (`/a/b?c=d#e` form, without the origin) for `value`, or `/` when the
 * value is missing, too long, or points anywhere else. Parsing with the URL parser (rather than
 * string checks) treats `//evil`, `/\evil`, `\\evil`, tabs and newlines the way browsers do.
 */
export function safeReturnTo(value: string | null | undefined, appOrigin: string): string {
  if (!value || value.length > MAX_LENGTH) return DEFAULT_RETURN_TO
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
  // Never bounce back into the auth routes: that would loop or restart a login.
  if (/^\/(login|logout)(\/|$)/.test(url.pathname)) return DEFAULT_RETURN_TO
  return `${url.pathname}${url.search}${url.hash}`
}
