import { describe, expect, it } from 'vitest'
import { ConfigError, redactUrl, resolveConfig, type AuthConfig } from '@/lib/auth/config'
import type { AuthEnv } from '@/lib/auth/env'
import type { AuthOptions } from '@/lib/auth/options'
import { MemoryStore, type AuthStore } from '@/lib/auth/store'
import { CLIENT_ID, IS, SECRET, SECRET_2, SECRET_3, thrown } from './fixtures'

/** The three required values, from the environment. */
const ENV: AuthEnv = { AUTH_CLIENT_ID: CLIENT_ID, AUTH_SERVER_ORIGIN: IS, AUTH_SESSION_SECRET: SECRET }
/** The same, as code options. */
const OPTIONS: AuthOptions = { clientId: CLIENT_ID, serverOrigin: IS, sessionSecret: SECRET }

function configError(options: AuthOptions, env: AuthEnv = {}): ConfigError {
  const error = thrown(() => resolveConfig(options, env))
  expect(error).toBeInstanceOf(ConfigError)
  expect((error as unknown as ConfigError).code).toBe('config_invalid')
  return error as unknown as ConfigError
}

describe('resolveConfig defaults', () => {
  const config = resolveConfig(OPTIONS, {})

  it('fills every optional setting with its documented default', () => {
    const { fingerprint, ...rest } = config
    expect(typeof fingerprint).toBe('string')
    expect(rest).toEqual({
      appName: 'app',
      appOrigin: 'https://localhost:5000',
      routes: { login: '/login', refresh: '/login/refresh', logout: '/logout', backchannelLogout: '/logout/backchannel', session: '/api/auth/session', signIn: null },
      publicPaths: [],
      loginCallbackUrl: 'https://localhost:5000/login',
      logoutCallbackUrl: 'https://localhost:5000/logout',
      clientId: CLIENT_ID,
      clientSecret: undefined,
      clientAuth: 'none',
      clientKeyPath: undefined,
      clientKeyId: undefined,
      serverOrigin: IS,
      tenantPath: '',
      issuer: 'https://localhost:9443/oauth2/token',
      discoveryUrl: 'https://localhost:9443/oauth2/token/.well-known/openid-configuration',
      certificatePath: undefined,
      scope: 'openid profile email internal_login',
      par: 'off',
      userinfo: true,
      signUpUrl: null,
      httpTimeoutMs: 10_000,
      discoveryTtl: 600,
      redisUrl: undefined,
      revocationStore: 'memory',
      sessionStore: 'cookie',
      session: {
        secrets: [SECRET],
        maxAge: 8 * 3600,
        idleTimeout: 30 * 60,
        refreshBuffer: 60,
        secure: true,
        cookieName: '__Host-app-session',
        activityCookieName: '__Host-app-activity',
        transactionPrefix: '__Host-app-txn.',
      },
    })
  })

  it('is frozen', () => {
    expect(Object.isFrozen(config)).toBe(true)
  })

  it('reads the required values from the environment exactly like from code', () => {
    expect(resolveConfig({}, ENV)).toEqual(config)
  })

  it('sends the IS back to the sign-in page after logout when there is one, else to the logout route', () => {
    expect(resolveConfig({ ...OPTIONS, routes: { signIn: '/signin' } }, {}).logoutCallbackUrl).toBe('https://localhost:5000/signin')
  })

  it('defaults client authentication to client_secret_basic with a secret (RFC 6749 2.3.1)', () => {
    const c = resolveConfig({ ...OPTIONS, clientSecret: 'EU_tx0VLEfzTattupXFbeZqO3_0a' }, {})
    expect(c.clientAuth).toBe('client_secret_basic')
    expect(c.clientSecret).toBe('EU_tx0VLEfzTattupXFbeZqO3_0a')
  })

  it('uses Redis for both stores when a Redis URL is set', () => {
    const c = resolveConfig(OPTIONS, { REDIS_URL: 'redis://localhost:6379' })
    expect(c.redisUrl).toBe('redis://localhost:6379')
    expect(c.revocationStore).toBe('redis')
    expect(c.sessionStore).toBe('redis')
  })

  it('drops the __Host- prefix and Secure on a plain-http localhost app (RFC 6265bis 4.1.3.2)', () => {
    const c = resolveConfig({ ...OPTIONS, appName: 'myclinic', clientHost: 'http://localhost:3000' }, {})
    expect(c.appOrigin).toBe('http://localhost:3000')
    expect(c.loginCallbackUrl).toBe('http://localhost:3000/login')
    expect(c.session).toMatchObject({ secure: false, cookieName: 'myclinic-session', activityCookieName: 'myclinic-activity', transactionPrefix: 'myclinic-txn.' })
  })

  it('names every cookie after the app over https', () => {
    const c = resolveConfig({ ...OPTIONS, appName: 'myclinic' }, {})
    expect(c.session).toMatchObject({ secure: true, cookieName: '__Host-myclinic-session', activityCookieName: '__Host-myclinic-activity', transactionPrefix: '__Host-myclinic-txn.' })
  })
})

