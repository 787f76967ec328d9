/**
 * The one place configuration is resolved and validated: options passed to `createAuth()` win over
 * the `AUTH_*` environment, everything is checked once, and a missing or invalid value stops with
 * a message naming the option and key and what to put there. The result is one frozen object that
 * the edge guard and the Node handlers share.
 *
 * Edge-safe: reading the certificate and key files happens in Node code (server/).
 */
import { ConfigError, httpsUrl, oneOf, onOff, path, pick, redisUrl, seconds, text, type Source } from './config-values'
import type { AuthEnv } from './env'
import type { AuthOptions, ClientAuthMethod } from './options'
import { secretWeakness } from './secrets'
import type { AuthStore } from './store'

export { ConfigError, redactUrl } from './config-values'

/** Auth routes after defaults are applied. */
export interface ResolvedRoutes {
  login: string
  refresh: string
  logout: string
  backchannelLogout: string
  session: string
  signIn: string | null
}

/** The session part of the configuration. */
export interface SessionSettings {
  /** Secrets, newest first: the newest seals, all unseal. */
  secrets: string[]
  /** Absolute lifetime in seconds. */
  maxAge: number
  /** Idle timeout in seconds. */
  idleTimeout: number
  /** Refresh this many seconds before the access token expires. */
  refreshBuffer: number
  /** Secure cookies with the `__Host-` prefix (true when the app runs on https). */
  secure: boolean
  /** Name of the session cookie (chunks add `.0`, `.1`, ...). */
  cookieName: string
  /** Name of the small cookie that carries the idle timer and refresh back-off. */
  activityCookieName: string
  /** Prefix of the login transaction cookies. */
  transactionPrefix: string
}

/** The validated configuration. */
export interface AuthConfig {
  appName: string
  /** Origin of the app: the only origin used to build URLs and check redirects (never request headers). */
  appOrigin: string
  routes: ResolvedRoutes
  publicPaths: string[]
  loginCallbackUrl: string
  logoutCallbackUrl: string
  clientId: string
  clientSecret: string | undefined
  clientAuth: ClientAuthMethod
  clientKeyPath: string | undefined
  clientKeyId: string | undefined
  serverOrigin: string
  tenantPath: string
  /** Issuer the discovery document and ID tokens must carry (WSO2: `{origin}{tenant path}/oauth2/token`). */
  issuer: string
  discoveryUrl: string
  certificatePath: string | undefined
  scope: string
  par: 'auto' | 'on' | 'off'
  /** Whether a login calls the userinfo endpoint. */
  userinfo: boolean
  /** The IS self-registration page, or null when sign-up is off. */
  signUpUrl: string | null
  /** Timeout for each call to the IS, in milliseconds. */
  httpTimeoutMs: number
  /** Discovery cache lifetime, in seconds. */
  discoveryTtl: number
  redisUrl: string | undefined
  revocationStore: 'memory' | 'redis' | AuthStore
  sessionStore: 'cookie' | 'redis' | AuthStore
  session: SessionSettings
  /** Changes whenever a value above changes; keys the process-wide context. */
  fingerprint: string
}

function resolveRoutes(options: AuthOptions, loginFromUrl: Source | undefined): ResolvedRoutes {
  const r = options.routes ?? {}
  // A login route taken from AUTH_LOGIN_CALLBACK_URL is reported under that name.
  const loginName = r.login === undefined && loginFromUrl ? loginFromUrl.name : 'routes.login'
  const names: Record<string, string> = { login: loginName }
  const routes: ResolvedRoutes = {
    login: path({ value: r.login ?? loginFromUrl?.value, name: loginName }, '/login')!,
    refresh: path({ value: r.refresh, name: 'routes.refresh' }, '/login/refresh')!,
    logout: path({ value: r.logout, name: 'routes.logout' }, '/logout')!,
    backchannelLogout: path({ value: r.backchannelLogout, name: 'routes.backchannelLogout' }, '/logout/backchannel')!,
    session: path({ value: r.session, name: 'routes.session' }, '/api/auth/session')!,
    signIn: path({ value: r.signIn, name: 'routes.signIn' }, null),
  }
  const seen = new Map<string, string>()
  for (const [name, value] of Object.entries(routes)) {
    if (value === null) continue
    const label = names[name] ?? `routes.${name}`
    if (value === '/') throw new ConfigError(label, 'must not be / (the guard protects it)')
    const other = seen.get(value)
    if (other) throw new ConfigError(label, `is the same path as ${names[other] ?? `routes.${other}`} ("${value}")`)
    seen.set(value, name)
  }
  return routes
}

