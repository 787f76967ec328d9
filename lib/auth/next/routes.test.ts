import { afterEach, describe, expect, it, vi } from 'vitest'
import { resetConfigForTests } from '../config'
import { handleBackchannelLogout, handleLogin, handleLogoutPost, logoutAllowed } from './routes'

const APP = 'https://localhost:5000'

function env(values: Record<string, string>) {
  for (const [key, value] of Object.entries(values)) vi.stubEnv(key, value)
  resetConfigForTests()
}

afterEach(() => {
  vi.unstubAllEnvs()
  resetConfigForTests()
})

describe('logout CSRF policy', () => {
  it.each([
    [{ 'sec-fetch-site': 'same-origin' }, true],
    [{ 'sec-fetch-site': 'none' }, true],
    [{ 'sec-fetch-site': 'cross-site' }, false],
    [{ 'sec-fetch-site': 'same-site' }, false],
    [{ origin: APP }, true],
    [{ origin: 'https://evil.example' }, false],
    [{ origin: 'null' }, false],
    [{}, true],
  ])('%o → %s', (headers, allowed) => {
    expect(logoutAllowed(new Request(`${APP}/logout`, { method: 'POST', headers }), APP)).toBe(allowed)
  })
})

describe('route handlers with a broken configuration', () => {
  it('answer /login with the coded config page, naming nothing secret', async () => {
    env({ AUTH_SERVER_ORIGIN: 'http://not-https.example', AUTH_CLIENT_ID: 'x', AUTH_SESSION_SECRET: 's'.repeat(32) })
    const log = vi.spyOn(console, 'warn').mockImplementation(() => {})
    const response = await handleLogin(new Request(`${APP}/login`, { headers: { 'sec-fetch-dest': 'document' } }))
    expect(response.status).toBe(500)
    const html = await response.text()
    expect(html).toContain('data-error-code="config_invalid"')
    expect(html).not.toContain('AUTH_SERVER_ORIGIN')
    expect(log.mock.calls.join(' ')).toContain('AUTH_SERVER_ORIGIN')
    expect(response.headers.get('cache-control')).toContain('no-store')
  })

  it('refuse a cross-site logout POST before reading anything else', async () => {
    env({ AUTH_SERVER_ORIGIN: 'https://localhost:9443', AUTH_CLIENT_ID: 'x', AUTH_SESSION_SECRET: 's'.repeat(32) })
    const response = await handleLogoutPost(new Request(`${APP}/logout`, { method: 'POST', headers: { 'sec-fetch-site': 'cross-site' } }))
    expect(response.status).toBe(403)
    expect(await response.text()).toContain('data-error-code="logout_forbidden"')
  })
})

describe('back-channel logout request checks (BCL 1.0 2.8)', () => {
  it.each([
    ['a JSON body', { 'content-type': 'application/json' }, '{"logout_token":"x"}'],
    ['no logout_token', { 'content-type': 'application/x-www-form-urlencoded' }, 'foo=bar'],
    ['two logout_tokens', { 'content-type': 'application/x-www-form-urlencoded' }, 'logout_token=a&logout_token=b'],
    ['an empty logout_token', { 'content-type': 'application/x-www-form-urlencoded' }, 'logout_token='],
  ])('answers 400 with no-store to %s', async (_, headers, body) => {
    env({ AUTH_SERVER_ORIGIN: 'https://localhost:9443', AUTH_CLIENT_ID: 'x', AUTH_SESSION_SECRET: 's'.repeat(32) })
    const response = await handleBackchannelLogout(new Request(`${APP}/logout/backchannel`, { method: 'POST', headers, body }))
    expect(response.status).toBe(400)
    expect(response.headers.get('cache-control')).toBe('no-store')
    expect(await response.json()).toMatchObject({ error: 'invalid_request' })
  })
})