describe('resolveConfig reads every environment key, and code options win over each', () => {
  const cases: [keyof AuthEnv, string, keyof AuthOptions, unknown, (c: AuthConfig) => unknown, unknown, unknown][] = [
    ['AUTH_APP_NAME', 'envapp', 'appName', 'codeapp', (c) => c.appName, 'envapp', 'codeapp'],
    ['AUTH_CLIENT_HOST', 'https://env.example', 'clientHost', 'https://code.example', (c) => c.appOrigin, 'https://env.example', 'https://code.example'],
    ['AUTH_CLIENT_ID', 'env-client', 'clientId', 'code-client', (c) => c.clientId, 'env-client', 'code-client'],
    ['AUTH_CLIENT_SECRET', 'env-secret', 'clientSecret', 'code-secret', (c) => c.clientSecret, 'env-secret', 'code-secret'],
    ['AUTH_CLIENT_KEY_ID', 'env-kid', 'clientKeyId', 'code-kid', (c) => c.clientKeyId, 'env-kid', 'code-kid'],
    ['AUTH_SERVER_ORIGIN', 'https://env-is.example', 'serverOrigin', 'https://code-is.example', (c) => c.serverOrigin, 'https://env-is.example', 'https://code-is.example'],
    ['AUTH_TENANT_PATH', '/t/env.com', 'tenantPath', '/t/code.com', (c) => c.tenantPath, '/t/env.com', '/t/code.com'],
    ['AUTH_ISSUER', 'https://env-is.example/issuer', 'issuer', 'https://code-is.example/issuer', (c) => c.issuer, 'https://env-is.example/issuer', 'https://code-is.example/issuer'],
    ['AUTH_CERTIFICATE_PATH', 'certs/env.crt', 'certificatePath', 'certs/code.crt', (c) => c.certificatePath, 'certs/env.crt', 'certs/code.crt'],
    ['AUTH_SCOPE', 'openid env', 'scope', 'openid code', (c) => c.scope, 'openid env', 'openid code'],
    ['AUTH_PAR', 'auto', 'par', 'on', (c) => c.par, 'auto', 'on'],
    ['AUTH_USERINFO', 'off', 'userinfo', true, (c) => c.userinfo, false, true],
    ['AUTH_SESSION_SECRET', SECRET_2, 'sessionSecret', SECRET_3, (c) => c.session.secrets, [SECRET_2], [SECRET_3]],
    ['AUTH_SESSION_MAX_AGE', '7200', 'sessionMaxAge', 3600, (c) => c.session.maxAge, 7200, 3600],
    ['AUTH_SESSION_IDLE_TIMEOUT', '900', 'sessionIdleTimeout', 600, (c) => c.session.idleTimeout, 900, 600],
    ['AUTH_REFRESH_BUFFER', '30', 'refreshBuffer', 0, (c) => c.session.refreshBuffer, 30, 0],
    ['AUTH_HTTP_TIMEOUT', '5', 'httpTimeout', 2, (c) => c.httpTimeoutMs, 5000, 2000],
    ['AUTH_DISCOVERY_TTL', '60', 'discoveryTtl', 0, (c) => c.discoveryTtl, 60, 0],
    ['REDIS_URL', 'redis://env-redis:6379', 'redisUrl', 'redis://code-redis:6379', (c) => c.redisUrl, 'redis://env-redis:6379', 'redis://code-redis:6379'],
    ['AUTH_SIGNUP', 'https://env-is.example/register', 'signUp', 'https://code-is.example/register', (c) => c.signUpUrl, 'https://env-is.example/register', 'https://code-is.example/register'],
  ]

  it.each(cases)('%s is read, and option %s wins over it', (key, envValue, option, optionValue, read, fromEnv, fromCode) => {
    const env = { ...ENV, [key]: envValue }
    expect(read(resolveConfig({}, env))).toEqual(fromEnv)
    expect(read(resolveConfig({ [option]: optionValue }, env))).toEqual(fromCode)
  })

  it('reads the callback URLs and the client key from the environment, and code wins', () => {
    const env = {
      ...ENV,
      AUTH_LOGIN_CALLBACK_URL: 'https://localhost:5000/auth/callback',
      AUTH_LOGOUT_CALLBACK_URL: 'https://localhost:5000/bye',
      AUTH_CLIENT_AUTH: 'private_key_jwt',
      AUTH_CLIENT_KEY: 'certs/env.key',
      AUTH_TENANT_PATH: '/t/env.com',
      AUTH_TENANT: 'env.com',
    }
    const fromEnv = resolveConfig({}, env)
    expect(fromEnv).toMatchObject({ loginCallbackUrl: 'https://localhost:5000/auth/callback', logoutCallbackUrl: 'https://localhost:5000/bye', clientAuth: 'private_key_jwt', clientKeyPath: 'certs/env.key', tenantPath: '/t/env.com' })
    expect(fromEnv.routes.login).toBe('/auth/callback')
    const fromCode = resolveConfig({
      loginCallbackUrl: 'https://localhost:5000/cb',
      logoutCallbackUrl: 'https://localhost:5000/out',
      clientAuth: 'none',
      clientKeyPath: 'certs/code.key',
      tenantPath: '/t/code.com',
      tenant: 'code.com',
    }, env)
    expect(fromCode).toMatchObject({ loginCallbackUrl: 'https://localhost:5000/cb', logoutCallbackUrl: 'https://localhost:5000/out', clientAuth: 'none', clientKeyPath: 'certs/code.key', tenantPath: '/t/code.com' })
    expect(fromCode.routes.login).toBe('/cb')
  })

  it('trims environment values and treats blank ones as unset', () => {
    const c = resolveConfig({}, { ...ENV, AUTH_CLIENT_ID: `  ${CLIENT_ID}\t`, AUTH_PAR: '   ', AUTH_SCOPE: '' })
    expect(c.clientId).toBe(CLIENT_ID)
    expect(c.par).toBe('off')
    expect(c.scope).toBe('openid profile email internal_login')
  })

  it('normalises the whitespace between scopes', () => {
    expect(resolveConfig({ ...OPTIONS, scope: '  openid   profile  email ' }, {}).scope).toBe('openid profile email')
  })
})

