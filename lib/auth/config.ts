/**
 * The one place lib/auth reads `process.env`. Values are read at run time (not inlined at build),
 * validated once, and a missing or invalid value stops with a message naming the key and what to
 * put there. Each key mirrors one key of the WSO2 Python SDK's `auth_config`.
 *
 * Edge-safe: the guard in middleware.ts calls {@link getSessionConfig}, which reads only what the
 * session needs. Reading the certificate file happens in http.ts (Node only).
 */
import { AuthError } from './errors'

export interface SessionConfig {
  /** Iron passwords keyed by a stable numeric id; `sealId` is the id of the newest secret. */
  passwords: Record<string, string>
  sealId: string
  /** Absolute session lifetime in seconds (AUTH_SESSION_MAX_AGE, default 8 h). */
  maxAge: number
  /** Idle timeout in seconds (AUTH_SESSION_IDLE_TIMEOUT, default 30 min). */
  idleTimeout: number
  /** Refresh the access token this many seconds before it expires (AUTH_REFRESH_BUFFER, default 60). */
  refreshBuffer: number
  /** Whether cookies get the Secure flag and the __Host- prefix (true when AUTH_CLIENT_HOST is https). */
  secure: boolean
  cookieName: string
  /** Origin of AUTH_CLIENT_HOST, for building the /signin redirect. */
  appOrigin: string
}

export interface AuthConfig {
  loginCallbackUrl: string
  logoutCallbackUrl: string
  clientHost: string
  /** Origin of AUTH_CLIENT_HOST: the only origin used to build URLs and check redirects. */
  appOrigin: string
  clientId: string
  clientSecret: string | undefined
  serverOrigin: string
  tenantPath: string
  tenant: string
  /** Issuer the discovery document and ID tokens must carry (WSO2: `{origin}{tenant path}/oauth2/token`). */
  issuer: string
  /** Where the discovery document is fetched. */
  discoveryUrl: string
  certificatePath: string | undefined
  scope: string
  /** Timeout for each call to the IS, in milliseconds. */
  httpTimeout: number
  /** How long the discovery document is cached, in seconds. */
  discoveryTtl: number
  /** Revocation store for back-channel logout: Redis when REDIS_URL is set, else process memory. */
  redisUrl: string | undefined
  session: SessionConfig
}

type Env = Record<string, string | undefined>

/**
 * Each key is read with a literal `process.env.KEY` so Next.js keeps it a run-time lookup in both
 * runtimes (the edge middleware gets the value `next start` was started with, not the build's).
 */
function readEnv(): Env {
  return {
    AUTH_LOGIN_CALLBACK_URL: process.env.AUTH_LOGIN_CALLBACK_URL,
    AUTH_LOGOUT_CALLBACK_URL: process.env.AUTH_LOGOUT_CALLBACK_URL,
    AUTH_CLIENT_HOST: process.env.AUTH_CLIENT_HOST,
    AUTH_CLIENT_ID: process.env.AUTH_CLIENT_ID,
    AUTH_CLIENT_SECRET: process.env.AUTH_CLIENT_SECRET,
    AUTH_SERVER_ORIGIN: process.env.AUTH_SERVER_ORIGIN,
    AUTH_TENANT_PATH: process.env.AUTH_TENANT_PATH,
    AUTH_TENANT: process.env.AUTH_TENANT,
    AUTH_ISSUER: process.env.AUTH_ISSUER,
    AUTH_CERTIFICATE_PATH: process.env.AUTH_CERTIFICATE_PATH,
    AUTH_SCOPE: process.env.AUTH_SCOPE,
    AUTH_SESSION_SECRET: process.env.AUTH_SESSION_SECRET,
    AUTH_SESSION_MAX_AGE: process.env.AUTH_SESSION_MAX_AGE,
    AUTH_SESSION_IDLE_TIMEOUT: process.env.AUTH_SESSION_IDLE_TIMEOUT,
    AUTH_REFRESH_BUFFER: process.env.AUTH_REFRESH_BUFFER,
    AUTH_HTTP_TIMEOUT: process.env.AUTH_HTTP_TIMEOUT,
    AUTH_DISCOVERY_TTL: process.env.AUTH_DISCOVERY_TTL,
    REDIS_URL: process.env.REDIS_URL,
  }
}

