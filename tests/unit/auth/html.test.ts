import { describe, expect, it } from 'vitest'
import { ERRORS, type AuthErrorCode } from '@/lib/auth/errors'
import { errorPageHtml, escapeHtml, htmlResponse, logoutConfirmHtml, NO_STORE, securityHeaders, signedOutHtml } from '@/lib/auth/html'

const PAYLOADS = ['"><script>alert(1)</script>', "' onmouseover='alert(1)", '<img src=x onerror=alert(1)>', '&lt;already&gt;', '</title><script>x</script>']
const EVIL = PAYLOADS.join('')
const codes = Object.keys(ERRORS) as AuthErrorCode[]

/** Markup that only appears when a payload was not escaped. */
function expectNoInjection(html: string) {
  expect(html).not.toMatch(/<script/i)
  expect(html).not.toMatch(/<img/i)
  for (const payload of PAYLOADS) expect(html).not.toContain(payload)
}

describe('escapeHtml (HTML 13.1.2.6 / attribute values)', () => {
  it('escapes the five special characters as numeric references', () => {
    expect(escapeHtml(`&<>"'`)).toBe('&#38;&#60;&#62;&#34;&#39;')
  })

  it('escapes an already escaped entity again (no double-decoding trick)', () => {
    expect(escapeHtml('&lt;')).toBe('&#38;lt;')
  })

  it('leaves other text alone', () => {
    expect(escapeHtml('Zoë / 東京 = 1 + `x` ©')).toBe('Zoë / 東京 = 1 + `x` ©')
  })

  it('leaves no special character in anything it returns', () => {
    expect(escapeHtml(EVIL)).not.toMatch(/[<>"']/)
  })
})

describe('securityHeaders (RFC 9700 4.2.4, ASVS 8.2.1)', () => {
  it('forbids caching, framing, sniffing, referrers and any resource but inline styles', () => {
    const headers = securityHeaders()
    expect(Object.fromEntries(headers)).toEqual({
      'cache-control': 'private, no-store, max-age=0',
      pragma: 'no-cache',
      'referrer-policy': 'no-referrer',
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'DENY',
      'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; frame-ancestors 'none'; base-uri 'none'",
    })
    expect(NO_STORE).toBe('private, no-store, max-age=0')
  })

  it('adds extra headers and lets them override', () => {
    const headers = securityHeaders({ location: '/x', 'cache-control': 'no-store' })
    expect(headers.get('location')).toBe('/x')
    expect(headers.get('cache-control')).toBe('no-store')
    expect(headers.get('x-frame-options')).toBe('DENY')
  })
})

describe('errorPageHtml', () => {
  const ctx = { appName: 'myclinic', signInHref: '/signin' }

  it.each(codes)('renders %s with its code, title, message and status', (code) => {
    const html = errorPageHtml(ctx, code, '/login?returnTo=%2Fx')
    const info = ERRORS[code]
    expect(html).toMatch(/^<!DOCTYPE html><html lang="en">/)
    expect(html).toContain(`data-error-code="${code}"`)
    expect(html).toContain(`<code data-testid="error-code">${code}</code>`)
    expect(html).toContain(`<h1 id="error-title">${escapeHtml(info.title)}</h1>`)
    expect(html).toContain(escapeHtml(info.message))
    expect(html).toContain(`HTTP ${info.status}`)
    expect(html).toContain(`<title>${escapeHtml(info.title)} · myclinic</title>`)
  })

  it('links "Try again" and "Back to sign-in page"', () => {
    const html = errorPageHtml(ctx, 'state_mismatch', '/login?returnTo=%2Fx&prompt=login')
    expect(html).toContain('href="/login?returnTo=%2Fx&#38;prompt=login">Try again</a>')
    expect(html).toContain('href="/signin">Back to sign-in page</a>')
  })

  it('escapes the app name, the retry link and the sign-in link', () => {
    const html = errorPageHtml({ appName: EVIL, signInHref: EVIL }, 'internal_error', EVIL)
    expectNoInjection(html)
    expect(html).toContain(escapeHtml(EVIL))
  })

  it('loads nothing from elsewhere and runs no script', () => {
    const html = errorPageHtml(ctx, 'idp_unreachable', '/login')
    expect(html).not.toMatch(/<script|<link|<iframe|src=|https?:\/\/|url\(/i)
  })
})

describe('logoutConfirmHtml', () => {
  it('posts to the logout route and offers to stay', () => {
    const html = logoutConfirmHtml({ appName: 'myclinic', signInHref: '/signin' }, '/logout')
    expect(html).toContain('<form method="post" action="/logout" class="actions"><button type="submit">Log out</button>')
    expect(html).toContain('Log out of myclinic?')
    expect(html).toContain('href="/">Stay signed in</a>')
  })

  it('escapes the app name and the logout path', () => {
    const html = logoutConfirmHtml({ appName: EVIL, signInHref: '/' }, EVIL)
    expectNoInjection(html)
    expect(html).toContain(`action="${escapeHtml(EVIL)}"`)
  })
})

describe('signedOutHtml', () => {
  it('marks the page and links to sign in', () => {
    const html = signedOutHtml({ appName: 'myclinic', signInHref: '/login' })
    expect(html).toContain('data-signed-out="true"')
    expect(html).toContain('You are signed out of myclinic')
    expect(html).toContain('href="/login">Sign in</a>')
  })

  it('escapes the app name and the link', () => {
    expectNoInjection(signedOutHtml({ appName: EVIL, signInHref: EVIL }))
  })
})

describe('htmlResponse', () => {
  it('answers with the status, HTML content type, the security headers and the cookies', async () => {
    const response = htmlResponse('<p>x</p>', 503, ['a=; Path=/; Max-Age=0', 'b=1; Path=/'])
    expect(response.status).toBe(503)
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8')
    expect(response.headers.get('content-security-policy')).toContain("default-src 'none'")
    expect(response.headers.get('cache-control')).toBe(NO_STORE)
    expect(response.headers.getSetCookie()).toEqual(['a=; Path=/; Max-Age=0', 'b=1; Path=/'])
    expect(await response.text()).toBe('<p>x</p>')
  })

  it('sets no cookie by default', () => {
    expect(htmlResponse('', 400).headers.getSetCookie()).toEqual([])
  })
})
