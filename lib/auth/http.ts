/**
 * The fetch every back-channel call to the IS goes through (discovery, token, userinfo, JWKS,
 * revoke). It trusts AUTH_CERTIFICATE_PATH through an undici dispatcher — the counterpart of the
 * Python SDK's `certificate_path` — instead of NODE_TLS_REJECT_UNAUTHORIZED=0, bounds every call
 * with a timeout (oauth4webapi has none: rp-security RS-02), caps the body size (RS-04) and maps
 * network failures to coded AuthErrors.
 *
 * Node only.
 */
import 'server-only'
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { createSecureContext, rootCertificates } from 'node:tls'
import { Agent, fetch as undiciFetch } from 'undici'
import { AuthError } from './errors'

/** The shape oauth4webapi's and jose's `customFetch` options take. */
export type AuthFetch = (url: string, init?: RequestInit) => Promise<Response>

export interface HttpOptions {
  certificatePath?: string
  timeoutMs: number
  /** Largest response body accepted, in bytes. */
  maxBodyBytes?: number
}

const DEFAULT_MAX_BODY = 512 * 1024

/** TLS failures get their own code: the fix (trust the right certificate) differs from "server down". */
const TLS_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_GET_ISSUER_CERT',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'CERT_SIGNATURE_FAILURE',
  'CERT_UNTRUSTED',
  'ERR_SSL_WRONG_VERSION_NUMBER',
])

function causeCode(error: unknown): string | undefined {
  let current: unknown = error
  for (let i = 0; i < 5 && current && typeof current === 'object'; i++) {
    const code = (current as { code?: unknown }).code
    if (typeof code === 'string' && code !== 'UND_ERR_SOCKET') return code
    current = (current as { cause?: unknown }).cause
  }
  return undefined
}

/** Maps a thrown fetch error to the AuthError a person should see. */
export function networkError(error: unknown, url: string): AuthError {
  if (error instanceof AuthError) return error
  const name = (error as { name?: string })?.name
  const host = safeHost(url)
  if (name === 'TimeoutError' || name === 'AbortError') {
    return new AuthError('idp_timeout', `no answer from ${host} in time`, { cause: error })
  }
  const code = causeCode(error)
  if (code && (TLS_CODES.has(code) || code.startsWith('ERR_TLS') || code.startsWith('ERR_SSL'))) {
    return new AuthError('idp_tls_error', `${code} from ${host}`, { cause: error })
  }
  return new AuthError('idp_unreachable', `${code ?? 'network error'} calling ${host}`, { cause: error })
}

function safeHost(url: string): string {
  try {
    return new URL(url).host
  } catch {
    return 'the identity server'
  }
}

async function readCapped(response: { body: ReadableStream<Uint8Array> | null }, limit: number, url: string) {
  if (!response.body) return new Uint8Array(0)
  const reader = response.body.getReader()
  const chunks: Uint8Array[] = []
  let total = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    total += value.byteLength
    if (total > limit) {
      await reader.cancel().catch(() => {})
      throw new AuthError('idp_bad_response', `response from ${safeHost(url)} is larger than ${limit} bytes`)
    }
    chunks.push(value)
  }
  const body = new Uint8Array(total)
  let offset = 0
  for (const chunk of chunks) {
    body.set(chunk, offset)
    offset += chunk.byteLength
  }
  return body
}

/**
 * Builds the fetch for calls to the IS. The returned Response is a global `Response` with the
 * whole (capped) body buffered, so oauth4webapi's checks see a standard object and a slow body
 * cannot outlive the timeout.
 */
export function createAuthFetch(options: HttpOptions): AuthFetch {
  const maxBody = options.maxBodyBytes ?? DEFAULT_MAX_BODY
  let dispatcher: Agent | undefined
  if (options.certificatePath) {
    const path = resolve(/* turbopackIgnore: true */ process.cwd(), options.certificatePath)
    let ca: string
    try {
      ca = readFileSync(/* turbopackIgnore: true */ path, 'utf8')
    } catch (error) {
      throw new AuthError(
        'config_invalid',
        `AUTH_CERTIFICATE_PATH: cannot read ${path} (${(error as Error).message}); export the IS certificate there`,
        { cause: error },
      )
    }
    if (!ca.includes('-----BEGIN CERTIFICATE-----')) {
      throw new AuthError('config_invalid', `AUTH_CERTIFICATE_PATH: ${path} is not a PEM certificate`)
    }
    // The IS certificate is trusted in addition to the public CAs, not instead of them, so the same
    // setting works when the IS moves behind a publicly trusted certificate.
    // One secure context, built once: passing `ca` per connection would re-parse ~145 root
    // certificates on every new TLS connection (about 20 ms of CPU each, measured by npm run bench).
    const secureContext = createSecureContext({ ca: [...rootCertificates, ca] })
    dispatcher = new Agent({
      connect: { secureContext },
      headersTimeout: options.timeoutMs,
      bodyTimeout: options.timeoutMs,
      keepAliveTimeout: 30_000,
      keepAliveMaxTimeout: 300_000,
    })
  }

  return async (url, init = {}) => {
    const timeout = AbortSignal.timeout(options.timeoutMs)
    const signal = init.signal ? AbortSignal.any([init.signal, timeout]) : timeout
    try {
      const response = await undiciFetch(url, {
        ...(init as Parameters<typeof undiciFetch>[1]),
        signal,
        redirect: 'manual',
        ...(dispatcher ? { dispatcher } : {}),
      })
      const body = await readCapped(response as unknown as Response, maxBody, url)
      const nullBody = response.status === 204 || response.status === 304
      return new Response(nullBody ? null : body, {
        status: response.status,
        statusText: response.statusText,
        headers: new Headers(response.headers as unknown as Headers),
      })
    } catch (error) {
      throw networkError(error, url)
    }
  }
}
