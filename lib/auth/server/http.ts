/**
 * The fetch every back-channel call to the IS goes through (discovery, token, userinfo, JWKS,
 * revoke, PAR, APIs on the IS). It trusts the configured certificate through an undici dispatcher
 * (the WSO2 Python SDK's `certificate_path`) instead of turning TLS checks off, bounds every call
 * with one deadline (oauth4webapi has no timeout of its own), caps the body size, and maps network
 * failures to coded errors.
 *
 * A timeout is a timeout whatever moment it fires: connecting, TLS, waiting for headers or reading
 * the body. The deadline is ours; undici's own timers are set beyond it so they never race it.
 *
 * Node only.
 *
 * @see https://github.com/panva/oauth4webapi/blob/main/docs/variables/customFetch.md
 */
import 'server-only'
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { createSecureContext, rootCertificates } from 'node:tls'
import { Agent, request as undiciRequest, type Dispatcher } from 'undici'
import { AuthError, isAuthError } from '../errors'

/** The shape oauth4webapi's and jose's `customFetch` options take. */
export type AuthFetch = (url: string, init?: RequestInit) => Promise<Response>

/** Options of {@link createAuthFetch}. */
export interface HttpOptions {
  certificatePath?: string
  timeoutMs: number
  /** Largest response body accepted, in bytes. */
  maxBodyBytes?: number
}

const DEFAULT_MAX_BODY = 512 * 1024

/** The bytes each Response of {@link createAuthFetch} was built from. */
const buffered = new WeakMap<Response, Uint8Array>()

/**
 * Parses a Response's body as JSON without consuming it, for a check before oauth4webapi reads
 * it. A Response made by {@link createAuthFetch} is parsed from its bytes; any other is cloned
 * (a clone tees the WHATWG body stream, which costs more than the parse).
 *
 * @param response - The response.
 * @returns The parsed body; throws when it is not JSON.
 * @example
 * ```ts
 * const body = await peekJson(response)
 * ```
 */
export async function peekJson(response: Response): Promise<unknown> {
  const bytes = buffered.get(response)
  return bytes ? JSON.parse(new TextDecoder().decode(bytes)) : response.clone().json()
}

/** TLS failures get their own code: the fix (trust the right certificate) differs from "server down". */
const TLS_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'UNABLE_TO_GET_ISSUER_CERT', 'CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID', 'CERT_SIGNATURE_FAILURE', 'CERT_UNTRUSTED', 'ERR_SSL_WRONG_VERSION_NUMBER',
])
/** undici's and Node's own timeout errors. */
const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT', 'ETIMEDOUT', 'ERR_SOCKET_CONNECTION_TIMEOUT'])

function causeChain(error: unknown): { names: string[]; codes: string[] } {
  const names: string[] = []
  const codes: string[] = []
  let current: unknown = error
  for (let i = 0; i < 6 && current && typeof current === 'object'; i++) {
    const { name, code, cause } = current as { name?: unknown; code?: unknown; cause?: unknown }
    if (typeof name === 'string') names.push(name)
    if (typeof code === 'string') codes.push(code)
    current = cause
  }
  return { names, codes }
}

function safeHost(url: string): string {
  try {
    return new URL(url).host
  } catch {
    return 'the identity server'
  }
}

/**
 * Maps a failed call to the AuthError a person should see.
 *
 * @param error - What the fetch (or body read) threw.
 * @param url - The URL called (only its host is logged).
 * @param timedOut - Whether our deadline had passed.
 * @returns A coded error: `idp_timeout`, `idp_tls_error` or `idp_unreachable`.
 */
export function networkError(error: unknown, url: string, timedOut = false): AuthError {
  if (isAuthError(error)) return error
  const host = safeHost(url)
  const { names, codes } = causeChain(error)
  if (timedOut || names.includes('TimeoutError') || codes.some((c) => TIMEOUT_CODES.has(c))) {
    return new AuthError('idp_timeout', `no answer from ${host} in time`, { cause: error })
  }
  const tls = codes.find((c) => TLS_CODES.has(c) || c.startsWith('ERR_TLS') || c.startsWith('ERR_SSL'))
  if (tls) return new AuthError('idp_tls_error', `${tls} from ${host}`, { cause: error })
  const code = codes.find((c) => c !== 'UND_ERR_SOCKET') ?? 'network error'
  return new AuthError('idp_unreachable', `${code} calling ${host}`, { cause: error })
}

