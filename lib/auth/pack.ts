/**
 * Smaller sessions: JWTs are stored as their decoded JSON (which compresses well) and the whole
 * session is deflated before sealing when that pays. A WSO2 JWT access token with 150 roles is
 * base64url of repetitive JSON; deflating the base64 text saves a quarter, deflating the JSON
 * saves most of it. Packing is exact: a JWT is only unpacked to JSON when re-encoding gives back
 * the very same string.
 *
 * Edge-safe: fflate (pure JavaScript; the edge runtime has no CompressionStream) and `atob`/`btoa`.
 *
 * @see https://www.rfc-editor.org/rfc/rfc1951 (DEFLATE)
 */
import { deflateSync as deflateRawSync, inflateSync as inflateRawSync } from 'fflate'

/** A JWT as `[header JSON, payload JSON, signature]`, or the token unchanged. */
export type PackedToken = string | [string, string, string]

/** Inflated sessions larger than this are refused (they could only come from a forged seal). */
const MAX_INFLATED = 512 * 1024

function toBinary(bytes: Uint8Array): string {
  let out = ''
  for (let i = 0; i < bytes.length; i += 0x8000) out += String.fromCharCode(...bytes.subarray(i, i + 0x8000))
  return out
}

function fromBinary(text: string): Uint8Array {
  const bytes = new Uint8Array(text.length)
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i)
  return bytes
}

/** base64url without padding. */
export function base64url(bytes: Uint8Array): string {
  return btoa(toBinary(bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
}

/** Decodes base64url (no padding); throws on invalid input. */
export function fromBase64url(text: string): Uint8Array {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) throw new TypeError('not base64url')
  return fromBinary(atob(text.replace(/-/g, '+').replace(/_/g, '/')))
}

const utf8 = new TextDecoder('utf-8', { fatal: true })
const encoder = new TextEncoder()

function segmentToText(segment: string): string | null {
  try {
    const text = utf8.decode(fromBase64url(segment))
    return base64url(encoder.encode(text)) === segment ? text : null
  } catch {
    return null
  }
}

/**
 * Packs a compact JWS into its decoded header and payload when that is exactly reversible.
 *
 * @param token - Any token string.
 * @returns The packed form.
 * @example
 * ```ts
 * unpackToken(packToken(jwt)) === jwt // always
 * ```
 */
export function packToken(token: string): PackedToken {
  const parts = token.split('.')
  if (parts.length !== 3) return token
  const header = segmentToText(parts[0])
  const payload = segmentToText(parts[1])
  return header !== null && payload !== null ? [header, payload, parts[2]] : token
}

/**
 * The token a {@link packToken} result stands for.
 *
 * @param packed - A packed token.
 * @returns The original string.
 * @example
 * ```ts
 * unpackToken(['{"alg":"RS256"}', '{"sub":"1"}', 'sig'])
 * ```
 */
export function unpackToken(packed: PackedToken): string {
  if (typeof packed === 'string') return packed
  return `${base64url(encoder.encode(packed[0]))}.${base64url(encoder.encode(packed[1]))}.${packed[2]}`
}

/**
 * Raw-deflates a string to base64.
 *
 * @param text - Usually JSON.
 * @returns base64url of the deflated UTF-8 bytes.
 * @example
 * ```ts
 * const z = deflate(JSON.stringify(session))
 * ```
 */
export function deflate(text: string): string {
  return base64url(deflateRawSync(encoder.encode(text), { level: 6 }))
}

/**
 * Inverse of {@link deflate}; throws on corrupt or oversized input.
 *
 * @param data - base64url from {@link deflate}.
 * @returns The original string.
 * @example
 * ```ts
 * JSON.parse(inflate(z))
 * ```
 */
export function inflate(data: string): string {
  // The input is at most a cookie's worth (DEFLATE expands at most ~1000-fold), and it was
  // authenticated by the seal's HMAC before it gets here; the cap is defence in depth.
  const bytes = inflateRawSync(fromBase64url(data))
  if (bytes.byteLength > MAX_INFLATED) throw new RangeError('inflated data too large')
  return utf8.decode(bytes)
}