/** A configuration problem; the message names the key and what to put there. */
export class ConfigError extends AuthError {
  readonly key: string
  constructor(key: string, problem: string) {
    super('config_invalid', `${key} ${problem}`)
    this.key = key
    this.message = `Invalid auth configuration: ${key} ${problem}. See .env.example.`
  }
}

function str(env: Env, key: string): string | undefined {
  const value = env[key]?.trim()
  return value ? value : undefined
}

function required(env: Env, key: string, hint: string): string {
  const value = str(env, key)
  if (!value) throw new ConfigError(key, `is missing: set it to ${hint}`)
  return value
}

function httpsUrl(env: Env, key: string, fallback?: string, { allowPath = true } = {}): string {
  const raw = str(env, key) ?? fallback
  if (!raw) throw new ConfigError(key, 'is missing: set it to an https:// URL')
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    throw new ConfigError(key, `is not a URL ("${raw}"): set it to an absolute https:// URL`)
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopback(url.hostname))) {
    throw new ConfigError(key, `must use https:// (got "${raw}")`)
  }
  if (url.username || url.password || url.hash) {
    throw new ConfigError(key, 'must not contain credentials or a #fragment')
  }
  if (!allowPath && (url.pathname !== '/' || url.search)) {
    throw new ConfigError(key, `must be an origin without a path, like https://localhost:9443 (got "${raw}")`)
  }
  return allowPath ? url.href : url.origin
}

function isLoopback(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '127.0.0.1' || hostname === '[::1]'
}

function seconds(env: Env, key: string, fallback: number, min: number): number {
  const raw = str(env, key)
  if (raw === undefined) return fallback
  if (!/^\d+$/.test(raw) || Number(raw) < min) {
    throw new ConfigError(key, `must be a whole number of seconds, at least ${min} (got "${raw}")`)
  }
  return Number(raw)
}

function redisUrl(env: Env): string | undefined {
  const raw = str(env, 'REDIS_URL')
  if (!raw) return undefined
  try {
    const url = new URL(raw)
    if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') throw new Error('scheme')
  } catch {
    throw new ConfigError('REDIS_URL', `must be a redis:// or rediss:// URL (got "${raw}")`)
  }
  return raw
}

/** FNV-1a: a stable, non-secret id per session secret, so rotating secrets never renumbers old seals. */
export function secretId(secret: string): string {
  let hash = 0x811c9dc5
  for (let i = 0; i < secret.length; i++) {
    hash ^= secret.charCodeAt(i)
    hash = Math.imul(hash, 0x01000193) >>> 0
  }
  return String(hash + 1)
}

function sessionSecrets(env: Env): { passwords: Record<string, string>; sealId: string } {
  const raw = str(env, 'AUTH_SESSION_SECRET')
  if (!raw) {
    throw new ConfigError(
      'AUTH_SESSION_SECRET',
      'is missing: set it to a random string of at least 32 characters (for example the output of `openssl rand -base64 32`)',
    )
  }
  const secrets = raw.split(',').map((s) => s.trim()).filter(Boolean)
  const passwords: Record<string, string> = {}
  for (const secret of secrets) {
    if (secret.length < 32) {
      throw new ConfigError('AUTH_SESSION_SECRET', `has a secret of ${secret.length} characters: each needs at least 32`)
    }
    passwords[secretId(secret)] = secret
  }
  return { passwords, sealId: secretId(secrets[0]) }
}

/** Derives the session part of the configuration. Edge-safe. */
export function parseSessionConfig(env: Env): SessionConfig {
  const clientHost = httpsUrl(env, 'AUTH_CLIENT_HOST', 'https://localhost:5000')
  const secure = new URL(clientHost).protocol === 'https:'
  return {
    ...sessionSecrets(env),
    maxAge: seconds(env, 'AUTH_SESSION_MAX_AGE', 8 * 60 * 60, 10),
    idleTimeout: seconds(env, 'AUTH_SESSION_IDLE_TIMEOUT', 30 * 60, 5),
    refreshBuffer: seconds(env, 'AUTH_REFRESH_BUFFER', 60, 0),
    secure,
    cookieName: secure ? '__Host-myclinic-session' : 'myclinic-session',
    appOrigin: new URL(clientHost).origin,
  }
}