async function readCapped(body: AsyncIterable<Uint8Array> & { destroy(): unknown }, limit: number, url: string): Promise<Uint8Array> {
  const chunks: Uint8Array[] = []
  let total = 0
  for await (const chunk of body) {
    total += chunk.byteLength
    if (total > limit) {
      body.destroy()
      throw new AuthError('idp_bad_response', `response from ${safeHost(url)} is larger than ${limit} bytes`)
    }
    chunks.push(chunk)
  }
  return chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, total)
}

/** Request headers as the plain object undici's `request` takes (oauth4webapi passes a Headers). */
function plainHeaders(headers: HeadersInit | undefined): Record<string, string> {
  const out: Record<string, string> = {}
  if (headers) new Headers(headers).forEach((value, name) => (out[name] = value))
  return out
}

/** A request body as undici's `request` takes it, with the content type fetch would add. */
async function plainBody(body: BodyInit | null | undefined, headers: Record<string, string>): Promise<string | Uint8Array | undefined> {
  if (body === null || body === undefined) return undefined
  if (typeof body === 'string') return body
  if (body instanceof Uint8Array) return body
  if (body instanceof URLSearchParams) {
    headers['content-type'] ??= 'application/x-www-form-urlencoded;charset=UTF-8'
    return body.toString()
  }
  // FormData, Blob, streams: serialised the way fetch does.
  const serialised = new Response(body)
  const type = serialised.headers.get('content-type')
  if (type) headers['content-type'] ??= type
  return new Uint8Array(await serialised.arrayBuffer())
}

function responseHeaders(raw: Record<string, string | string[] | undefined>): Headers {
  const headers = new Headers()
  for (const [name, value] of Object.entries(raw)) {
    if (Array.isArray(value)) for (const v of value) headers.append(name, v)
    else if (value !== undefined) headers.append(name, value)
  }
  return headers
}

function trustedDispatcher(certificatePath: string, timeoutMs: number): Agent {
  const path = resolve(/* turbopackIgnore: true */ process.cwd(), certificatePath)
  let ca: string
  try {
    ca = readFileSync(/* turbopackIgnore: true */ path, 'utf8')
  } catch (error) {
    throw new AuthError('config_invalid', `AUTH_CERTIFICATE_PATH: cannot read ${path} (${(error as Error).message}); export the IS certificate there`, { cause: error })
  }
  if (!ca.includes('-----BEGIN CERTIFICATE-----')) throw new AuthError('config_invalid', `AUTH_CERTIFICATE_PATH: ${path} is not a PEM certificate`)
  // The IS certificate is trusted in addition to the public CAs, so the same setting works when the
  // IS moves behind a publicly trusted certificate. One secure context, built once: passing `ca`
  // per connection re-parses the ~145 root certificates on every TLS handshake (~20 ms of CPU).
  const secureContext = createSecureContext({ ca: [...rootCertificates, ca] })
  const beyond = timeoutMs + 5000
  return new Agent({ connect: { secureContext, timeout: beyond }, headersTimeout: beyond, bodyTimeout: beyond, keepAliveTimeout: 30_000, keepAliveMaxTimeout: 300_000 })
}

/**
 * One call's deadline, released when the call ends. Not `AbortSignal.timeout()`: Node keeps its
 * timer (and, through the timer's async context, the whole request that made the call: response,
 * rendered page, stores) until the signal is garbage-collected and a FinalizationRegistry runs,
 * which under load retained hundreds of finished requests per instance. Nor `AbortSignal.any()`,
 * which ties the caller's signal to ours for as long as the caller's lives.
 *
 * @param ms - The deadline.
 * @param outer - The caller's signal, if any.
 * @returns The signal to pass on, whether the deadline fired, and the release to call at the end.
 */