describe('resolveConfig tenants and issuers (WSO2 IS, Asgardeo)', () => {
  it('builds the tenant issuer and discovery URL from AUTH_TENANT_PATH', () => {
    const c = resolveConfig({}, { ...ENV, AUTH_TENANT_PATH: '/t/wso2.com' })
    expect(c.issuer).toBe('https://localhost:9443/t/wso2.com/oauth2/token')
    expect(c.discoveryUrl).toBe('https://localhost:9443/t/wso2.com/oauth2/token/.well-known/openid-configuration')
  })

  it('accepts a tenant domain that matches the path', () => {
    expect(resolveConfig({}, { ...ENV, AUTH_TENANT_PATH: '/t/wso2.com', AUTH_TENANT: 'wso2.com' }).tenantPath).toBe('/t/wso2.com')
  })

  it('keeps /t/carbon.super out of the issuer but in the discovery URL (WSO2 builds no super-tenant segment)', () => {
    const c = resolveConfig({}, { ...ENV, AUTH_TENANT_PATH: '/t/carbon.super' })
    expect(c.issuer).toBe('https://localhost:9443/oauth2/token')
    expect(c.discoveryUrl).toBe('https://localhost:9443/t/carbon.super/oauth2/token/.well-known/openid-configuration')
  })

  it('accepts AUTH_TENANT=carbon.super without a path', () => {
    expect(resolveConfig({}, { ...ENV, AUTH_TENANT: 'carbon.super' }).issuer).toBe('https://localhost:9443/oauth2/token')
  })

  it('builds the Asgardeo organization issuer https://api.asgardeo.io/t/<org>/oauth2/token', () => {
    const c = resolveConfig({}, { ...ENV, AUTH_SERVER_ORIGIN: 'https://api.asgardeo.io', AUTH_TENANT_PATH: '/t/myorg' })
    expect(c.issuer).toBe('https://api.asgardeo.io/t/myorg/oauth2/token')
    expect(c.discoveryUrl).toBe('https://api.asgardeo.io/t/myorg/oauth2/token/.well-known/openid-configuration')
  })

  it('takes AUTH_ISSUER as it is (without a trailing slash) and still discovers at the tenant path', () => {
    const c = resolveConfig({}, { ...ENV, AUTH_TENANT_PATH: '/t/wso2.com', AUTH_ISSUER: 'https://idp.example.com/' })
    expect(c.issuer).toBe('https://idp.example.com')
    expect(c.discoveryUrl).toBe('https://localhost:9443/t/wso2.com/oauth2/token/.well-known/openid-configuration')
  })

  it.each(['wso2.com', '/t/', '/t/a/b', '/tenant/wso2.com', '/t/wso2 com', 't/wso2.com'])('refuses the tenant path %j, naming AUTH_TENANT_PATH (tenantPath)', (value) => {
    const error = configError({}, { ...ENV, AUTH_TENANT_PATH: value })
    expect(error.message).toContain('AUTH_TENANT_PATH (tenantPath) must look like /t/<tenant or organization> or be empty')
  })

  it('refuses a tenant domain that does not match the path, naming AUTH_TENANT (tenant)', () => {
    expect(configError({}, { ...ENV, AUTH_TENANT_PATH: '/t/wso2.com', AUTH_TENANT: 'other.com' }).message).toContain('AUTH_TENANT (tenant) ("other.com") does not match AUTH_TENANT_PATH ("/t/wso2.com")')
    expect(configError({}, { ...ENV, AUTH_TENANT: 'wso2.com' }).message).toContain('AUTH_TENANT (tenant) ("wso2.com") does not match AUTH_TENANT_PATH ("(empty)")')
    expect(configError({ tenant: 'x.com' }, { ...ENV, AUTH_TENANT_PATH: '/t/wso2.com' }).key).toBe('tenant')
  })
})

