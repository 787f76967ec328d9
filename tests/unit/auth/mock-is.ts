/**
 * An in-process OpenID provider for lib/auth unit tests: a `fetch` that answers discovery, JWKS,
 * token, userinfo, revoke and PAR like WSO2 IS, with hooks to misbehave. Tokens are signed with real
 * jose keys. The end-to-end suite uses the real local IS stand-in instead.
 */
import { exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose'
import * as oauth from 'oauth4webapi'
import { resolveConfig, type AuthConfig } from '../../../lib/auth/config'
import type { AuthOptions } from '../../../lib/auth/options'
import { MemoryStore, type AuthStore } from '../../../lib/auth/store'
import type { Transaction } from '../../../lib/auth/transaction'
import { buildClient } from '../../../lib/auth/server/client-auth'
import { createJwksCache, type AuthContext } from '../../../lib/auth/server/context'
import { DiscoveryCache } from '../../../lib/auth/server/discovery'
import type { AuthFetch } from '../../../lib/auth/server/http'

export const ORIGIN = 'https://is.test'
export const ISSUER = `${ORIGIN}/oauth2/token`
export const CLIENT_ID = 'client-1'
export const APP = 'https://app.test'
/** 32 random bytes, base64: the config refuses guessable secrets. */
export const SECRET = 'mN7vQ2xK9pL4wR8tY1uZ6aB3cD5eF0gH2jK4lM6nP8q='

export const TEST_OPTIONS: AuthOptions = {
  appName: 'test',
  clientId: CLIENT_ID,
  clientSecret: 'secret:with%special+chars',
  serverOrigin: ORIGIN,
  sessionSecret: SECRET,
  clientHost: APP,
}

/** A configuration from test options (nothing read from the environment). */
export function testConfig(options: AuthOptions = {}): AuthConfig {
  return resolveConfig({ ...TEST_OPTIONS, ...options }, {})
}

/**
 * Changes one character in the middle of a JWT's signature (the last character of an RS256
 * signature carries only padding-adjacent bits, so changing it may change nothing).
 */
export function corruptSignature(jwt: string): string {
  const dot = jwt.lastIndexOf('.')
  const at = dot + 1 + Math.floor((jwt.length - dot - 1) / 2)
  return jwt.slice(0, at) + (jwt[at] === 'A' ? 'B' : 'A') + jwt.slice(at + 1)
}

export interface LoggedRequest {
  method: string
  path: string
  body: URLSearchParams
  headers: Headers
}

export interface MockIs {
  fetch: AuthFetch
  log: LoggedRequest[]
  config: AuthConfig
  ctx: AuthContext
  /** Make the next ID tokens with these claim overrides (undefined deletes a claim). */
  idTokenClaims: Record<string, unknown>
  idTokenHeader: Record<string, unknown>
  /** Extra members of token responses (e.g. `expires_in`); undefined deletes. */
  tokenResponse: Record<string, unknown>
  discovery: Record<string, unknown>
  userinfo: Record<string, unknown>
  /** The published JWKS keys (the signing key by default). */
  jwksKeys: JWK[]
  /** Override any response by path. */
  override: Map<string, () => Response | Promise<Response>>
  kid: string
  signIdToken(claims: Record<string, unknown>, header?: Record<string, unknown>): Promise<string>
  /** Registers a refresh token the token endpoint will accept once. */
  issueRefreshToken(): string
  /** A transaction plus the matching callback URL, as the IS would redirect. */
  callback(params?: Record<string, string>, txn?: Partial<Transaction>): { txn: Transaction; url: URL }
  tokenCalls(grant?: string): number
}

function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } })
}

/** An RSA public key nobody signs with, for JWKS variants. */
export async function decoyJwk(kid?: string): Promise<JWK> {
  const { publicKey } = await generateKeyPair('RS256', { extractable: true })
  return { ...(await exportJWK(publicKey)), alg: 'RS256', use: 'sig', ...(kid ? { kid } : {}) }
}

function apply(target: Record<string, unknown>, changes: Record<string, unknown>) {
  for (const [k, v] of Object.entries(changes)) {
    if (v === undefined) delete target[k]
    else target[k] = v
  }
  return target
}

/**
 * A mock IS and a context wired to it.
 *
 * @param options - Options for the configuration (over {@link TEST_OPTIONS}).
 * @param state - The state store (share one between two contexts to model two instances).
 * @param sessions - A session store, or null for the cookie store.
 */
