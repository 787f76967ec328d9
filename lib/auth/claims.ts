/**
 * User attributes from ID token and userinfo claims, kept as plain bounded data. Claims come from
 * the identity server, so they are untrusted input: a claim named `__proto__` assigned to an
 * object would replace its prototype, one named `toString` would shadow the method every template
 * calls, and a deeply nested or huge value would blow up the cookie. So keys that name
 * `Object.prototype` members are dropped, depth, entries and string lengths are capped, and only
 * JSON primitives, arrays and objects survive.
 *
 * Edge-safe.
 *
 * @see https://openid.net/specs/openid-connect-core-1_0.html#StandardClaims
 * @see https://openid.net/specs/openid-connect-core-1_0.html#ClaimStability (iss + sub are the identity)
 */

/** A claim value after sanitising. */
export type Claim = string | number | boolean | Claim[] | { [key: string]: Claim }

/** User attributes by claim name. */
export type Claims = Record<string, Claim>

/** Keys that must never become own properties: prototype members and the prototype setter. */
const FORBIDDEN_KEYS = new Set([...Object.getOwnPropertyNames(Object.prototype), '__proto__', 'constructor', 'prototype'])

export const LIMITS = { depth: 4, claims: 100, entries: 200, keyLength: 128, stringLength: 2048 } as const

/** Claims that describe the token, not the user: never shown as user attributes. */
export const PROTOCOL_CLAIMS = new Set([
  'iss', 'sub', 'aud', 'azp', 'exp', 'iat', 'nbf', 'jti', 'nonce', 'at_hash', 'c_hash', 's_hash',
  'auth_time', 'acr', 'amr', 'sid', 'isk', 'realm', 'typ', 'cnf',
])

function safeKey(key: string): boolean {
  return key.length > 0 && key.length <= LIMITS.keyLength && !FORBIDDEN_KEYS.has(key)
}

function sanitizeValue(value: unknown, depth: number): Claim | undefined {
  if (typeof value === 'string') return value.length > LIMITS.stringLength ? value.slice(0, LIMITS.stringLength) : value
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined
  if (typeof value === 'boolean') return value
  if (depth >= LIMITS.depth || value === null || typeof value !== 'object') return undefined
  if (Array.isArray(value)) {
    const out: Claim[] = []
    for (const item of value.slice(0, LIMITS.entries)) {
      const clean = sanitizeValue(item, depth + 1)
      if (clean !== undefined) out.push(clean)
    }
    return out
  }
  return sanitizeObject(value as Record<string, unknown>, depth + 1, LIMITS.entries)
}

function sanitizeObject(value: Record<string, unknown>, depth: number, max: number): Claims {
  const out: Claims = {}
  let kept = 0
  for (const key of Object.keys(value)) {
    if (kept >= max) break
    if (!safeKey(key)) continue
    const clean = sanitizeValue(value[key], depth)
    if (clean === undefined) continue
    out[key] = clean
    kept++
  }
  return out
}

/**
 * Bounded plain-data copy of a claims object.
 *
 * @param claims - Claims as parsed from a JWT or a userinfo response.
 * @returns At most 100 claims, without prototype keys, nested at most 4 levels.
 * @example
 * ```ts
 * sanitizeClaims(JSON.parse('{"__proto__":{"admin":true},"name":"Ada"}')) // { name: 'Ada' }
 * ```
 */
export function sanitizeClaims(claims: unknown): Claims {
  if (claims === null || typeof claims !== 'object' || Array.isArray(claims)) return {}
  return sanitizeObject(claims as Record<string, unknown>, 0, LIMITS.claims)
}

/**
 * The user attributes: non-protocol claims of the ID token, then userinfo claims.
 *
 * @param idTokenClaims - Claims of the (validated) ID token.
 * @param userinfo - Claims from the userinfo endpoint (its `sub` was checked).
 * @returns Sanitised attributes.
 * @example
 * ```ts
 * userAttributes({ sub: 'u1', given_name: 'Ada' }, { email: 'ada@example.com' })
 * ```
 */
export function userAttributes(idTokenClaims: unknown, userinfo: unknown = {}): Claims {
  const out: Claims = {}
  for (const source of [sanitizeClaims(idTokenClaims), sanitizeClaims(userinfo)]) {
    for (const [key, value] of Object.entries(source)) {
      if (!PROTOCOL_CLAIMS.has(key) && Object.keys(out).length < LIMITS.claims) out[key] = value
    }
  }
  return out
}

/** JSON with object members sorted: JSON objects are unordered (RFC 8259 4). */
function canonical(value: Claim): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`
  if (typeof value === 'object' && value !== null) {
    return `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${canonical(value[k])}`).join(',')}}`
  }
  return JSON.stringify(value)
}

/**
 * Userinfo claims that the ID token does not already carry with the same value, so nothing is
 * stored twice in the session.
 *
 * @param idTokenClaims - Claims of the ID token.
 * @param userinfo - Userinfo claims.
 * @returns The claims only userinfo adds.
 * @example
 * ```ts
 * userinfoExtras({ email: 'a@x' }, { email: 'a@x', phone_number: '1' }) // { phone_number: '1' }
 * ```
 */
export function userinfoExtras(idTokenClaims: unknown, userinfo: unknown): Claims {
  const fromToken = sanitizeClaims(idTokenClaims)
  const extras: Claims = {}
  for (const [key, value] of Object.entries(sanitizeClaims(userinfo))) {
    if (PROTOCOL_CLAIMS.has(key)) continue
    if (Object.hasOwn(fromToken, key) && canonical(fromToken[key]) === canonical(value)) continue
    extras[key] = value
  }
  return extras
}

/**
 * The name to greet the user with. WSO2 IS 6+ puts the login name in the `username` claim; `sub`
 * is a UUID there.
 *
 * @param sub - The subject.
 * @param user - User attributes.
 * @returns `username`, `preferred_username` or `email`, else `sub`.
 * @example
 * ```ts
 * displayUsername('4b8f…', { username: 'admin' }) // 'admin'
 * ```
 * @see https://is.docs.wso2.com/en/latest/references/tokens/id-tokens/
 */
export function displayUsername(sub: string, user: Claims): string {
  for (const key of ['username', 'preferred_username', 'email']) {
    const value = user[key]
    if (typeof value === 'string' && value && value.length <= 256) return value
  }
  return sub
}