describe('resolveConfig refuses invalid values with a ConfigError naming the env key and the option', () => {
  const cases: [string, AuthEnv, string][] = [
    ['an app name with a space', { AUTH_APP_NAME: 'my clinic' }, 'AUTH_APP_NAME (appName)'],
    ['an app name starting with -', { AUTH_APP_NAME: '-clinic' }, 'AUTH_APP_NAME (appName)'],
    ['a 32-character app name', { AUTH_APP_NAME: 'a'.repeat(32) }, 'AUTH_APP_NAME (appName)'],
    ['a plain-http client host', { AUTH_CLIENT_HOST: 'http://app.example.com' }, 'AUTH_CLIENT_HOST (clientHost)'],
    ['a client host that is not a URL', { AUTH_CLIENT_HOST: 'app.example.com' }, 'AUTH_CLIENT_HOST (clientHost)'],
    ['a client host with credentials', { AUTH_CLIENT_HOST: 'https://u:p@app.example.com' }, 'AUTH_CLIENT_HOST (clientHost)'],
    ['a login callback on another origin', { AUTH_LOGIN_CALLBACK_URL: 'https://evil.example/login' }, 'AUTH_LOGIN_CALLBACK_URL (loginCallbackUrl)'],
    ['a plain-http login callback', { AUTH_LOGIN_CALLBACK_URL: 'http://app.example.com/login' }, 'AUTH_LOGIN_CALLBACK_URL (loginCallbackUrl)'],
    ['a login callback with a trailing slash', { AUTH_LOGIN_CALLBACK_URL: 'https://localhost:5000/login/' }, 'AUTH_LOGIN_CALLBACK_URL (loginCallbackUrl)'],
    ['a logout callback on another origin', { AUTH_LOGOUT_CALLBACK_URL: 'https://evil.example/signin' }, 'AUTH_LOGOUT_CALLBACK_URL (logoutCallbackUrl)'],
    ['a missing client ID', { AUTH_CLIENT_ID: '' }, 'AUTH_CLIENT_ID (clientId)'],
    ['a missing server origin', { AUTH_SERVER_ORIGIN: '' }, 'AUTH_SERVER_ORIGIN (serverOrigin)'],
    ['a plain-http server origin', { AUTH_SERVER_ORIGIN: 'http://is.example.com' }, 'AUTH_SERVER_ORIGIN (serverOrigin)'],
    ['a server origin with a path', { AUTH_SERVER_ORIGIN: 'https://localhost:9443/oauth2' }, 'AUTH_SERVER_ORIGIN (serverOrigin)'],
    ['a server origin that is not a URL', { AUTH_SERVER_ORIGIN: 'not a url' }, 'AUTH_SERVER_ORIGIN (serverOrigin)'],
    ['a plain-http issuer', { AUTH_ISSUER: 'http://is.example.com/oauth2/token' }, 'AUTH_ISSUER (issuer)'],
    ['an unknown client authentication', { AUTH_CLIENT_AUTH: 'client_secret_jwt' }, 'AUTH_CLIENT_AUTH (clientAuth)'],
    ['client_secret_basic without a secret', { AUTH_CLIENT_AUTH: 'client_secret_basic' }, 'AUTH_CLIENT_AUTH (clientAuth)'],
    ['client_secret_post without a secret', { AUTH_CLIENT_AUTH: 'client_secret_post' }, 'AUTH_CLIENT_AUTH (clientAuth)'],
    ['private_key_jwt without a key', { AUTH_CLIENT_AUTH: 'private_key_jwt' }, 'AUTH_CLIENT_KEY (clientKeyPath)'],
    ['a scope without openid (OIDC Core 3.1.2.1)', { AUTH_SCOPE: 'profile email' }, 'AUTH_SCOPE (scope)'],
    ['a scope with a quote (RFC 6749 3.3)', { AUTH_SCOPE: 'openid "profile"' }, 'AUTH_SCOPE (scope)'],
    ['a scope with a non-ASCII character (RFC 6749 3.3)', { AUTH_SCOPE: 'openid profilé' }, 'AUTH_SCOPE (scope)'],
    ['an unknown PAR mode', { AUTH_PAR: 'yes' }, 'AUTH_PAR (par)'],
    ['a userinfo switch that is not on or off', { AUTH_USERINFO: 'false' }, 'AUTH_USERINFO (userinfo)'],
    ['a sign-up value that is not a URL', { AUTH_SIGNUP: 'yes' }, 'AUTH_SIGNUP (signUp)'],
    ['a plain-http sign-up URL', { AUTH_SIGNUP: 'http://is.example.com/register' }, 'AUTH_SIGNUP (signUp)'],
    ['a missing session secret', { AUTH_SESSION_SECRET: '' }, 'AUTH_SESSION_SECRET (sessionSecret)'],
    ['a short session secret', { AUTH_SESSION_SECRET: 'short' }, 'AUTH_SESSION_SECRET (sessionSecret)'],
    ['a guessable session secret', { AUTH_SESSION_SECRET: 'changeme-changeme-changeme-changeme' }, 'AUTH_SESSION_SECRET (sessionSecret)'],
    ['a non-numeric max age', { AUTH_SESSION_MAX_AGE: 'ten' }, 'AUTH_SESSION_MAX_AGE (sessionMaxAge)'],
    ['a max age under 10 s', { AUTH_SESSION_MAX_AGE: '9' }, 'AUTH_SESSION_MAX_AGE (sessionMaxAge)'],
    ['an idle timeout under 5 s', { AUTH_SESSION_IDLE_TIMEOUT: '4' }, 'AUTH_SESSION_IDLE_TIMEOUT (sessionIdleTimeout)'],
    ['a negative refresh buffer', { AUTH_REFRESH_BUFFER: '-1' }, 'AUTH_REFRESH_BUFFER (refreshBuffer)'],
    ['an HTTP timeout of 0', { AUTH_HTTP_TIMEOUT: '0' }, 'AUTH_HTTP_TIMEOUT (httpTimeout)'],
    ['a fractional discovery TTL', { AUTH_DISCOVERY_TTL: '1.5' }, 'AUTH_DISCOVERY_TTL (discoveryTtl)'],
    ['a Redis URL of another scheme', { REDIS_URL: 'http://localhost:6379' }, 'REDIS_URL (redisUrl)'],
  ]

  it.each(cases)('%s', (_, patch, setting) => {
    const error = configError({}, { ...ENV, ...patch })
    expect(error.key).toBe(setting)
    expect(error.message).toMatch(/^Invalid auth configuration: /)
    expect(error.message).toContain(setting)
  })

  it('names the option alone when the value came from code', () => {
    expect(configError({ ...OPTIONS, appName: 'my clinic' }).key).toBe('appName')
    expect(configError({ ...OPTIONS, clientHost: 'http://app.example.com' }).key).toBe('clientHost')
    expect(configError({ ...OPTIONS, sessionMaxAge: 1.5 }).key).toBe('sessionMaxAge')
    expect(configError({ ...OPTIONS, clientId: 42 as unknown as string }).message).toContain('clientId must be a string')
  })

  it('names AUTH_LOGIN_CALLBACK_URL when the routes derived from it are invalid', () => {
    // routes.login is taken from the callback URL's path; an operator who set only the URL must be told which value to fix.
    const root = configError({}, { ...ENV, AUTH_LOGIN_CALLBACK_URL: 'https://localhost:5000/' })
    expect(root.message).toContain('AUTH_LOGIN_CALLBACK_URL')
    const clash = configError({}, { ...ENV, AUTH_LOGIN_CALLBACK_URL: 'https://localhost:5000/logout' })
    expect(clash.message).toContain('AUTH_LOGIN_CALLBACK_URL')
  })

  it('refuses a login callback that is not routes.login', () => {
    const error = configError({ routes: { login: '/login' } }, { ...ENV, AUTH_LOGIN_CALLBACK_URL: 'https://localhost:5000/callback' })
    expect(error.message).toContain('AUTH_LOGIN_CALLBACK_URL (loginCallbackUrl) must end in routes.login ("/login")')
  })

  it('refuses a "redis" store without a Redis URL', () => {
    expect(configError({ ...OPTIONS, revocationStore: 'redis' }).key).toBe('REDIS_URL (redisUrl)')
    expect(configError({ ...OPTIONS, sessionStore: 'redis' }).message).toContain('a "redis" store needs a redis:// URL')
  })

  it('refuses unknown store names and objects that are not an AuthStore', () => {
    expect(configError({ ...OPTIONS, sessionStore: 'file' as 'cookie' }).message).toContain('sessionStore must be one of cookie, redis (got "file")')
    const partial = { get: async () => null, set: async () => {} } as unknown as AuthStore
    expect(configError({ ...OPTIONS, revocationStore: partial }).message).toContain('revocationStore must implement get, set, setIfAbsent and delete')
  })

  it('accepts a custom AuthStore object and keeps it by identity', () => {
    const store = new MemoryStore()
    const c = resolveConfig({ ...OPTIONS, revocationStore: store, sessionStore: store }, { REDIS_URL: 'redis://localhost:6379' })
    expect(c.revocationStore).toBe(store)
    expect(c.sessionStore).toBe(store)
  })
})

