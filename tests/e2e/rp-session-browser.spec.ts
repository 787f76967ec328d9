/**
 * RP conformance, sections E (session cookie), F (logout) and G (redirects, CSRF, browser hardening)
 * of rp-security, plus the two mutation tests: 1,000 mutations of a valid session cookie and 1,000
 * of a valid callback, none of which may cause a 500 or an authenticated session.
 */
import { expect, request, test, type APIRequestContext } from '@playwright/test'
import { startApp } from './app-server'
import { APP_URL, IS_URL, LOCAL_CLIENT, REAL_IS } from './env'
import { DOC, deliver, errorCode, httpLogin, newBrowser, pendingLogin, sessionState, setCookieNames, startLogin, step } from './http-flow'
import { Control } from './is-control'
import { login } from './helpers'
import { raw } from './raw'

const CLIENT_ID = LOCAL_CLIENT.id
const CLIENT_SECRET = LOCAL_CLIENT.secret

const SESSION = '__Host-myclinic-session'
const ACTIVITY = '__Host-myclinic-activity'

/** A deterministic pseudo-random generator, so a failing mutation can be replayed. */
function prng(seed: number) {
  let x = seed >>> 0
  return () => {
    x ^= x << 13
    x ^= x >>> 17
    x ^= x << 5
    return (x >>> 0) / 2 ** 32
  }
}

const COOKIE_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_*~.'

function mutateSeal(seal: string, random: () => number): string {
  const pick = (s: string) => s[Math.floor(random() * s.length)]
  const at = Math.floor(random() * seal.length)
  const parts = seal.split('*')
  switch (Math.floor(random() * 10)) {
    case 0: return seal.slice(0, at) + pick(COOKIE_CHARS) + seal.slice(at + 1)
    case 1: return seal.slice(0, at)
    case 2: return seal.slice(0, at) + pick(COOKIE_CHARS) + seal.slice(at)
    case 3: return seal.slice(0, at) + seal.slice(at + 1)
    case 4: { const i = Math.floor(random() * parts.length); parts[i] = ''; return parts.join('*') }
    case 5: { const i = Math.floor(random() * parts.length); parts[i] = parts[i].split('').reverse().join(''); return parts.join('*') }
    case 6: { const i = Math.floor(random() * parts.length); const j = Math.floor(random() * parts.length); [parts[i], parts[j]] = [parts[j], parts[i]]; return parts.join('*') }
    case 7: return ['Fe26.2', '', '', '', '', '', '', ''].join('*') + '~' + pick('0123456789')
    case 8: { parts[6] = String(Math.floor(random() * 1e13)); return parts.join('*') }
    default: return seal + seal.slice(0, Math.floor(random() * 50))
  }
}