function publicPaths(options: AuthOptions): string[] {
  const list = options.publicPaths ?? []
  if (!Array.isArray(list)) throw new ConfigError('publicPaths', 'must be an array of paths')
  return list.map((p, i) => {
    const prefix = typeof p === 'string' && p.endsWith('/*')
    const base = path({ value: prefix ? p.slice(0, -2) || '/' : p, name: `publicPaths[${i}]` }, null)!
    return prefix ? `${base === '/' ? '' : base}/*` : base
  })
}

function sessionSecrets(source: Source): string[] {
  const raw = source.value
  const list = Array.isArray(raw) ? raw : typeof raw === 'string' ? raw.split(',') : raw === undefined ? [] : null
  if (list === null) throw new ConfigError(source.name, 'must be a string or an array of strings')
  const secrets = list.map((s) => String(s).trim()).filter(Boolean)
  if (!secrets.length) {
    throw new ConfigError(source.name, 'is missing: set it to 32 random bytes, for example the output of `openssl rand -base64 32`')
  }
  for (const secret of secrets) {
    const weakness = secretWeakness(secret)
    if (weakness) throw new ConfigError(source.name, `${weakness}. Make one with \`openssl rand -base64 32\``)
  }
  return secrets
}

function appName(source: Source): string {
  const name = text(source) ?? 'app'
  if (!/^[A-Za-z0-9][A-Za-z0-9-]{0,30}$/.test(name)) {
    throw new ConfigError(source.name, `must be 1-31 letters, digits or "-" (got "${name}")`)
  }
  return name
}

function tenantOf(pathValue: string, tenantSource: Source): { tenantPath: string; tenant: string } {
  if (pathValue && !/^\/t\/[A-Za-z0-9._-]+$/.test(pathValue)) {
    throw new ConfigError('AUTH_TENANT_PATH (tenantPath)', `must look like /t/<tenant or organization> or be empty (got "${pathValue}")`)
  }
  const fromPath = pathValue ? pathValue.slice(3) : 'carbon.super'
  const tenant = text(tenantSource) ?? fromPath
  if (tenant !== fromPath) {
    throw new ConfigError(tenantSource.name, `("${tenant}") does not match AUTH_TENANT_PATH ("${pathValue || '(empty)'}")`)
  }
  return { tenantPath: pathValue, tenant }
}

function store<T extends string>(source: Source, allowed: readonly T[], fallback: T): T | AuthStore {
  const raw = source.value
  if (raw && typeof raw === 'object') {
    const s = raw as Partial<AuthStore>
    if (typeof s.get !== 'function' || typeof s.set !== 'function' || typeof s.setIfAbsent !== 'function' || typeof s.delete !== 'function') {
      throw new ConfigError(source.name, 'must implement get, set, setIfAbsent and delete (see AuthStore)')
    }
    return raw as AuthStore
  }
  return oneOf(source, allowed, fallback)
}

/**
 * Resolves and validates the configuration from code options and the environment. Pure.
 *
 * @param options - Options passed to `createAuth()`; they win over the environment.
 * @param env - The environment snapshot (see `readEnv()`).
 * @returns The validated configuration.
 * @throws {ConfigError} naming the first invalid setting.
 * @example
 * ```ts
 * const config = resolveConfig({ appName: 'shop' }, readEnv())
 * ```
 */
