/**
 * Discovery of the IS and the oauth4webapi client. WSO2 serves the discovery document at
 * `{origin}{tenant path}/oauth2/token/.well-known/openid-configuration` and its issuer is the
 * token endpoint URL (wso2-is.md 0.1-0.3). The document is cached for AUTH_DISCOVERY_TTL seconds;
 * failures are never cached, so a login works as soon as the IS is back (rp-security RS-05).
 *
 * Node only (uses the certificate-trusting fetch).
 */
import 'server-only'
import * as oauth from 'oauth4webapi'
import type { AuthConfig } from './config'
import { AuthError, isAuthError } from './errors'
import type { AuthFetch } from './http'

export interface Provider {
  as: oauth.AuthorizationServer
  client: oauth.Client
  clientAuth: oauth.ClientAuth
}

/** Endpoints the browser is sent to: oauth4webapi never checks these (rp-security DK-03). */
const BROWSER_ENDPOINTS = ['authorization_endpoint', 'end_session_endpoint'] as const
/** Endpoints the server calls: oauth4webapi insists on https for them; we also pin their origin. */
const BACKCHANNEL_ENDPOINTS = ['token_endpoint', 'userinfo_endpoint', 'jwks_uri', 'revocation_endpoint'] as const

/**
 * Checks every endpoint URL is https on the issuer's origin. A hostile or misconfigured document
 * must not turn the app into a redirector (RFC 9700 4.11) or send tokens elsewhere (OIDC
 * Discovery 3: endpoints MUST use https).
 */
export function checkEndpoints(as: oauth.AuthorizationServer, issuer: string): void {
  const issuerOrigin = new URL(issuer).origin
  if (typeof as.authorization_endpoint !== 'string') {
    throw new AuthError('discovery_invalid', 'authorization_endpoint is missing')
  }
  if (typeof as.token_endpoint !== 'string') {
    throw new AuthError('discovery_invalid', 'token_endpoint is missing')
  }
  if (typeof as.jwks_uri !== 'string') {
    throw new AuthError('discovery_invalid', 'jwks_uri is missing')
  }
  for (const key of [...BROWSER_ENDPOINTS, ...BACKCHANNEL_ENDPOINTS]) {
    const value = as[key]
    if (value === undefined) continue
    let url: URL
    try {
      if (typeof value !== 'string') throw new TypeError('not a string')
      url = new URL(value)
    } catch {
      throw new AuthError('discovery_invalid', `${key} is not a URL`)
    }
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && new URL(issuer).protocol === 'http:')) {
      throw new AuthError('discovery_invalid', `${key} does not use https`)
    }
    if (url.origin !== issuerOrigin) {
      throw new AuthError('discovery_invalid', `${key} is not on the issuer's origin ${issuerOrigin}`)
    }
    if (url.username || url.password) {
      throw new AuthError('discovery_invalid', `${key} carries credentials`)
    }
  }
}

export function buildClient(config: AuthConfig): Pick<Provider, 'client' | 'clientAuth'> {
  return {
    client: {
      client_id: config.clientId,
      // Pinned, so a document listing "none" cannot get an unsigned ID token accepted (rp-security ID-08).
      id_token_signed_response_alg: 'RS256',
    },
    clientAuth: config.clientSecret ? oauth.ClientSecretBasic(config.clientSecret) : oauth.None(),
  }
}

/** Maps oauth4webapi's errors on the discovery response to coded errors. */
function discoveryError(error: unknown): AuthError {
  if (isAuthError(error)) return error
  if (error instanceof oauth.OperationProcessingError) {
    if (error.code === oauth.JSON_ATTRIBUTE_COMPARISON) {
      // The IS (or whatever answered) is misconfigured: a 502-class page, nothing is redirected (rp-security DK-01).
      return new AuthError('discovery_invalid', 'discovery issuer differs from the configured issuer', { cause: error })
    }
    if (error.code === oauth.RESPONSE_IS_NOT_CONFORM) {
      return new AuthError('idp_error', 'discovery endpoint did not answer 200', { cause: error })
    }
    if (error.code === oauth.PARSE_ERROR || error.code === oauth.RESPONSE_IS_NOT_JSON) {
      return new AuthError('idp_bad_response', 'discovery document is not JSON', { cause: error })
    }
    return new AuthError('discovery_invalid', error.message, { cause: error })
  }
  if (error instanceof TypeError) {
    return new AuthError('discovery_invalid', error.message, { cause: error })
  }
  return new AuthError('discovery_invalid', error instanceof Error ? error.message : undefined, { cause: error })
}

export async function fetchDiscovery(config: AuthConfig, fetch: AuthFetch): Promise<oauth.AuthorizationServer> {
  const response = await fetch(config.discoveryUrl, { headers: { accept: 'application/json' } })
  try {
    // processDiscoveryResponse compares the document's issuer with ours (OIDC Discovery 4.3).
    const as = await oauth.processDiscoveryResponse(new URL(config.issuer), response)
    if (as.issuer !== config.issuer) {
      throw new AuthError('discovery_invalid', `discovery issuer "${as.issuer}" is not "${config.issuer}"`)
    }
    checkEndpoints(as, config.issuer)
    return as
  } catch (error) {
    throw discoveryError(error)
  }
}

interface CacheEntry {
  as: oauth.AuthorizationServer
  expires: number
}

/**
 * A discovery cache: one document per process, refreshed after `ttl` seconds, concurrent
 * misses share one request.
 */
export class DiscoveryCache {
  private entry: CacheEntry | undefined
  private inflight: Promise<oauth.AuthorizationServer> | undefined

  constructor(
    private readonly config: AuthConfig,
    private readonly fetch: AuthFetch,
    private readonly now: () => number = Date.now,
  ) {}

  async get(): Promise<oauth.AuthorizationServer> {
    if (this.entry && this.entry.expires > this.now()) return this.entry.as
    this.inflight ??= fetchDiscovery(this.config, this.fetch)
      .then((as) => {
        this.entry = { as, expires: this.now() + this.config.discoveryTtl * 1000 }
        return as
      })
      .finally(() => {
        this.inflight = undefined
      })
    return this.inflight
  }

  /** Drops the cached document, e.g. after the IS rotated its endpoints. */
  invalidate(): void {
    this.entry = undefined
  }
}