describe('resolveConfig session secrets', () => {
  it('takes several comma-separated secrets, newest first, trimmed, skipping empty entries', () => {
    const c = resolveConfig({}, { ...ENV, AUTH_SESSION_SECRET: ` ${SECRET_2} ,, ${SECRET} ,` })
    expect(c.session.secrets).toEqual([SECRET_2, SECRET])
  })

  it('takes an array of secrets from code', () => {
    expect(resolveConfig({ ...OPTIONS, sessionSecret: [SECRET_3, SECRET] }, {}).session.secrets).toEqual([SECRET_3, SECRET])
  })

  it('asks for a secret made with openssl when it is missing', () => {
    const error = configError({ ...OPTIONS, sessionSecret: undefined })
    expect(error.message).toContain('AUTH_SESSION_SECRET (sessionSecret) is missing')
    expect(error.message).toContain('`openssl rand -base64 32`')
    expect(configError({ ...OPTIONS, sessionSecret: [] }).message).toContain('sessionSecret is missing')
  })

  it.each([
    ['short', 'has a secret of 5 characters'],
    ['changeme-changeme-changeme-changeme', 'has a secret that looks guessable'],
    ['x'.repeat(64), 'has a secret that looks guessable'],
  ])('refuses the weak secret %j with the openssl hint, never echoing it', (secret, why) => {
    const error = configError({}, { ...ENV, AUTH_SESSION_SECRET: secret })
    expect(error.message).toContain(`AUTH_SESSION_SECRET (sessionSecret) ${why}`)
    expect(error.message).toContain('Make one with `openssl rand -base64 32`')
    expect(error.message).not.toContain(secret)
  })

  it('refuses a list when any one secret is weak (an old weak secret would still open cookies)', () => {
    const error = configError({}, { ...ENV, AUTH_SESSION_SECRET: `${SECRET},passwordpasswordpasswordpassword` })
    expect(error.message).toContain('looks guessable')
    expect(error.message).not.toContain(SECRET)
  })

  it('refuses a session secret of another type', () => {
    expect(configError({ ...OPTIONS, sessionSecret: 42 as unknown as string }).message).toContain('sessionSecret must be a string or an array of strings')
  })
})