export function resolveConfig(options: AuthOptions, env: AuthEnv): AuthConfig {
  const o = options
  const name = appName(pick(o.appName, 'appName', env, 'AUTH_APP_NAME'))
  const clientHost = httpsUrl(pick(o.clientHost, 'clientHost', env, 'AUTH_CLIENT_HOST')) ?? 'https://localhost:5000/'
  const appOrigin = new URL(clientHost).origin
  const secure = new URL(clientHost).protocol === 'https:'
  const loginUrlSource = pick(o.loginCallbackUrl, 'loginCallbackUrl', env, 'AUTH_LOGIN_CALLBACK_URL')
  const explicitLoginUrl = httpsUrl(loginUrlSource)
  const routes = resolveRoutes(o, explicitLoginUrl ? { value: new URL(explicitLoginUrl).pathname, name: loginUrlSource.name } : undefined)
  const loginCallbackUrl = explicitLoginUrl ?? `${appOrigin}${routes.login}`
  if (new URL(loginCallbackUrl).pathname !== routes.login) {
    throw new ConfigError(loginUrlSource.name, `must end in routes.login ("${routes.login}"), got "${loginCallbackUrl}"`)
  }
  const logoutSource = pick(o.logoutCallbackUrl, 'logoutCallbackUrl', env, 'AUTH_LOGOUT_CALLBACK_URL')
  const logoutCallbackUrl = httpsUrl(logoutSource) ?? `${appOrigin}${routes.signIn ?? routes.logout}`
  for (const [source, value] of [[loginUrlSource, loginCallbackUrl], [logoutSource, logoutCallbackUrl]] as const) {
    if (new URL(value).origin !== appOrigin) {
      throw new ConfigError(source.name, `must be on the app's origin ${appOrigin} (AUTH_CLIENT_HOST), got "${value}"`)
    }
  }

  const serverOriginSource = pick(o.serverOrigin, 'serverOrigin', env, 'AUTH_SERVER_ORIGIN')
  const serverOrigin = httpsUrl(serverOriginSource, { origin: true })
  if (!serverOrigin) throw new ConfigError(serverOriginSource.name, 'is missing: set it to the origin of the IS, like https://localhost:9443')
  const { tenantPath, tenant } = tenantOf(text(pick(o.tenantPath, 'tenantPath', env, 'AUTH_TENANT_PATH')) ?? '', pick(o.tenant, 'tenant', env, 'AUTH_TENANT'))
  // WSO2 builds no /t/carbon.super segment into the URLs it emits for the super tenant, though it
  // accepts requests that carry one (DefaultServiceURLBuilder): the issuer never contains it.
  const issuerPath = tenant === 'carbon.super' ? '' : tenantPath
  const issuer = httpsUrl(pick(o.issuer, 'issuer', env, 'AUTH_ISSUER'))?.replace(/\/$/, '') ?? `${serverOrigin}${issuerPath}/oauth2/token`

  const clientIdSource = pick(o.clientId, 'clientId', env, 'AUTH_CLIENT_ID')
  const clientId = text(clientIdSource)
  if (!clientId) throw new ConfigError(clientIdSource.name, "is missing: set it to the Client ID from your application's Protocol tab in the WSO2 Console")
  const clientSecret = text(pick(o.clientSecret, 'clientSecret', env, 'AUTH_CLIENT_SECRET'))
  const clientAuthSource = pick(o.clientAuth, 'clientAuth', env, 'AUTH_CLIENT_AUTH')
  const clientAuth = oneOf(clientAuthSource, ['client_secret_basic', 'client_secret_post', 'private_key_jwt', 'none'] as const, clientSecret ? 'client_secret_basic' : 'none')
  const clientKeySource = pick(o.clientKeyPath, 'clientKeyPath', env, 'AUTH_CLIENT_KEY')
  const clientKeyPath = text(clientKeySource)
  if (clientAuth === 'private_key_jwt' && !clientKeyPath) throw new ConfigError(clientKeySource.name, 'is missing: private_key_jwt needs the path of a PEM private key')
  if (clientAuth.startsWith('client_secret') && !clientSecret) throw new ConfigError(clientAuthSource.name, `is ${clientAuth} but AUTH_CLIENT_SECRET is empty`)

  const scope = text(pick(o.scope, 'scope', env, 'AUTH_SCOPE')) ?? 'openid profile email internal_login'
  if (!scope.split(/\s+/).includes('openid')) throw new ConfigError('AUTH_SCOPE (scope)', `must include "openid" (got "${scope}")`)
  if (/[^\x21-\x7e ]|["\\]/.test(scope)) throw new ConfigError('AUTH_SCOPE (scope)', 'must be space-separated scope names')

  const redis = redisUrl(pick(o.redisUrl, 'redisUrl', env, 'REDIS_URL'))
  const revocationStore = store({ value: o.revocationStore, name: 'revocationStore' }, ['memory', 'redis'] as const, redis ? 'redis' : 'memory')
  const sessionStore = store({ value: o.sessionStore, name: 'sessionStore' }, ['cookie', 'redis'] as const, redis ? 'redis' : 'cookie')
  if ((revocationStore === 'redis' || sessionStore === 'redis') && !redis) throw new ConfigError('REDIS_URL (redisUrl)', 'is missing: a "redis" store needs a redis:// URL')

  const prefix = secure ? '__Host-' : ''
  const config: Omit<AuthConfig, 'fingerprint'> = {
    appName: name,
    appOrigin,
    routes,
    publicPaths: publicPaths(o),
    loginCallbackUrl,
    logoutCallbackUrl,
    clientId,
    clientSecret,
    clientAuth,
    clientKeyPath,
    clientKeyId: text(pick(o.clientKeyId, 'clientKeyId', env, 'AUTH_CLIENT_KEY_ID')),
    serverOrigin,
    tenantPath,
    issuer,
    discoveryUrl: `${serverOrigin}${tenantPath}/oauth2/token/.well-known/openid-configuration`,
    certificatePath: text(pick(o.certificatePath, 'certificatePath', env, 'AUTH_CERTIFICATE_PATH')),
    scope: scope.split(/\s+/).join(' '),
    par: oneOf(pick(o.par, 'par', env, 'AUTH_PAR'), ['auto', 'on', 'off'] as const, 'off'),
    userinfo: onOff(pick(o.userinfo, 'userinfo', env, 'AUTH_USERINFO'), true),
    signUpUrl: signUpUrl(pick(o.signUp, 'signUp', env, 'AUTH_SIGNUP'), serverOrigin, tenantPath, clientId, name),
    httpTimeoutMs: seconds(pick(o.httpTimeout, 'httpTimeout', env, 'AUTH_HTTP_TIMEOUT'), 10, 1) * 1000,
    discoveryTtl: seconds(pick(o.discoveryTtl, 'discoveryTtl', env, 'AUTH_DISCOVERY_TTL'), 600, 0),
    redisUrl: redis,
    revocationStore,
    sessionStore,
    session: {
      secrets: sessionSecrets(pick(o.sessionSecret, 'sessionSecret', env, 'AUTH_SESSION_SECRET')),
      maxAge: seconds(pick(o.sessionMaxAge, 'sessionMaxAge', env, 'AUTH_SESSION_MAX_AGE'), 8 * 3600, 10),
      idleTimeout: seconds(pick(o.sessionIdleTimeout, 'sessionIdleTimeout', env, 'AUTH_SESSION_IDLE_TIMEOUT'), 30 * 60, 5),
      refreshBuffer: seconds(pick(o.refreshBuffer, 'refreshBuffer', env, 'AUTH_REFRESH_BUFFER'), 60, 0),
      secure,
      cookieName: `${prefix}${name}-session`,
      activityCookieName: `${prefix}${name}-activity`,
      transactionPrefix: `${prefix}${name}-txn.`,
    },
  }
  const fingerprint = JSON.stringify({
    ...config,
    revocationStore: typeof revocationStore === 'string' ? revocationStore : 'custom',
    sessionStore: typeof sessionStore === 'string' ? sessionStore : 'custom',
  })
  return Object.freeze({ ...config, fingerprint })
}

/**
 * The self-registration URL. WSO2 IS and Asgardeo serve it at
 * `{accounts host}{tenant}/accountrecoveryendpoint/register.do` with the application's `client_id`
 * and `sp` (its name at the IS). After registering, WSO2 sends the user to the application's
 * Access URL (set it to the app's login route in the Console); a `callback` outside the IS is
 * refused by WSO2's default callback rule, so none is sent.
 *
 * @see https://is.docs.wso2.com/en/latest/guides/account-configurations/user-onboarding/self-registration/
 */
function signUpUrl(source: Source, serverOrigin: string, tenantPath: string, clientId: string, sp: string): string | null {
  const raw = source.value
  if (raw === undefined || raw === false || raw === 'off' || raw === '') return null
  if (raw === true || raw === 'on') {
    // Asgardeo serves its account pages on accounts.asgardeo.io, not on the API host.
    const origin = new URL(serverOrigin).hostname === 'api.asgardeo.io' ? 'https://accounts.asgardeo.io' : serverOrigin
    const url = new URL(`${origin}${tenantPath}/accountrecoveryendpoint/register.do`)
    url.searchParams.set('client_id', clientId)
    url.searchParams.set('sp', sp)
    return url.href
  }
  return httpsUrl(source) ?? null
}