test.describe('RP conformance: session cookie, logout, redirects and hardening', () => {
  test.skip(REAL_IS, 'drives the local IS')
  test.describe.configure({ timeout: 120_000 })
  let control: Control

  test.beforeAll(async () => {
    control = await Control.open()
  })
  test.afterEach(async () => {
    await control.normal()
  })

  async function sessionCookie(api: APIRequestContext) {
    return (await api.storageState()).cookies.filter((c) => c.name.startsWith(SESSION))
  }

  test('SC-01 the session cookie: HttpOnly, Secure, SameSite=Lax, Path=/, no Domain, __Host-, sealed, bounded', async () => {
    const api = await newBrowser()
    const response = await httpLogin(api)
    const header = response.headersArray().find((h) => h.name === 'set-cookie' && h.value.startsWith(SESSION))!.value
    expect(header).toMatch(/; Path=\/; Max-Age=\d+; HttpOnly; Secure; SameSite=Lax$/)
    expect(header).not.toMatch(/Domain=/i)
    const value = header.split(';')[0].split('=').slice(1).join('=')
    expect(value.startsWith('Fe26.2*')).toBe(true)
    expect(value.length).toBeLessThanOrEqual(4096)
    expect(value).not.toMatch(/admin|eyJ/)
  })

  test('SC-02 the transaction cookie: sealed, Lax, 10 minutes, cleared by the callback', async () => {
    const api = await newBrowser()
    const response = await step(api, `${APP_URL}/login`, undefined, DOC)
    const header = response.headersArray().find((h) => h.name === 'set-cookie' && h.value.includes('myclinic-txn.'))!.value
    expect(header).toMatch(/^__Host-myclinic-txn\.[0-3]=Fe26\.2\*.*; Max-Age=600; HttpOnly; Secure; SameSite=Lax$/)
    const authorize = new URL(response.headers().location)
    expect(header).not.toContain(authorize.searchParams.get('nonce')!)
    const { callbackUrl } = await pendingLogin(api)
    const done = await deliver(api, callbackUrl)
    expect(done.headersArray().some((h) => h.name === 'set-cookie' && /myclinic-txn\..*Max-Age=0/.test(h.value))).toBe(true)
  })

  test('SC-03 login renews the session: a planted pre-login cookie never becomes authenticated', async () => {
    const attacker = await newBrowser()
    await startLogin(attacker, APP_URL, '/?planted=1')
    const planted = (await attacker.storageState()).cookies
    const victim = await request.newContext({ ignoreHTTPSErrors: true, storageState: { cookies: planted, origins: [] } })
    await httpLogin(victim)
    const victimSeal = (await sessionCookie(victim)).map((c) => c.value).join('')
    expect(planted.map((c) => c.value)).not.toContain(victimSeal)
    expect(await sessionState(attacker)).toBe('anonymous')
    await Promise.all([attacker.dispose(), victim.dispose()])
  })

  test('SC-04/SC-05 1,000 mutations of a valid session cookie: never a 500, never authenticated', async () => {
    const api = await newBrowser()
    await httpLogin(api)
    const [cookie] = await sessionCookie(api)
    const random = prng(20261128)
    const seen = new Set<string>([cookie.value])
    const statuses = new Map<number, number>()
    let sent = 0
    while (sent < 1000) {
      const mutated = mutateSeal(cookie.value, random)
      if (seen.has(mutated) || mutated.length === 0) continue
      seen.add(mutated)
      sent++
      const headers: Record<string, string> = sent % 2 ? { ...DOC, cookie: `${SESSION}=${mutated}` } : { rsc: "1", cookie: `${SESSION}=${mutated}` }
      const response = await raw(`${APP_URL}/`, headers)
      statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1)
      expect(response.status, `mutation ${sent}: ${mutated.slice(0, 80)}`).toBe(sent % 2 ? 307 : 401)
      expect(response.text).not.toContain('data-testid="greeting"')
    }
    // The unmutated cookie still works: the test would notice a guard that refuses everything.
    expect((await raw(`${APP_URL}/`, { ...DOC, cookie: `${SESSION}=${cookie.value}` })).status).toBe(200)
    expect([...statuses.keys()].every((s) => s < 500)).toBe(true)
  })

  test('SC-05 crafted seals and cookie tossing are anonymous', async () => {
    const api = await newBrowser()
    await httpLogin(api)
    const [cookie] = await sessionCookie(api)
    const crafted = [
      'Fe26.2**a*b*c*d*e*f~2',
      `Fe26.2*1*${'A'.repeat(30)}*${'B'.repeat(22)}*${'C'.repeat(40)}*99999999999999*${'D'.repeat(30)}*${'E'.repeat(43)}~2`,
      `Fe26.2*${cookie.value.split('*')[1]}*x*y*z*abc*e*f~2`,
      'x'.repeat(4000),
    ]
    for (const value of crafted) {
      const ctx = await request.newContext({ ignoreHTTPSErrors: true })
      const response = await ctx.get(`${APP_URL}/`, { headers: { ...DOC, cookie: `${SESSION}=${value}` }, maxRedirects: 0 })
      expect(response.status()).toBe(307)
      await ctx.dispose()
    }
    // A valid cookie sent twice under the same name (one planted by a sibling domain) is not trusted.
    const ctx = await request.newContext({ ignoreHTTPSErrors: true })
    const tossed = await ctx.get(`${APP_URL}/`, { headers: { ...DOC, cookie: `${SESSION}=Fe26.2*evil; ${SESSION}=${cookie.value}` }, maxRedirects: 0 })
    expect(tossed.status()).toBe(307)
  })

  test('SC-07 idle and absolute timeouts are enforced from inside the seal', async () => {
    await control.client(CLIENT_ID, { callback_url: 'regexp=(https://localhost:500[0-9]/login|https://localhost:500[0-9]/signin)' })
    const app = await startApp(5004, { AUTH_SESSION_IDLE_TIMEOUT: '5', AUTH_SESSION_MAX_AGE: '12' })
    try {
      const names = async (ctx: APIRequestContext) => (await ctx.storageState()).cookies.map((c) => c.name)
      const idle = await newBrowser()
      await httpLogin(idle, { appUrl: app.url })
      // Login writes no idle timer: the session's own write time is the last activity.
      expect(await names(idle)).not.toContain(ACTIVITY)
      expect(await sessionState(idle, app.url)).toBe('session')
      await new Promise((r) => setTimeout(r, 6_000))
      expect(await sessionState(idle, app.url)).toBe('anonymous')

      const busy = await newBrowser()
      await httpLogin(busy, { appUrl: app.url })
      const started = Date.now()
      while (Date.now() - started < 10_000) {
        expect(await sessionState(busy, app.url)).toBe('session')
        await new Promise((r) => setTimeout(r, 2_000))
      }
      expect(await names(busy)).toContain(ACTIVITY)
      await new Promise((r) => setTimeout(r, Math.max(0, 13_000 - (Date.now() - started))))
      expect(await sessionState(busy, app.url)).toBe('anonymous')
    } finally {
      await app.stop()
      await control.resetClient(CLIENT_ID)
    }
  })

  test('1,000 mutations of a valid callback: never a 500, never authenticated', async () => {
    const api = await newBrowser()
    const { callbackUrl } = await pendingLogin(api)
    const original = new URL(callbackUrl)
    // Every mutation carries the pending login's transaction cookie, as a browser would until it is spent.
    const txn = (await api.storageState()).cookies.find((c) => c.name.includes('myclinic-txn.'))!
    const cookieHeader = `${txn.name}=${txn.value}`
    const random = prng(42)
    const pick = <T,>(list: T[]) => list[Math.floor(random() * list.length)]
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_%.~<>"\''
    const mutateValue = (v: string) => {
      const at = Math.floor(random() * (v.length + 1))
      switch (Math.floor(random() * 5)) {
        case 0: return v.slice(0, at) + pick([...alphabet]) + v.slice(at + 1)
        case 1: return v.slice(0, at)
        case 2: return v + pick([...alphabet])
        case 3: return ''
        default: return v.toUpperCase()
      }
    }
    const seen = new Set<string>()
    let count = 0
    while (count < 1000) {
      const url = new URL(original.href)
      const p = url.searchParams
      const target = pick(['code', 'state', 'iss', 'dup', 'drop', 'inject'])
      if (target === 'dup') p.append(pick(['code', 'state', 'iss']), mutateValue(p.get('state')!))
      else if (target === 'drop') p.delete(pick(['code', 'state', 'iss']))
      else if (target === 'inject') p.set(pick(['id_token', 'access_token', 'error', 'response']), mutateValue('x'))
      else p.set(target, mutateValue(p.get(target) ?? ''))
      if (url.href === original.href || seen.has(url.href)) continue
      // An upper-cased code is still the real code only if it had no letters; skip no-op mutations.
      if (['code', 'state', 'iss'].every((k) => p.getAll(k).length === 1 && p.get(k) === original.searchParams.get(k)) && target !== 'inject') continue
      seen.add(url.href)
      count++
      const response = await raw(url.href, { ...DOC, cookie: cookieHeader })
      const label = `${count} (${target}): ${url.search}`
      expect(response.status, label).toBeGreaterThanOrEqual(400)
      expect(response.status, label).not.toBe(500)
      expect(response.text, label).toMatch(/data-error-code="[a-z_]+"/)
      expect(response.headers.getSetCookie().filter((c) => c.startsWith(SESSION)), label).toEqual([])
    }
    // The untouched callback still completes: the mutations were refused for what they changed.
    const real = await raw(original.href, { ...DOC, cookie: cookieHeader })
    expect(real.status).toBe(303)
  })

  // F. Logout
  test('LO-02 the post-logout landing ignores state and parameters; nothing redirects off-site', async () => {
    for (const query of ['?state=random', '', '?state=x&next=https://evil.example', '?returnTo=https://evil.example']) {
      const api = await newBrowser()
      const response = await step(api, `${APP_URL}/signin${query}`, undefined, DOC)
      expect(response.status()).toBe(200)
      const html = await response.text()
      // The query may be echoed as data in the RSC payload; it must never become a link or a redirect.
      expect(html).not.toMatch(/href="[^"]*evil\.example/)
      expect(response.headers().location).toBeUndefined()
    }
  })

  test('LO-03 logout CSRF: cross-site GET shows a confirmation, cross-site POST is refused, the session survives', async () => {
    const api = await newBrowser()
    await httpLogin(api)
    const crossGet = await step(api, `${APP_URL}/logout`, undefined, { ...DOC, 'sec-fetch-site': 'cross-site' })
    expect(crossGet.status()).toBe(200)
    expect(await crossGet.text()).toContain('Log out of myclinic?')
    const crossPost = await api.post(`${APP_URL}/logout`, { maxRedirects: 0, headers: { 'sec-fetch-site': 'cross-site', origin: 'https://evil.example' } })
    expect(crossPost.status()).toBe(403)
    expect(await errorCode(crossPost)).toBe('logout_forbidden')
    const foreignOrigin = await api.post(`${APP_URL}/logout`, { maxRedirects: 0, headers: { origin: 'https://evil.example' } })
    expect(foreignOrigin.status()).toBe(403)
    const image = await step(api, `${APP_URL}/logout`, undefined, { 'sec-fetch-site': 'cross-site', 'sec-fetch-dest': 'image' })
    expect(image.status()).toBe(200)
    expect(await sessionState(api)).toBe('session')
    const sameOrigin = await api.post(`${APP_URL}/logout`, { maxRedirects: 0, headers: { 'sec-fetch-site': 'same-origin', origin: APP_URL } })
    expect(sameOrigin.status()).toBe(303)
    const end = new URL(sameOrigin.headers().location)
    expect(end.origin + end.pathname).toBe(`${IS_URL}/oidc/logout`)
    expect(end.searchParams.get('id_token_hint')).toMatch(/^eyJ/)
    expect(end.searchParams.get('client_id')).toBe(CLIENT_ID)
    expect(end.searchParams.get('post_logout_redirect_uri')).toBe(`${APP_URL}/signin`)
    expect(end.searchParams.get('state')!.length).toBeGreaterThanOrEqual(43)
    expect(sameOrigin.headersArray().some((h) => h.name === 'set-cookie' && h.value.startsWith(SESSION) && /Max-Age=0/.test(h.value))).toBe(true)
    expect(await sessionState(api)).toBe('anonymous')
  })

  test('LO-04 logout without a session, twice, and with a returnTo never fails or leaves the site', async () => {
    const api = await newBrowser()
    for (const url of [`${APP_URL}/logout`, `${APP_URL}/logout?returnTo=https://evil.example`]) {
      const response = await api.post(url, { maxRedirects: 0, headers: { 'sec-fetch-site': 'same-origin' } })
      expect(response.status()).toBe(303)
      expect(response.headers().location).toBe(`${APP_URL}/signin`)
    }
    await httpLogin(api)
    const first = await api.post(`${APP_URL}/logout?returnTo=https://evil.example`, { maxRedirects: 0, headers: { 'sec-fetch-site': 'same-origin' } })
    expect(new URL(first.headers().location).origin).toBe(new URL(IS_URL).origin)
    expect(first.headers().location).not.toContain('evil.example')
    const again = await api.post(`${APP_URL}/logout`, { maxRedirects: 0, headers: { 'sec-fetch-site': 'same-origin' } })
    expect(again.headers().location).toBe(`${APP_URL}/signin`)
  })

  test('LO-05 pages behind the guard and auth responses are never cached', async () => {
    const api = await newBrowser()
    await httpLogin(api)
    const dashboard = await step(api, `${APP_URL}/`, undefined, DOC)
    expect(dashboard.headers()['cache-control']).toMatch(/no-store/)
    const start = await step(await newBrowser(), `${APP_URL}/login`, undefined, DOC)
    expect(start.headers()['cache-control']).toMatch(/no-store/)
    const error = await step(await newBrowser(), `${APP_URL}/login?code=x&state=${'A'.repeat(43)}`, undefined, DOC)
    expect(error.headers()['cache-control']).toMatch(/no-store/)
  })

  test('LO-06 the back-channel endpoint answers 400 with no-store to anything but a valid logout token', async () => {
    const api = await newBrowser()
    const bodies: [Record<string, string> | undefined, Record<string, string>][] = [
      [{ logout_token: 'not-a-jwt' }, {}],
      [{ logout_token: 'eyJhbGciOiJub25lIn0.eyJpc3MiOiJ4In0.' }, {}],
      [{}, {}],
    ]
    for (const [form] of bodies) {
      const response = await api.post(`${APP_URL}/logout/backchannel`, { form: form ?? {}, maxRedirects: 0 })
      expect(response.status()).toBe(400)
      expect(response.headers()['cache-control']).toBe('no-store')
    }
    const json = await api.post(`${APP_URL}/logout/backchannel`, { data: { logout_token: 'x' }, maxRedirects: 0 })
    expect(json.status()).toBe(400)
    const get = await api.get(`${APP_URL}/logout/backchannel`, { maxRedirects: 0 })
    expect(get.status()).toBe(405)
  })

  // G. Redirects and hardening
  const openRedirects = [
    'https://evil.example', '//evil.example', '///evil.example', '/\\evil.example', '\\\\evil.example', '/%09/evil.example',
    '%2F%2Fevil.example', 'https:evil.example', 'javascript:alert(1)', '/%5Cevil.example', '//evil.example/%2E%2E',
    'https://localhost:5000@evil.example', 'https://localhost:5000.evil.example', ' //evil.example', '/.//evil.example',
  ]
  test('RC-01 open-redirect payloads in returnTo always land on the app', async () => {
    for (const payload of openRedirects) {
      const api = await newBrowser()
      const { callbackUrl } = await pendingLogin(api, { returnTo: payload })
      const response = await deliver(api, callbackUrl)
      expect(response.status()).toBe(303)
      const target = new URL(response.headers().location)
      expect(target.origin, payload).toBe(APP_URL)
      await api.dispose()
    }
    const signin = await step(await newBrowser(), `${APP_URL}/signin?returnTo=${encodeURIComponent('//evil.example')}`, undefined, DOC)
    expect(await signin.text()).not.toMatch(/href="[^"]*evil\.example/)
  })

  test('RC-02 a returnTo added to the callback URL is ignored; the sealed one is used', async () => {
    const api = await newBrowser()
    const { callbackUrl } = await pendingLogin(api, { returnTo: '/?from=start' })
    const url = new URL(callbackUrl)
    url.searchParams.set('returnTo', 'https://evil.example')
    url.searchParams.set('next', '//evil.example')
    const response = await deliver(api, url.href)
    expect(response.headers().location).toBe(`${APP_URL}/?from=start`)
  })

  test('RC-03 Host and X-Forwarded-* headers never build a URL', async () => {
    const api = await newBrowser()
    const spoof = { ...DOC, 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'http', forwarded: 'host=evil.example' }
    const start = await step(api, `${APP_URL}/login`, undefined, spoof)
    const authorize = new URL(start.headers().location)
    expect(authorize.searchParams.get('redirect_uri')).toBe(`${APP_URL}/login`)
    const guard = await step(await newBrowser(), `${APP_URL}/?x=1`, undefined, spoof)
    // Next.js may make a same-origin Location relative; resolved against the real URL it stays on the app.
    expect(new URL(guard.headers().location, APP_URL).origin).toBe(APP_URL)
    expect(guard.headers().location).not.toContain('evil.example')
    const signinHost = await step(await newBrowser(), `${APP_URL}/`, undefined, { ...DOC, host: 'evil.example' })
    expect(signinHost.headers().location ?? '').not.toContain('evil.example')
    expect(start.headersArray().filter((h) => h.name === 'set-cookie').every((h) => !/Domain=/i.test(h.value))).toBe(true)
  })

  test('RC-04 security headers on every page and auth response', async () => {
    const api = await newBrowser()
    await httpLogin(api)
    const responses = [
      await step(api, `${APP_URL}/`, undefined, DOC),
      await step(await newBrowser(), `${APP_URL}/signin`, undefined, DOC),
      await step(await newBrowser(), `${APP_URL}/login`, undefined, DOC),
      await step(await newBrowser(), `${APP_URL}/login?code=x&state=${'B'.repeat(43)}`, undefined, DOC),
    ]
    for (const response of responses) {
      const h = response.headers()
      expect(h['x-frame-options']).toBe('DENY')
      expect(h['content-security-policy']).toContain("frame-ancestors 'none'")
      expect(h['x-content-type-options']).toBe('nosniff')
      expect(h['referrer-policy']).toBe('no-referrer')
      expect(h['strict-transport-security']).toMatch(/max-age=\d+/)
    }
  })

  test('RC-04 the dashboard cannot be framed by another site', async ({ page, context }) => {
    await login(page, APP_URL)
    const framer = await context.newPage()
    await framer.setContent(`<iframe id="f" src="${APP_URL}/signin" width="600" height="400"></iframe>`)
    await framer.waitForTimeout(1_500)
    // With X-Frame-Options DENY / frame-ancestors 'none' Chromium shows its own error page in the frame.
    for (const frame of framer.frames().slice(1)) {
      const text = await frame.evaluate(() => document.body?.innerText ?? '').catch(() => '')
      expect(text).not.toContain('myclinic')
    }
  })

  test('RC-06 the refresh token, code, verifier and client secret never reach the browser; the access and ID tokens only on the dashboard; no tokens in logs', async ({ page }) => {
    await control.client(CLIENT_ID, { callback_url: 'regexp=(https://localhost:500[0-9]/login|https://localhost:500[0-9]/signin)' })
    const app = await startApp(5005, {})
    try {
      const api = await newBrowser()
      const { callbackUrl } = await pendingLogin(api, { appUrl: app.url })
      const code = new URL(callbackUrl).searchParams.get('code')!
      await control.clearLog()
      await deliver(api, callbackUrl)
      const log = (await control.api.get('/__test/log').then((r) => r.json())) as { path: string; body?: Record<string, string> }[]
      const verifier = log.find((e) => e.path.endsWith('/oauth2/token'))?.body?.code_verifier
      const dashboard = await (await step(api, `${app.url}/`, undefined, DOC)).text()
      const rsc = await (await step(api, `${app.url}/`, undefined, { rsc: '1', accept: 'text/x-component' })).text()
      // Signed in, so this is the "Continue as" page.
      const signin = await (await step(api, `${app.url}/signin`, undefined, DOC)).text()
      const accessToken = /data-testid="access-token">([^<]+)</.exec(dashboard)![1]
      // Logout reveals the other tokens of this login: the ID token in id_token_hint, the refresh token in the revoke call.
      await control.clearLog()
      const logout = await api.post(`${app.url}/logout`, { maxRedirects: 0, headers: { 'sec-fetch-site': 'same-origin' } })
      const idToken = new URL(logout.headers().location).searchParams.get('id_token_hint')!
      expect(idToken).toMatch(/^eyJ/)
      const revoke = ((await control.api.get('/__test/log').then((r) => r.json())) as { path: string; body?: Record<string, string> }[]).find((e) => e.path.endsWith('/oauth2/revoke'))
      const refreshToken = revoke?.body?.token
      expect(refreshToken).toBeTruthy()
      // The dashboard shows the access and ID tokens (masked, with Show and Copy); nothing else secret.
      expect(dashboard).toContain(`data-testid="id-token">${idToken}<`)
      for (const secret of [refreshToken!, code, verifier!, CLIENT_SECRET]) {
        expect(dashboard).not.toContain(secret)
        expect(rsc).not.toContain(secret)
      }
      // Other pages carry no token at all.
      expect(signin).toContain('Continue as')
      for (const secret of [accessToken, idToken, refreshToken!, code, verifier!, CLIENT_SECRET]) {
        expect(signin).not.toContain(secret)
      }
      await page.waitForTimeout(200)
      const output = app.output()
      for (const secret of [idToken, refreshToken!, code, verifier!, accessToken, CLIENT_SECRET, 'Fe26.2*']) {
        expect(output).not.toContain(secret)
      }
    } finally {
      await app.stop()
      await control.resetClient(CLIENT_ID)
    }
  })

  test('RC-06 nothing auth-related in document.cookie or web storage', async ({ page }) => {
    await login(page, APP_URL)
    const leaks = await page.evaluate(() => ({ cookie: document.cookie, local: JSON.stringify(localStorage), session: JSON.stringify(sessionStorage) }))
    expect(leaks.cookie).not.toContain('myclinic')
    expect(leaks.local).toBe('{}')
    expect(leaks.session).toBe('{}')
  })

  const bypasses: [string, string, Record<string, string>, string?][] = [
    ['x-middleware-subrequest (CVE-2025-29927)', '/', { 'x-middleware-subrequest': 'middleware:middleware:middleware:middleware:middleware' }],
    ['x-middleware-subrequest with the src path', '/', { 'x-middleware-subrequest': 'src/middleware:src/middleware:src/middleware:src/middleware:src/middleware' }],
    ['RSC request', '/', { rsc: '1' }],
    ['RSC query', '/?_rsc=abc', { rsc: '1' }],
    ['prefetch', '/', { 'next-router-prefetch': '1', rsc: '1', purpose: 'prefetch' }],
    ['server action POST', '/', { 'next-action': 'deadbeef', 'content-type': 'text/plain;charset=UTF-8' }, 'POST'],
    ['double slash', '//', {}],
    ['index path', '/index', {}],
    ['encoded slash', '/%2F', {}],
    ['dot segment', '/./', {}],
    ['trailing query', '/?', {}],
    ['x-invoke-path', '/', { 'x-invoke-path': '/signin', 'x-matched-path': '/signin' }],
    ['x-nextjs-data', '/', { 'x-nextjs-data': '1' }],
    ['HEAD', '/', {}, 'HEAD'],
  ]
  for (const [name, path, headers, method] of bypasses) {
    test(`RC-07 middleware bypass attempt: ${name}`, async () => {
      const api = await newBrowser()
      const url = `${APP_URL}${path}`
      const response = method === 'POST'
        ? await api.post(url, { headers, data: '[]', maxRedirects: 0 })
        : method === 'HEAD'
          ? await api.head(url, { headers: { ...DOC, ...headers }, maxRedirects: 0 })
          : await api.get(url, { headers: { ...DOC, ...headers }, maxRedirects: 0 })
      expect(response.status(), name).toBeLessThan(500)
      expect(response.status(), name).not.toBe(200)
      expect(await response.text()).not.toMatch(/data-testid="greeting"|data-testid="access-token"/)
    })
  }
})