describe('resolveConfig Redis URL in messages', () => {
  it.each([
    'http://:hunter2@localhost:6379',
    'https://default:hunter2@cache.internal',
    'redis//default:hunter2@cache.internal',
    'rediss://default:hunter2/base64+pass@cache.internal:6380',
  ])('never puts the password of %s into the message', (url) => {
    const error = configError({}, { ...ENV, REDIS_URL: url })
    expect(error.key).toBe('REDIS_URL (redisUrl)')
    expect(error.message).not.toContain('hunter2')
  })

  it('re-exports redactUrl for logs', () => {
    expect(redactUrl('redis://default:hunter2@cache:6379')).not.toContain('hunter2')
  })
})

describe('resolveConfig routes', () => {
  it('takes custom routes and trims a trailing slash', () => {
    const c = resolveConfig({ ...OPTIONS, routes: { login: '/auth/login/', refresh: '/auth/refresh', logout: '/auth/logout', backchannelLogout: '/auth/bcl', session: '/auth/me', signIn: '/welcome' } }, {})
    expect(c.routes).toEqual({ login: '/auth/login', refresh: '/auth/refresh', logout: '/auth/logout', backchannelLogout: '/auth/bcl', session: '/auth/me', signIn: '/welcome' })
    expect(c.loginCallbackUrl).toBe('https://localhost:5000/auth/login')
    expect(c.logoutCallbackUrl).toBe('https://localhost:5000/welcome')
  })

  it.each([
    [{ refresh: '/login' }, 'routes.refresh is the same path as routes.login ("/login")'],
    [{ logout: '/login' }, 'routes.logout is the same path as routes.login ("/login")'],
    [{ session: '/logout' }, 'routes.session is the same path as routes.logout ("/logout")'],
    [{ signIn: '/logout/backchannel' }, 'routes.signIn is the same path as routes.backchannelLogout ("/logout/backchannel")'],
    [{ signIn: '/login/' }, 'routes.signIn is the same path as routes.login ("/login")'],
  ])('refuses the conflicting routes %j', (routes, message) => {
    expect(configError({ ...OPTIONS, routes }).message).toContain(message)
  })

  it.each(['login', '/', '//login', '/a/../login', '/login?x=1'])('refuses the route %j', (login) => {
    const error = configError({ ...OPTIONS, routes: { login } })
    expect(error.key).toBe('routes.login')
  })

  it('refuses / as the sign-in page: the guard protects it', () => {
    expect(configError({ ...OPTIONS, routes: { signIn: '/' } }).message).toContain('routes.signIn must not be / (the guard protects it)')
  })
})

