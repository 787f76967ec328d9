/**
 * Discovery of the IS. WSO2 serves the document at
 * `{origin}{tenant path}/oauth2/token/.well-known/openid-configuration` and its issuer is the token
 * endpoint URL. The document is cached for `discoveryTtl` seconds; failures are never cached, so a
 * login works as soon as the IS is back.
 *
 * Node only.
 *
 * @see https://openid.net/specs/openid-connect-discovery-1_0.html#ProviderConfigurationValidation
 * @see https://is.docs.wso2.com/en/latest/guides/authentication/oidc/discover-oidc-configs/
 */
import 'server-only'
import * as oauth from 'oauth4webapi'
import type { AuthConfig } from '../config'
import { AuthError } from '../errors'
import type { AuthFetch } from './http'
import { classify } from './library-errors'

/** Endpoints the browser is sent to: oauth4webapi never checks these. */
const BROWSER_ENDPOINTS = ['authorization_endpoint', 'end_session_endpoint'] as const
/** Endpoints the server calls: oauth4webapi insists on https for them; their origin is pinned too. */
const BACKCHANNEL_ENDPOINTS = ['token_endpoint', 'userinfo_endpoint', 'jwks_uri', 'revocation_endpoint', 'pushed_authorization_request_endpoint'] as const

/**
 * Checks every endpoint URL is https on the issuer's origin, so a hostile or misconfigured
 * document cannot turn the app into a redirector or send tokens elsewhere.
 *
 * @param as - The discovery document.
 * @param issuer - The expected issuer.
 * @throws {AuthError} `discovery_invalid`.
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-4.11
 */
export function checkEndpoints(as: oauth.AuthorizationServer, issuer: string): void {
  const issuerOrigin = new URL(issuer).origin
  for (const key of ['authorization_endpoint', 'token_endpoint', 'jwks_uri'] as const) {
    if (typeof as[key] !== 'string') throw new AuthError('discovery_invalid', `${key} is missing`)
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
    if (url.origin !== issuerOrigin) throw new AuthError('discovery_invalid', `${key} is not on the issuer's origin ${issuerOrigin}`)
    if (url.username || url.password) throw new AuthError('discovery_invalid', `${key} carries credentials`)
  }
}

/**
 * Fetches and validates the discovery document.
 *
 * @param config - Issuer and discovery URL.
 * @param fetch - The IS fetch.
 * @returns The document.
 * @throws {AuthError} `discovery_invalid`, `idp_error`, `idp_bad_response` or a network code.
 */
export async function fetchDiscovery(config: Pick<AuthConfig, 'issuer' | 'discoveryUrl'>, fetch: AuthFetch): Promise<oauth.AuthorizationServer> {
  const response = await fetch(config.discoveryUrl, { headers: { accept: 'application/json' } })
  try {
    // processDiscoveryResponse compares the document's issuer with ours (OIDC Discovery 4.3).
    const as = await oauth.processDiscoveryResponse(new URL(config.issuer), response)
    if (as.issuer !== config.issuer) throw new AuthError('discovery_invalid', `discovery issuer "${as.issuer}" is not "${config.issuer}"`)
    checkEndpoints(as, config.issuer)
    return as
  } catch (error) {
    throw classify(error, 'discovery').error
  }
}

/**
 * One discovery document per context, refreshed after `ttl` seconds; concurrent misses share one
 * request and failures are not cached.
 */
export class DiscoveryCache {
  private entry: { as: oauth.AuthorizationServer; expires: number } | undefined
  private inflight: Promise<oauth.AuthorizationServer> | undefined

  /**
   * @param config - Issuer, discovery URL and TTL.
   * @param fetch - The IS fetch.
   * @param now - Clock (tests).
   */
  constructor(
    private readonly config: Pick<AuthConfig, 'issuer' | 'discoveryUrl' | 'discoveryTtl'>,
    private readonly fetch: AuthFetch,
    private readonly now: () => number = Date.now,
  ) {}

  /** The current document. */
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
}