export function deadline(ms: number, outer?: AbortSignal | null): { signal: AbortSignal; expired: () => boolean; release: () => void } {
  const controller = new AbortController()
  let fired = false
  const timer = setTimeout(() => {
    fired = true
    controller.abort(new DOMException('The operation timed out.', 'TimeoutError'))
  }, ms)
  const forward = () => controller.abort(outer?.reason)
  if (outer?.aborted) forward()
  else outer?.addEventListener('abort', forward, { once: true })
  return {
    signal: controller.signal,
    expired: () => fired,
    release: () => {
      clearTimeout(timer)
      outer?.removeEventListener('abort', forward)
    },
  }
}

/**
 * The request's answer, or the signal's reason as soon as it aborts. undici ignores an abort while
 * it is still connecting (a TLS handshake that never completes ends only at its own connect
 * timeout), so the deadline is enforced here; an answer that arrives after it is discarded.
 */
function untilAborted(pending: Promise<Dispatcher.ResponseData>, signal: AbortSignal): Promise<Dispatcher.ResponseData> {
  return new Promise((resolve, reject) => {
    const abort = () => {
      pending.then((late) => late.body.destroy(), () => {})
      reject(signal.reason)
    }
    if (signal.aborted) return abort()
    signal.addEventListener('abort', abort, { once: true })
    const settle = () => signal.removeEventListener('abort', abort)
    pending.then(
      (response) => {
        settle()
        resolve(response)
      },
      (error) => {
        settle()
        reject(error)
      },
    )
  })
}

/**
 * Builds the fetch for calls to the IS. The Response it returns is a global `Response` with the
 * whole (capped) body buffered, so oauth4webapi's checks see a standard object and a slow body
 * cannot outlive the deadline.
 *
 * @param options - Certificate, timeout, body cap.
 * @returns The fetch.
 * @throws {AuthError} `config_invalid` when the certificate cannot be read.
 * @example
 * ```ts
 * const fetch = createAuthFetch({ certificatePath: 'certs/wso2.crt', timeoutMs: 10_000 })
 * ```
 */
export function createAuthFetch(options: HttpOptions): AuthFetch {
  const maxBody = options.maxBodyBytes ?? DEFAULT_MAX_BODY
  const dispatcher = options.certificatePath ? trustedDispatcher(options.certificatePath, options.timeoutMs) : undefined
  return async (url, init = {}) => {
    const { signal, expired, release } = deadline(options.timeoutMs, init.signal)
    try {
      // undici's request, not its fetch: the same connection pool without WHATWG streams, which
      // cost a login callback more CPU than the protocol steps. It follows no redirects.
      const headers = plainHeaders(init.headers)
      const response = await untilAborted(
        undiciRequest(url, {
          method: (init.method ?? 'GET') as Dispatcher.HttpMethod,
          headers,
          body: await plainBody(init.body, headers),
          signal,
          ...(dispatcher ? { dispatcher } : {}),
        }),
        signal,
      )
      const body = await readCapped(response.body, maxBody, url)
      const nullBody = response.statusCode === 204 || response.statusCode === 304
      const answer = new Response(nullBody ? null : (body as BodyInit), { status: response.statusCode, statusText: response.statusText, headers: responseHeaders(response.headers) })
      if (!nullBody) buffered.set(answer, body)
      return answer
    } catch (error) {
      throw networkError(error, url, expired())
    } finally {
      release()
    }
  }
}

/**
 * A fetch for the JWKS: jose reports a non-200 answer and an unparsable body as generic errors, so
 * both are checked here and reported as the IS failing (`idp_error`, `idp_bad_response`), not as a
 * bad token: a back-channel logout must then answer 503 (retry), not 400.
 *
 * @param fetch - The IS fetch.
 * @returns A fetch for jose's `customFetch`.
 * @see https://www.rfc-editor.org/rfc/rfc7517#section-5 (JWK Set format)
 */
export function jwksFetch(fetch: AuthFetch): AuthFetch {
  return async (url, init) => {
    const response = await fetch(url, init)
    if (response.status !== 200) throw new AuthError('idp_error', `JWKS endpoint answered HTTP ${response.status}`)
    let body: unknown
    try {
      body = await peekJson(response)
    } catch {
      body = undefined
    }
    if (typeof body !== 'object' || body === null || !Array.isArray((body as { keys?: unknown }).keys)) {
      throw new AuthError('idp_bad_response', 'JWKS endpoint answered something that is not a JWK Set')
    }
    return response
  }
}