/** Parses and validates the whole configuration from an env object. Pure; used by tests. */
export function parseAuthConfig(env: Env): AuthConfig {
  const clientHost = httpsUrl(env, 'AUTH_CLIENT_HOST', 'https://localhost:5000')
  const appOrigin = new URL(clientHost).origin
  const loginCallbackUrl = httpsUrl(env, 'AUTH_LOGIN_CALLBACK_URL', `${appOrigin}/login`)
  const logoutCallbackUrl = httpsUrl(env, 'AUTH_LOGOUT_CALLBACK_URL', `${appOrigin}/signin`)
  for (const [key, value] of [
    ['AUTH_LOGIN_CALLBACK_URL', loginCallbackUrl],
    ['AUTH_LOGOUT_CALLBACK_URL', logoutCallbackUrl],
  ] as const) {
    if (new URL(value).origin !== appOrigin) {
      throw new ConfigError(key, `must be on the app's origin ${appOrigin} (AUTH_CLIENT_HOST), got "${value}"`)
    }
  }

  const serverOrigin = httpsUrl(env, 'AUTH_SERVER_ORIGIN', undefined, { allowPath: false })
  const tenantPathRaw = str(env, 'AUTH_TENANT_PATH') ?? ''
  if (tenantPathRaw && !/^\/t\/[A-Za-z0-9._-]+$/.test(tenantPathRaw)) {
    throw new ConfigError('AUTH_TENANT_PATH', `must look like /t/<tenant or organization> or be empty (got "${tenantPathRaw}")`)
  }
  const tenantFromPath = tenantPathRaw ? tenantPathRaw.slice(3) : 'carbon.super'
  const tenant = str(env, 'AUTH_TENANT') ?? tenantFromPath
  if (tenant !== tenantFromPath) {
    throw new ConfigError('AUTH_TENANT', `("${tenant}") does not match AUTH_TENANT_PATH ("${tenantPathRaw || '(empty)'}")`)
  }
  // WSO2 builds no /t/carbon.super segment into the URLs it emits for the super tenant, although it
  // accepts requests that carry one (wso2-is.md 0.3): the issuer never contains it.
  const issuerPath = tenant === 'carbon.super' ? '' : tenantPathRaw
  const issuer = str(env, 'AUTH_ISSUER')
    ? httpsUrl(env, 'AUTH_ISSUER').replace(/\/$/, '')
    : `${serverOrigin}${issuerPath}/oauth2/token`

  const scope = str(env, 'AUTH_SCOPE') ?? 'openid profile email'
  if (!scope.split(/\s+/).includes('openid')) {
    throw new ConfigError('AUTH_SCOPE', `must include "openid" (got "${scope}")`)
  }
  if (/[^\x21-\x7e ]/.test(scope) || /["\\]/.test(scope)) {
    throw new ConfigError('AUTH_SCOPE', 'must be space-separated scope names')
  }

  const clientId = required(env, 'AUTH_CLIENT_ID', "the Client ID from your application's Protocol tab in the WSO2 Console")

  return {
    loginCallbackUrl,
    logoutCallbackUrl,
    clientHost,
    appOrigin,
    clientId,
    clientSecret: str(env, 'AUTH_CLIENT_SECRET'),
    serverOrigin,
    tenantPath: tenantPathRaw,
    tenant,
    issuer,
    discoveryUrl: `${serverOrigin}${tenantPathRaw}/oauth2/token/.well-known/openid-configuration`,
    certificatePath: str(env, 'AUTH_CERTIFICATE_PATH'),
    scope: scope.split(/\s+/).join(' '),
    httpTimeout: seconds(env, 'AUTH_HTTP_TIMEOUT', 10, 1) * 1000,
    discoveryTtl: seconds(env, 'AUTH_DISCOVERY_TTL', 600, 0),
    redisUrl: redisUrl(env),
    session: parseSessionConfig(env),
  }
}

let cachedAuth: AuthConfig | undefined
let cachedSession: SessionConfig | undefined

/** The validated configuration, read from `process.env` once per process. Throws {@link ConfigError}. */
export function getAuthConfig(): AuthConfig {
  cachedAuth ??= parseAuthConfig(readEnv())
  return cachedAuth
}

/** The session part only: what the edge guard needs. Throws {@link ConfigError}. */
export function getSessionConfig(): SessionConfig {
  cachedSession ??= parseSessionConfig(readEnv())
  return cachedSession
}

/** Forget the cached configuration (tests). */
export function resetConfigForTests(): void {
  cachedAuth = undefined
  cachedSession = undefined
}