describe('resolveConfig public paths', () => {
  it('keeps exact paths and prefixes ending in /*, normalising a trailing slash', () => {
    const c = resolveConfig({ ...OPTIONS, publicPaths: ['/health', '/docs/*', '/public/', '/api/status/', '/*', '/assets/*'] }, {})
    expect(c.publicPaths).toEqual(['/health', '/docs/*', '/public', '/api/status', '/*', '/assets/*'])
  })

  it.each([['docs'], ['*'], ['/a//b/*'], ['/a/../b'], ['docs/*'], [42]])('refuses the public path %j, naming its index', (p) => {
    const error = configError({ ...OPTIONS, publicPaths: ['/ok', p as string] })
    expect(error.key).toBe('publicPaths[1]')
  })

  it('refuses a value that is not an array', () => {
    expect(configError({ ...OPTIONS, publicPaths: '/health' as unknown as string[] }).message).toContain('publicPaths must be an array of paths')
  })
})

describe('resolveConfig sign-up URL (WSO2 self-registration)', () => {
  const register = (origin: string, tenantPath: string, appName = 'myclinic') => {
    const url = new URL(`${origin}${tenantPath}/accountrecoveryendpoint/register.do`)
    url.searchParams.set('client_id', CLIENT_ID)
    url.searchParams.set('sp', appName)
    return url.href
  }

  it.each([[true], ['on']])('builds the IS register.do URL with client_id and sp for %j', (signUp) => {
    expect(resolveConfig({ ...OPTIONS, appName: 'myclinic', signUp }, {}).signUpUrl).toBe(register(IS, ''))
  })

  it('sends no callback (WSO2 refuses one outside the IS; the Access URL applies)', () => {
    expect(new URL(resolveConfig({ ...OPTIONS, signUp: true }, {}).signUpUrl!).searchParams.has('callback')).toBe(false)
  })

  it('reads AUTH_SIGNUP=on and puts the tenant path into the URL', () => {
    expect(resolveConfig({}, { ...ENV, AUTH_APP_NAME: 'myclinic', AUTH_SIGNUP: 'on', AUTH_TENANT_PATH: '/t/wso2.com' }).signUpUrl).toBe(register(IS, '/t/wso2.com'))
  })

  it('uses accounts.asgardeo.io for Asgardeo', () => {
    const c = resolveConfig({}, { ...ENV, AUTH_APP_NAME: 'myclinic', AUTH_SERVER_ORIGIN: 'https://api.asgardeo.io', AUTH_TENANT_PATH: '/t/myorg', AUTH_SIGNUP: 'on' })
    expect(c.signUpUrl).toBe(register('https://accounts.asgardeo.io', '/t/myorg'))
  })

  it('uses a URL as it is', () => {
    expect(resolveConfig({ ...OPTIONS, signUp: 'https://accounts.example.com/register?x=1' }, {}).signUpUrl).toBe('https://accounts.example.com/register?x=1')
  })

  it.each([[false], ['off'], ['']])('is off for %j', (signUp) => {
    expect(resolveConfig({ ...OPTIONS, signUp }, { AUTH_SIGNUP: 'on' }).signUpUrl).toBeNull()
  })

  it('is off by default and for AUTH_SIGNUP=off', () => {
    expect(resolveConfig({}, { ...ENV, AUTH_SIGNUP: 'off' }).signUpUrl).toBeNull()
  })
})