export async function createMockIs(options: AuthOptions = {}, state: AuthStore = new MemoryStore(), sessions: AuthStore | null = null): Promise<MockIs> {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true })
  const kid = 'ZmFrZS10aHVtYnByaW50_RS256'
  const jwk: JWK = { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' }
  const config = testConfig(options)
  const base = config.issuer.replace(/\/oauth2\/token$/, '')
  const log: LoggedRequest[] = []
  const override = new Map<string, () => Response | Promise<Response>>()
  const codes = new Map<string, { nonce: string }>()
  const refreshTokens = new Set<string>()
  const now = () => Math.floor(Date.now() / 1000)

  const tokenSet = async (claims: Record<string, unknown>) => {
    const refreshToken = crypto.randomUUID()
    refreshTokens.add(refreshToken)
    const body = { access_token: crypto.randomUUID(), refresh_token: refreshToken, scope: 'openid profile', id_token: await op.signIdToken(apply(claims, op.idTokenClaims), op.idTokenHeader), token_type: 'Bearer', expires_in: 3600 }
    return json(apply(body, op.tokenResponse))
  }

  const op: MockIs = {
    log,
    config,
    kid,
    override,
    jwksKeys: [jwk],
    idTokenClaims: {},
    idTokenHeader: {},
    tokenResponse: {},
    userinfo: {},
    discovery: {
      issuer: config.issuer,
      authorization_endpoint: `${base}/oauth2/authorize`,
      token_endpoint: `${base}/oauth2/token`,
      userinfo_endpoint: `${base}/oauth2/userinfo`,
      jwks_uri: `${base}/oauth2/jwks`,
      revocation_endpoint: `${base}/oauth2/revoke`,
      end_session_endpoint: `${base}/oidc/logout`,
      pushed_authorization_request_endpoint: `${base}/oauth2/par`,
      id_token_signing_alg_values_supported: ['RS256'],
      code_challenge_methods_supported: ['S256', 'plain'],
    },
    async signIdToken(claims, header = {}) {
      return new SignJWT(claims as never).setProtectedHeader({ alg: 'RS256', kid, ...header } as never).sign(privateKey)
    },
    issueRefreshToken() {
      const token = crypto.randomUUID()
      refreshTokens.add(token)
      return token
    },
    callback(params = {}, overrides = {}) {
      const txn: Transaction = {
        v: 1,
        state: `0${oauth.generateRandomState()}`,
        nonce: oauth.generateRandomNonce(),
        codeVerifier: oauth.generateRandomCodeVerifier(),
        returnTo: '/',
        createdAt: Date.now(),
        params: {},
        ...overrides,
      }
      const code = crypto.randomUUID()
      codes.set(code, { nonce: txn.nonce })
      const url = new URL(config.loginCallbackUrl)
      url.searchParams.set('code', code)
      url.searchParams.set('state', txn.state)
      url.searchParams.set('session_state', 'abc.def')
      for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v)
      return { txn, url }
    },
    tokenCalls(grant) {
      return log.filter((r) => r.path.endsWith('/oauth2/token') && (!grant || r.body.get('grant_type') === grant)).length
    },
    fetch: async (input, init = {}) => {
      const url = new URL(input)
      const body = new URLSearchParams(typeof init.body === 'string' ? init.body : init.body ? String(init.body) : '')
      log.push({ method: init.method ?? 'GET', path: url.pathname, body, headers: new Headers(init.headers) })
      const custom = override.get(url.pathname)
      if (custom) return custom()
      const path = url.pathname.replace(/^\/t\/[^/]+/, '')
      const claims = { iss: config.issuer, sub: 'user-uuid-1', aud: CLIENT_ID, azp: CLIENT_ID, iat: now(), nbf: now(), exp: now() + 3600, sid: 'sid-1' }
      if (path === '/oauth2/token/.well-known/openid-configuration') return json(op.discovery)
      if (path === '/oauth2/jwks') return json({ keys: op.jwksKeys })
      if (path === '/oauth2/par') return json({ request_uri: `urn:ietf:params:oauth:par:request_uri:${crypto.randomUUID()}`, expires_in: 60 }, 201)
      if (path === '/oauth2/token' && body.get('grant_type') === 'refresh_token') {
        if (!refreshTokens.delete(body.get('refresh_token') ?? '')) return json({ error_description: 'Persisted access token data not found', error: 'invalid_grant' }, 400)
        return tokenSet(claims)
      }
      if (path === '/oauth2/token') {
        const entry = codes.get(body.get('code') ?? '')
        if (!entry) return json({ error_description: 'Invalid authorization code received from token request', error: 'invalid_grant' }, 400)
        codes.delete(body.get('code')!)
        return tokenSet({ ...claims, nonce: entry.nonce, amr: ['BasicAuthenticator'], given_name: 'Ada', username: 'ada' })
      }
      if (path === '/oauth2/userinfo') return json({ sub: 'user-uuid-1', email: 'ada@example.com', ...op.userinfo })
      if (path === '/oauth2/revoke') return new Response(null, { status: 200 })
      return new Response('not found', { status: 404 })
    },
    ctx: undefined as unknown as AuthContext,
  }
  let client: ReturnType<typeof buildClient> | undefined
  op.ctx = {
    config,
    fetch: op.fetch,
    discovery: new DiscoveryCache(config, op.fetch),
    client: () => (client ??= buildClient(config)),
    jwks: createJwksCache(op.fetch, config.httpTimeoutMs),
    state,
    sessions,
  }
  return op
}
