/** lib/auth/next-config.cjs: withAuth() adds the callback log filter and the security headers, and keeps the app's own settings. */
import { createRequire } from 'node:module'
import { describe, expect, it } from 'vitest'

const { withAuth } = createRequire(import.meta.url)('../../../lib/auth/next-config.cjs')

describe('withAuth', () => {
  it('keeps /login?code=... out of the request log, and only that', () => {
    const [pattern] = withAuth({}).logging.incomingRequests.ignore
    expect(pattern.test('/login?code=abc&state=x')).toBe(true)
    expect(pattern.test('/login')).toBe(true)
    expect(pattern.test('/login/refresh?returnTo=%2F')).toBe(false)
    expect(pattern.test('/loginx')).toBe(false)
    expect(withAuth({}, { loginPath: '/auth/login' }).logging.incomingRequests.ignore[0].test('/auth/login?code=1')).toBe(true)
  })

  it('keeps the app\'s logging settings', () => {
    expect(withAuth({ logging: false }).logging).toBe(false)
    expect(withAuth({ logging: { incomingRequests: false } }).logging).toEqual({ incomingRequests: false })
    const own = /^\/health$/
    const merged = withAuth({ logging: { fetches: { fullUrl: true }, incomingRequests: { ignore: [own] } } }).logging
    expect(merged.fetches).toEqual({ fullUrl: true })
    expect(merged.incomingRequests.ignore[0]).toBe(own)
    expect(merged.incomingRequests.ignore).toHaveLength(2)
  })

  it('sets the security headers first, so the app\'s own headers win', async () => {
    const config = withAuth({ reactStrictMode: true, headers: async () => [{ source: '/api/:path*', headers: [{ key: 'X-Frame-Options', value: 'SAMEORIGIN' }] }] }, { hsts: true })
    expect(config.reactStrictMode).toBe(true)
    expect(config.poweredByHeader).toBe(false)
    const rules = await config.headers()
    expect(rules[0].source).toBe('/:path*')
    expect(Object.fromEntries(rules[0].headers.map((h) => [h.key, h.value]))).toMatchObject({
      'X-Frame-Options': 'DENY',
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
      'Strict-Transport-Security': 'max-age=31536000',
    })
    expect(rules[1].source).toBe('/api/:path*')
    expect((await withAuth({}, { hsts: false }).headers())[0].headers.some((h) => h.key === 'Strict-Transport-Security')).toBe(false)
    expect(withAuth({ poweredByHeader: true }).poweredByHeader).toBe(true)
  })

  it('wraps a config function', async () => {
    const wrapped = withAuth(async (phase) => ({ env: { phase } }))
    const config = await wrapped('phase-production-build', { defaultConfig: {} })
    expect(config.env).toEqual({ phase: 'phase-production-build' })
    expect(config.logging.incomingRequests.ignore).toHaveLength(1)
  })
})
