import { describe, expect, it } from 'vitest'
import { authRoutePaths, fetchSite, INTERNAL_HEADERS, isDocumentRequest, isOwnNavigation, isPublicPath } from '@/lib/auth/requests'
import { APP, makeConfig } from './fixtures'

const config = makeConfig({ routes: { signIn: '/signin' }, publicPaths: ['/health', '/docs/*', '/api/public/*'] })

const req = (headers: Record<string, string> = {}, method = 'GET', path = '/') => new Request(`${APP}${path}`, { method, headers })
const DOC = { 'sec-fetch-dest': 'document', 'sec-fetch-mode': 'navigate', 'sec-fetch-site': 'same-origin', accept: 'text/html' }

describe('authRoutePaths', () => {
  it('lists login, refresh, logout, back-channel logout and the session profile', () => {
    expect(authRoutePaths(config)).toEqual(['/login', '/login/refresh', '/logout', '/logout/backchannel', '/api/auth/session'])
  })
})

describe('isPublicPath', () => {
  it.each(['/login', '/login/refresh', '/logout', '/logout/backchannel', '/api/auth/session', '/login/anything'])('lets the auth route %s through (no redirect loop can be configured)', (path) => {
    expect(isPublicPath(path, config)).toBe(true)
  })

  it.each(['/signin', '/signin/help'])('lets the sign-in page %s through', (path) => {
    expect(isPublicPath(path, config)).toBe(true)
  })

  it('lets an exact public path through, but not paths below it', () => {
    expect(isPublicPath('/health', config)).toBe(true)
    expect(isPublicPath('/health/db', config)).toBe(false)
    expect(isPublicPath('/healthz', config)).toBe(false)
  })

  it('lets a /* public path through with everything below it, and the base itself', () => {
    for (const path of ['/docs', '/docs/', '/docs/a', '/docs/a/b', '/api/public/x']) expect(isPublicPath(path, config), path).toBe(true)
    for (const path of ['/docsx', '/doc', '/api/publicity', '/api']) expect(isPublicPath(path, config), path).toBe(false)
  })

  it.each(['/', '/patients', '/loginx', '/logoutx', '/signinx', '/api/auth/sessions', '/%2Fsignin', '/Login', '/api/auth'])('guards the look-alike or ordinary path %s', (path) => {
    expect(isPublicPath(path, config)).toBe(false)
  })

  it('guards the sign-in page path when the app has none', () => {
    expect(isPublicPath('/signin', makeConfig())).toBe(false)
  })

  it('follows custom routes', () => {
    const custom = makeConfig({ routes: { login: '/auth/login', refresh: '/auth/refresh', logout: '/auth/logout', backchannelLogout: '/auth/bcl', session: '/auth/me' } })
    expect(isPublicPath('/auth/me', custom)).toBe(true)
    expect(isPublicPath('/login', custom)).toBe(false)
  })

  it('makes every path public for publicPaths ["/*"]', () => {
    const open = makeConfig({ publicPaths: ['/*'] })
    expect(isPublicPath('/', open)).toBe(true)
    expect(isPublicPath('/patients', open)).toBe(true)
  })
})

describe('isDocumentRequest', () => {
  it('recognises a navigation by Sec-Fetch-Dest: document', () => {
    expect(isDocumentRequest(req(DOC))).toBe(true)
    expect(isDocumentRequest(req({ 'sec-fetch-dest': 'document' }))).toBe(true)
    expect(isDocumentRequest(req(DOC, 'HEAD'))).toBe(true)
  })

  it.each(['empty', 'iframe', 'image', 'script', 'style', 'font'])('is false for Sec-Fetch-Dest: %s, even with Accept: text/html', (dest) => {
    expect(isDocumentRequest(req({ 'sec-fetch-dest': dest, accept: 'text/html' }))).toBe(false)
  })

  it('falls back to Sec-Fetch-Mode: navigate without Sec-Fetch-Dest', () => {
    expect(isDocumentRequest(req({ 'sec-fetch-mode': 'navigate' }))).toBe(true)
    expect(isDocumentRequest(req({ 'sec-fetch-mode': 'cors', accept: 'text/html' }))).toBe(false)
  })

  it('falls back to Accept: text/html without Fetch Metadata (older browsers)', () => {
    expect(isDocumentRequest(req({ accept: 'text/html,application/xhtml+xml' }))).toBe(true)
    expect(isDocumentRequest(req({ accept: 'application/json' }))).toBe(false)
    expect(isDocumentRequest(req())).toBe(false)
  })

  it.each([
    ['an RSC request', { rsc: '1' }],
    ['a router prefetch', { 'next-router-prefetch': '1' }],
    ['a server action', { 'next-action': 'abc123' }],
    ['a prefetch by purpose', { purpose: 'prefetch' }],
  ])('is false for %s, even with document headers', (_, extra) => {
    expect(isDocumentRequest(req({ ...DOC, ...extra }))).toBe(false)
  })

  it.each(['POST', 'PUT', 'DELETE', 'OPTIONS'])('is false for %s', (method) => {
    expect(isDocumentRequest(req(DOC, method))).toBe(false)
  })
})

describe('fetchSite (Fetch Metadata: Sec-Fetch-Site)', () => {
  it.each(['same-origin', 'same-site', 'cross-site', 'none'] as const)('reads %s', (site) => {
    expect(fetchSite(req({ 'sec-fetch-site': site }))).toBe(site)
  })

  it.each(['', 'Same-Origin', 'same-origin, cross-site', 'other'])('is null for the unknown value %j', (site) => {
    expect(fetchSite(req({ 'sec-fetch-site': site }))).toBeNull()
  })

  it('is null without the header', () => {
    expect(fetchSite(req())).toBeNull()
  })
})

describe('isOwnNavigation', () => {
  it.each([['same-origin', true], ['none', true], ['same-site', false], ['cross-site', false]])('Sec-Fetch-Site: %s → %s', (site, own) => {
    expect(isOwnNavigation(req({ 'sec-fetch-site': site }))).toBe(own)
  })

  it('is false without Fetch Metadata', () => {
    expect(isOwnNavigation(req())).toBe(false)
  })
})

describe('INTERNAL_HEADERS', () => {
  it('lists the headers lib/auth sets for the handlers', () => {
    expect(INTERNAL_HEADERS).toEqual(['x-auth-pathname'])
  })
})
