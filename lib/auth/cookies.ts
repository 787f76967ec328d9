/**
 * Cookie parsing and writing on plain Web `Headers`, shared by the edge guard, the Node route
 * handlers and the Server Component session reader: one parser, so every part of the app sees the
 * same cookies.
 *
 * Parsing follows what browsers send (RFC 6265 5.4) and what a server must accept (4.2.1): pairs
 * split on `;`, only space and horizontal tab trimmed (JavaScript's `trim()` would also strip
 * U+00A0 and other Unicode spaces, turning a cookie named "\u00a0__Host-x" into "__Host-x" and
 * defeating the `__Host-` prefix), names that are RFC 7230 tokens, and a name sent twice treated
 * as ambiguous and dropped (cookie tossing from a sibling domain).
 *
 * Edge-safe.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6265#section-4.2.1
 * @see https://www.rfc-editor.org/rfc/rfc6265#section-5.4
 */

/** Attributes of a cookie lib/auth writes. */
export interface CookieOptions {
  /** Seconds; 0 deletes. Omitted: a session cookie. */
  maxAge?: number
  secure: boolean
  httpOnly?: boolean
  sameSite?: 'Lax' | 'Strict' | 'None'
}

/** RFC 7230 `token`: the only valid cookie names. */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/

/** Strips leading and trailing SP and HTAB only (RFC 6265 5.4 step 4 / 5.2). */
function trimOws(value: string): string {
  let start = 0
  let end = value.length
  while (start < end && (value[start] === ' ' || value[start] === '\t')) start++
  while (end > start && (value[end - 1] === ' ' || value[end - 1] === '\t')) end--
  return value.slice(start, end)
}

/**
 * Parses a Cookie header.
 *
 * @param header - The `Cookie` request header.
 * @returns Cookie values by name; invalid names and names sent twice are left out.
 * @example
 * ```ts
 * parseCookies('a=1; b=2').get('b') // '2'
 * ```
 */
export function parseCookies(header: string | null | undefined): Map<string, string> {
  const result = new Map<string, string>()
  if (!header) return result
  const seen = new Set<string>()
  for (const part of header.split(';')) {
    const index = part.indexOf('=')
    if (index < 0) continue
    const name = trimOws(part.slice(0, index))
    if (!TOKEN.test(name)) continue
    const value = trimOws(part.slice(index + 1))
    if (seen.has(name)) {
      result.delete(name)
      continue
    }
    seen.add(name)
    result.set(name, value)
  }
  return result
}

/** Cookie values lib/auth writes are iron seals (`Fe26.2*...`), which need no encoding; anything else is refused. */
const VALUE_PATTERN = /^[\x21\x23-\x2b\x2d-\x3a\x3c-\x5b\x5d-\x7e]*$/

/**
 * A `Set-Cookie` value with lib/auth's fixed attributes: `Path=/`, `HttpOnly`, `SameSite=Lax`,
 * `Secure` on https, never a `Domain` (so the `__Host-` prefix holds).
 *
 * @param name - Cookie name (a token).
 * @param value - Cookie value (no encoding needed).
 * @param options - Lifetime and flags.
 * @returns The header value.
 * @example
 * ```ts
 * headers.append('set-cookie', serializeCookie('__Host-app-session', seal, { secure: true, maxAge: 3600 }))
 * ```
 */
export function serializeCookie(name: string, value: string, options: CookieOptions): string {
  if (!TOKEN.test(name)) throw new TypeError(`cookie name ${name} is not a token`)
  if (!VALUE_PATTERN.test(value)) throw new TypeError(`cookie ${name} has a value that needs encoding`)
  const parts = [`${name}=${value}`, 'Path=/']
  if (options.maxAge !== undefined) {
    parts.push(`Max-Age=${Math.max(0, Math.floor(options.maxAge))}`)
    if (options.maxAge <= 0) parts.push('Expires=Thu, 01 Jan 1970 00:00:00 GMT')
  }
  if (options.httpOnly !== false) parts.push('HttpOnly')
  if (options.secure) parts.push('Secure')
  parts.push(`SameSite=${options.sameSite ?? 'Lax'}`)
  return parts.join('; ')
}

/**
 * A `Set-Cookie` value that deletes `name`.
 *
 * @param name - Cookie name.
 * @param secure - Whether the cookie was written with `Secure` (required for `__Host-` names).
 * @returns The header value.
 * @example
 * ```ts
 * headers.append('set-cookie', deleteCookie('__Host-app-session', true))
 * ```
 */
export function deleteCookie(name: string, secure: boolean): string {
  return serializeCookie(name, '', { maxAge: 0, secure })
}
