/**
 * Drives the login over HTTP without a browser, for the RP conformance specs: each step is a
 * single request (no automatic redirects), so a spec can stop at the callback, mutate it, and look
 * at exactly what the app answers. Cookies live in one APIRequestContext per simulated browser.
 */
import { expect, request, type APIRequestContext, type APIResponse } from '@playwright/test'
import { APP_URL, IS_URL } from './env'

/** Headers of a top-level navigation, as Chromium sends them. */
export const DOC = { 'sec-fetch-dest': 'document', 'sec-fetch-mode': 'navigate', 'sec-fetch-site': 'none', accept: 'text/html' }

export async function newBrowser(): Promise<APIRequestContext> {
  return request.newContext({ ignoreHTTPSErrors: true })
}

function decode(value: string): string {
  return value.replace(/&#(\d+);/g, (_, n) => String.fromCharCode(Number(n))).replace(/&amp;/g, '&').replace(/&quot;/g, '"')
}

export function parseForm(html: string, id?: string): { action: string; fields: Record<string, string> } {
  const re = id ? new RegExp(`<form[^>]*id="${id}"[^>]*>([\\s\\S]*?)</form>`) : /<form[^>]*>([\s\S]*?)<\/form>/
  const m = re.exec(html)
  if (!m) throw new Error(`form ${id ?? ''} not found in ${html.slice(0, 200)}`)
  const action = decode(/action="([^"]*)"/.exec(m[0])?.[1] ?? '')
  const fields: Record<string, string> = {}
  for (const input of m[1].matchAll(/<input([^>]*)>/g)) {
    const name = /name="([^"]*)"/.exec(input[1])?.[1]
    if (name) fields[name] = decode(/value="([^"]*)"/.exec(input[1])?.[1] ?? '')
  }
  return { action, fields }
}

/** GET or POST without following redirects. */
export async function step(api: APIRequestContext, url: string, form?: Record<string, string>, headers: Record<string, string> = {}): Promise<APIResponse> {
  return form ? api.post(url, { form, maxRedirects: 0, headers }) : api.get(url, { maxRedirects: 0, headers })
}

export function location(response: APIResponse, base: string): string {
  const value = response.headers().location
  if (!value) throw new Error(`expected a redirect, got ${response.status()}`)
  return new URL(value, base).href
}

export interface PendingLogin {
  /** The authorization request the app sent the browser to. */
  authorizeUrl: string
  /** The callback URL the IS redirected to (not yet delivered to the app). */
  callbackUrl: string
}

/** Starts a login at the app and returns the authorization URL (the transaction cookie is in `api`). */
export async function startLogin(api: APIRequestContext, appUrl = APP_URL, returnTo?: string): Promise<string> {
  const url = returnTo ? `${appUrl}/login?returnTo=${encodeURIComponent(returnTo)}` : `${appUrl}/login`
  const response = await step(api, url, undefined, DOC)
  expect(response.status(), await response.text()).toBe(302)
  return location(response, appUrl)
}

/** At the IS: follows redirects, signs in and approves consent, and returns the callback URL for the app. */
export async function authorizeAtIs(
  api: APIRequestContext,
  authorizeUrl: string,
  { username = 'admin', password = 'admin', consent = 'approveAlways' }: { username?: string; password?: string; consent?: string } = {},
): Promise<string> {
  const isOrigin = new URL(IS_URL).origin
  let url = authorizeUrl
  for (let i = 0; i < 15; i++) {
    if (new URL(url).origin !== isOrigin) return url
    const response = await step(api, url, undefined, { accept: 'text/html' })
    if (response.status() >= 300 && response.status() < 400) {
      url = location(response, url)
      continue
    }
    const html = await response.text()
    let form: { action: string; fields: Record<string, string> }
    let data: Record<string, string>
    if (html.includes('id="loginForm"')) {
      form = parseForm(html, 'loginForm')
      data = { ...form.fields, usernameUserInput: username, username, password }
    } else if (html.includes('wants to access your account')) {
      form = parseForm(html, 'profile')
      data = { ...form.fields, consent }
    } else {
      throw new Error(`unexpected IS page (${response.status()}): ${html.slice(0, 300)}`)
    }
    const posted = await step(api, new URL(form.action, url).href, data, { accept: 'text/html' })
    if (posted.status() < 300 || posted.status() >= 400) {
      const text = await posted.text()
      if (text.includes('Login failed')) throw new Error('login failed at the IS')
      throw new Error(`IS answered ${posted.status()}: ${text.slice(0, 200)}`)
    }
    url = location(posted, url)
  }
  throw new Error('too many redirects at the IS')
}

/** Starts a login and runs it up to (not including) the callback. */
export async function pendingLogin(api: APIRequestContext, options: { username?: string; password?: string; appUrl?: string; returnTo?: string } = {}): Promise<PendingLogin> {
  const authorizeUrl = await startLogin(api, options.appUrl, options.returnTo)
  const callbackUrl = await authorizeAtIs(api, authorizeUrl, options)
  return { authorizeUrl, callbackUrl }
}

/** Delivers a callback URL to the app (no redirects followed). */
export async function deliver(api: APIRequestContext, callbackUrl: string): Promise<APIResponse> {
  return step(api, callbackUrl, undefined, DOC)
}

/** A full login over HTTP; returns the callback response (303 to returnTo on success). */
export async function httpLogin(api: APIRequestContext, options: { username?: string; password?: string; appUrl?: string } = {}): Promise<APIResponse> {
  const { callbackUrl } = await pendingLogin(api, options)
  const response = await deliver(api, callbackUrl)
  expect(response.status(), await response.text()).toBe(303)
  return response
}

/** What the guard makes of the cookies in `api`: 'session' when the dashboard renders, else 'anonymous'. */
export async function sessionState(api: APIRequestContext, appUrl = APP_URL): Promise<'session' | 'anonymous'> {
  let response = await step(api, `${appUrl}/`, undefined, DOC)
  if (response.status() === 200 && (await response.text()).includes('data-testid="greeting"')) return 'session'
  expect([307, 302, 303]).toContain(response.status())
  // A revoked or ended session is sent through the refresh route, which clears its cookies.
  if (/\/login\/refresh/.test(response.headers().location ?? '')) {
    response = await step(api, new URL(response.headers().location, appUrl).href, undefined, DOC)
    expect([307, 302, 303]).toContain(response.status())
  }
  expect(response.headers().location).toMatch(/\/signin/)
  return 'anonymous'
}

/** The data-error-code of an error page, or null. */
export async function errorCode(response: APIResponse): Promise<string | null> {
  return /data-error-code="([a-z_]+)"/.exec(await response.text())?.[1] ?? null
}

/** Names of cookies a response sets to a non-empty value. */
export function setCookieNames(response: APIResponse): string[] {
  return response
    .headersArray()
    .filter((h) => h.name.toLowerCase() === 'set-cookie' && !/Max-Age=0/i.test(h.value))
    .map((h) => h.value.split('=')[0])
}
