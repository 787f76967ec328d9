/**
 * Cookie reading and writing on plain Web `Headers`, shared by the Node route handlers and the edge
 * guard. Kept free of Next.js types so lib/auth's protocol code can be tested without Next.
 *
 * Edge-safe.
 */

export interface CookieOptions {
  maxAge?: number
  secure: boolean
  httpOnly?: boolean
  sameSite?: 'Lax' | 'Strict' | 'None'
}

/**
 * Parses a Cookie header. A name that appears twice (cookie tossing from a sibling domain, or a
 * stale path-scoped copy) is treated as ambiguous and dropped, so the guard never picks one of two
 * values at random (rp-security SC-05 g).
 */
export function parseCookies(header: string | null | undefined): Map<string, string> {
  const result = new Map<string, string>()
  const seen = new Set<string>()
  if (!header) return result
  for (const part of header.split(';')) {
    const index = part.indexOf('=')
    if (index < 0) continue
    const name = part.slice(0, index).trim()
    if (!name) continue
    const value = part.slice(index + 1).trim()
    if (seen.has(name)) {
      result.delete(name)
      continue
    }
    seen.add(name)
    result.set(name, value)
  }
  return result
}

/** Cookie values we write are iron seals (`Fe26.2*...`), which need no encoding; anything else is refused. */
const VALUE_PATTERN = /^[\x21\x23-\x2b\x2d-\x3a\x3c-\x5b\x5d-\x7e]*$/

export function serializeCookie(name: string, value: string, options: CookieOptions): string {
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

export function deleteCookie(name: string, secure: boolean): string {
  return serializeCookie(name, '', { maxAge: 0, secure })
}
