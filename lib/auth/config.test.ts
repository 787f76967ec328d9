import { describe, expect, it } from 'vitest'
import { ConfigError, parseAuthConfig, parseSessionConfig, secretId } from './config'

const base = {
  AUTH_CLIENT_ID: 'u4SHfHP772VBYhSffz7hDrX7QiQa',
  AUTH_CLIENT_SECRET: 'EU_tx0VLEfzTattupXFbeZqO3_0a',
  AUTH_SERVER_ORIGIN: 'https://localhost:9443',
  AUTH_SESSION_SECRET: 'a'.repeat(32),
}

function errorOf(env: Record<string, string>) {
  try {
    parseAuthConfig(env)
  } catch (error) {
    return error as ConfigError
  }
  throw new Error('expected a ConfigError')
}

describe('config', () => {
  it('uses the seed auth_config defaults', () => {
    const c = parseAuthConfig(base)
    expect(c.loginCallbackUrl).toBe('https://localhost:5000/login')
    expect(c.logoutCallbackUrl).toBe('https://localhost:5000/signin')
    expect(c.appOrigin).toBe('https://localhost:5000')
    expect(c.scope).toBe('openid profile email')
    expect(c.issuer).toBe('https://localhost:9443/oauth2/token')
    expect(c.discoveryUrl).toBe('https://localhost:9443/oauth2/token/.well-known/openid-configuration')
  })

  it('builds tenant issuer and discovery URLs (wso2-is.md 0.2)', () => {
    const c = parseAuthConfig({ ...base, AUTH_TENANT_PATH: '/t/wso2.com', AUTH_TENANT: 'wso2.com' })
    expect(c.issuer).toBe('https://localhost:9443/t/wso2.com/oauth2/token')
    expect(c.discoveryUrl).toBe('https://localhost:9443/t/wso2.com/oauth2/token/.well-known/openid-configuration')
  })

  it('keeps /t/carbon.super out of the issuer but in the discovery URL (wso2-is.md 0.3)', () => {
    const c = parseAuthConfig({ ...base, AUTH_TENANT_PATH: '/t/carbon.super' })
    expect(c.issuer).toBe('https://localhost:9443/oauth2/token')
    expect(c.discoveryUrl).toBe('https://localhost:9443/t/carbon.super/oauth2/token/.well-known/openid-configuration')
  })

  it('supports Asgardeo organizations', () => {
    const c = parseAuthConfig({ ...base, AUTH_SERVER_ORIGIN: 'https://api.asgardeo.io', AUTH_TENANT_PATH: '/t/myorg' })
    expect(c.issuer).toBe('https://api.asgardeo.io/t/myorg/oauth2/token')
  })

  it.each([
    [{ AUTH_CLIENT_ID: '' }, 'AUTH_CLIENT_ID'],
    [{ AUTH_SERVER_ORIGIN: '' }, 'AUTH_SERVER_ORIGIN'],
    [{ AUTH_SERVER_ORIGIN: 'http://is.example.com' }, 'AUTH_SERVER_ORIGIN'],
    [{ AUTH_SERVER_ORIGIN: 'https://localhost:9443/oauth2' }, 'AUTH_SERVER_ORIGIN'],
    [{ AUTH_SERVER_ORIGIN: 'not a url' }, 'AUTH_SERVER_ORIGIN'],
    [{ AUTH_SESSION_SECRET: '' }, 'AUTH_SESSION_SECRET'],
    [{ AUTH_SESSION_SECRET: 'short' }, 'AUTH_SESSION_SECRET'],
    [{ AUTH_TENANT_PATH: 'wso2.com' }, 'AUTH_TENANT_PATH'],
    [{ AUTH_TENANT_PATH: '/t/wso2.com', AUTH_TENANT: 'other.com' }, 'AUTH_TENANT'],
    [{ AUTH_SCOPE: 'profile email' }, 'AUTH_SCOPE'],
    [{ AUTH_LOGIN_CALLBACK_URL: 'https://evil.example/login' }, 'AUTH_LOGIN_CALLBACK_URL'],
    [{ AUTH_SESSION_MAX_AGE: 'ten' }, 'AUTH_SESSION_MAX_AGE'],
  ])('rejects %o naming %s', (patch, key) => {
    const error = errorOf({ ...base, ...patch } as Record<string, string>)
    expect(error).toBeInstanceOf(ConfigError)
    expect(error.code).toBe('config_invalid')
    expect(error.key).toBe(key)
    expect(error.message).toContain(key)
  })

  it('takes several session secrets: the first seals, all unseal, ids stay stable', () => {
    const older = 'o'.repeat(40)
    const newer = 'n'.repeat(40)
    const one = parseSessionConfig({ AUTH_SESSION_SECRET: older })
    const two = parseSessionConfig({ AUTH_SESSION_SECRET: `${newer},${older}` })
    expect(two.sealId).toBe(secretId(newer))
    expect(two.passwords[one.sealId]).toBe(older)
    expect(Object.keys(two.passwords)).toHaveLength(2)
  })

  it('uses __Host- cookies over https', () => {
    expect(parseSessionConfig(base).cookieName).toBe('__Host-myclinic-session')
    expect(parseSessionConfig({ ...base, AUTH_CLIENT_HOST: 'http://localhost:3000' }).cookieName).toBe('myclinic-session')
  })
})
