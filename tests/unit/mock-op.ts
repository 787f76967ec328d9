/**
 * An in-process OpenID provider for lib/auth unit tests: a `fetch` that answers discovery, JWKS,
 * token, userinfo and revoke like WSO2 IS, with hooks to misbehave. Tokens are signed with real
 * jose keys. The end-to-end suite uses the real local IS stand-in instead.
 */
import { exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose'
import * as oauth from 'oauth4webapi'
import { parseAuthConfig, type AuthConfig } from '../../lib/auth/config'
import { buildClient, DiscoveryCache } from '../../lib/auth/discovery'
import { createJwksCache, type FlowContext } from '../../lib/auth/login'
import type { AuthFetch } from '../../lib/auth/http'
import type { Transaction } from '../../lib/auth/transaction'

export const ORIGIN = 'https://is.test'
export const ISSUER = `${ORIGIN}/oauth2/token`
export const CLIENT_ID = 'client-1'
export const SECRET = 'x'.repeat(32)

export const TEST_ENV = {
  AUTH_CLIENT_ID: CLIENT_ID,
  AUTH_CLIENT_SECRET: 'secret:with%special+chars',
  AUTH_SERVER_ORIGIN: ORIGIN,
  AUTH_SESSION_SECRET: SECRET,
  AUTH_CLIENT_HOST: 'https://app.test',
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

export interface MockOp {
  fetch: AuthFetch
  log: LoggedRequest[]
  config: AuthConfig
  ctx: FlowContext
  /** Make the next ID token with these claim overrides (undefined deletes a claim). */
  idTokenClaims: Record<string, unknown>
  idTokenHeader: Record<string, unknown>
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
  callback(params?: Record<string, string>): { txn: Transaction; url: URL }
}

function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } })
}

/** An RSA public key nobody signs with, for JWKS variants. */
export async function decoyJwk(kid?: string): Promise<JWK> {
  const { publicKey } = await generateKeyPair('RS256', { extractable: true })
  return { ...(await exportJWK(publicKey)), alg: 'RS256', use: 'sig', ...(kid ? { kid } : {}) }
}

export async function createMockOp(env: Record<string, string> = {}): Promise<MockOp> {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true })
  const kid = 'ZmFrZS10aHVtYnByaW50_RS256'
  const jwk: JWK = { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' }
  const config = parseAuthConfig({ ...TEST_ENV, ...env })
  const issuer = config.issuer
  const base = issuer.replace(/\/oauth2\/token$/, '')
  const log: LoggedRequest[] = []
  const override = new Map<string, () => Response | Promise<Response>>()
  const codes = new Map<string, { nonce: string }>()
  const refreshTokens = new Set<string>()

  const op: MockOp = {
    log,
    config,
    kid,
    override,
    jwksKeys: [jwk],
    idTokenClaims: {},
    idTokenHeader: {},
    userinfo: {},
    discovery: {
      issuer,
      authorization_endpoint: `${base}/oauth2/authorize`,
      token_endpoint: `${base}/oauth2/token`,
      userinfo_endpoint: `${base}/oauth2/userinfo`,
      jwks_uri: `${base}/oauth2/jwks`,
      revocation_endpoint: `${base}/oauth2/revoke`,
      end_session_endpoint: `${base}/oidc/logout`,
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
    callback(params = {}) {
      const txn: Transaction = {
        state: oauth.generateRandomState(),
        nonce: oauth.generateRandomNonce(),
        codeVerifier: oauth.generateRandomCodeVerifier(),
        returnTo: '/',
        createdAt: Math.floor(Date.now() / 1000),
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
    fetch: async (input, init = {}) => {
      const url = new URL(input)
      const body = new URLSearchParams(typeof init.body === 'string' ? init.body : init.body ? String(init.body) : '')
      log.push({ method: init.method ?? 'GET', path: url.pathname, body, headers: new Headers(init.headers) })
      const custom = override.get(url.pathname)
      if (custom) return custom()
      const path = url.pathname.replace(/^\/t\/[^/]+/, '')
      if (path === '/oauth2/token/.well-known/openid-configuration') return json(op.discovery)
      if (path === '/oauth2/jwks') return json({ keys: op.jwksKeys })
      if (path === '/oauth2/token' && body.get('grant_type') === 'refresh_token') {
        const presented = body.get('refresh_token') ?? ''
        if (!refreshTokens.delete(presented)) return json({ error_description: 'Persisted access token data not found', error: 'invalid_grant' }, 400)
        const now = Math.floor(Date.now() / 1000)
        const claims: Record<string, unknown> = { iss: issuer, sub: 'user-uuid-1', aud: CLIENT_ID, azp: CLIENT_ID, iat: now, nbf: now, exp: now + 3600, sid: 'sid-1' }
        for (const [k, v] of Object.entries(op.idTokenClaims)) {
          if (v === undefined) delete claims[k]
          else claims[k] = v
        }
        const refreshToken = crypto.randomUUID()
        refreshTokens.add(refreshToken)
        return json({ access_token: crypto.randomUUID(), refresh_token: refreshToken, scope: 'openid profile', id_token: await op.signIdToken(claims, op.idTokenHeader), token_type: 'Bearer', expires_in: 3600 })
      }
      if (path === '/oauth2/token') {
        const code = body.get('code') ?? ''
        const entry = codes.get(code)
        if (!entry) return json({ error_description: 'Invalid authorization code received from token request', error: 'invalid_grant' }, 400)
        codes.delete(code)
        const now = Math.floor(Date.now() / 1000)
        const claims: Record<string, unknown> = {
          iss: issuer, sub: 'user-uuid-1', aud: CLIENT_ID, azp: CLIENT_ID, iat: now, nbf: now, exp: now + 3600,
          nonce: entry.nonce, sid: 'sid-1', amr: ['BasicAuthenticator'], given_name: 'Ada', username: 'ada',
        }
        for (const [k, v] of Object.entries(op.idTokenClaims)) {
          if (v === undefined) delete claims[k]
          else claims[k] = v
        }
        const idToken = await op.signIdToken(claims, op.idTokenHeader)
        const refreshToken = crypto.randomUUID()
        refreshTokens.add(refreshToken)
        return json({ access_token: crypto.randomUUID(), refresh_token: refreshToken, scope: 'openid profile', id_token: idToken, token_type: 'Bearer', expires_in: 3600 })
      }
      if (path === '/oauth2/userinfo') return json({ sub: 'user-uuid-1', email: 'ada@example.com', ...op.userinfo })
      if (path === '/oauth2/revoke') return new Response(null, { status: 200 })
      return new Response('not found', { status: 404 })
    },
    ctx: undefined as unknown as FlowContext,
  }
  op.ctx = {
    config,
    fetch: op.fetch,
    discovery: new DiscoveryCache(config, op.fetch),
    provider: buildClient(config),
    jwks: createJwksCache(op.fetch),
  }
  return op
}