describe('resolveConfig pushed authorization requests (RFC 9126)', () => {
  it.each(['auto', 'on', 'off'] as const)('accepts par=%s from code and env', (par) => {
    expect(resolveConfig({ ...OPTIONS, par }, {}).par).toBe(par)
    expect(resolveConfig({}, { ...ENV, AUTH_PAR: par }).par).toBe(par)
  })
})

describe('resolveConfig fingerprint', () => {
  const base = resolveConfig(OPTIONS, {}).fingerprint

  it('is the same for the same values, whether they came from code or the environment', () => {
    expect(resolveConfig(OPTIONS, {}).fingerprint).toBe(base)
    expect(resolveConfig({}, ENV).fingerprint).toBe(base)
  })

  const changes: [string, AuthOptions][] = [
    ['appName', { appName: 'other' }],
    ['clientHost', { clientHost: 'https://app.example.com' }],
    ['loginCallbackUrl', { loginCallbackUrl: 'https://localhost:5000/cb' }],
    ['logoutCallbackUrl', { logoutCallbackUrl: 'https://localhost:5000/bye' }],
    ['routes', { routes: { session: '/api/me' } }],
    ['publicPaths', { publicPaths: ['/health'] }],
    ['clientId', { clientId: 'other-client' }],
    ['clientSecret', { clientSecret: 'a-secret' }],
    ['clientAuth', { clientSecret: 'a-secret', clientAuth: 'client_secret_post' }],
    ['clientKeyPath', { clientKeyPath: 'certs/client.key' }],
    ['clientKeyId', { clientKeyId: 'kid-1' }],
    ['serverOrigin', { serverOrigin: 'https://is.example.com' }],
    ['tenantPath', { tenantPath: '/t/wso2.com' }],
    ['issuer', { issuer: 'https://is.example.com/issuer' }],
    ['certificatePath', { certificatePath: 'certs/is.crt' }],
    ['scope', { scope: 'openid' }],
    ['par', { par: 'on' }],
    ['signUp', { signUp: true }],
    ['sessionSecret', { sessionSecret: SECRET_2 }],
    ['a second sessionSecret', { sessionSecret: [SECRET, SECRET_2] }],
    ['sessionMaxAge', { sessionMaxAge: 3600 }],
    ['sessionIdleTimeout', { sessionIdleTimeout: 600 }],
    ['refreshBuffer', { refreshBuffer: 30 }],
    ['httpTimeout', { httpTimeout: 5 }],
    ['discoveryTtl', { discoveryTtl: 60 }],
    ['redisUrl', { redisUrl: 'redis://localhost:6379' }],
    ['revocationStore', { revocationStore: new MemoryStore() }],
    ['sessionStore', { sessionStore: new MemoryStore() }],
  ]

  it.each(changes)('changes when %s changes', (_, patch) => {
    expect(resolveConfig({ ...OPTIONS, ...patch }, {}).fingerprint).not.toBe(base)
  })

  it('names custom stores "custom" (their identity keys the context separately)', () => {
    const a = resolveConfig({ ...OPTIONS, sessionStore: new MemoryStore() }, {}).fingerprint
    const b = resolveConfig({ ...OPTIONS, sessionStore: new MemoryStore() }, {}).fingerprint
    expect(a).toBe(b)
    expect(JSON.parse(a).sessionStore).toBe('custom')
  })
})
