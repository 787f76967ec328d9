/**
 * The HTTP login driver: a full OIDC login as a fresh browser, without a browser, against
 * myclinic or a peer library, through the local IS's login form (as tests/e2e/http-flow.ts does).
 * Each step is one request; the app's CPU can be sampled around the app's own steps.
 *
 *   start at the app  → 302/303/307 to the IS authorize endpoint
 *   at the IS         → login.do form → POST /commonauth (→ consent if shown) → redirect to the callback
 *   callback          → 3xx to the app's "/" with the session cookies
 */
import { performance } from 'node:perf_hooks'
import { errorCodeOf, newBrowser, parseForm } from './http-client.mjs'

/**
 * How each library starts a login, where its callback lives and what its session cookies are called.
 * @typedef {object} Flow
 * @property {(browser: ReturnType<typeof newBrowser>, origin: string) => Promise<import('./http-client.mjs').Reply>} start
 * @property {string} callbackPath
 * @property {(name: string) => boolean} isSessionCookie
 */

/** @type {Record<string, Flow>} */
export const FLOWS = {
  /** myclinic: GET /login. Session: `__Host-myclinic-session` (+ `.0`, `.1` chunks) and `__Host-myclinic-activity`. */
  myclinic: {
    start: (browser, origin) => browser.go(`${origin}/login`),
    callbackPath: '/login',
    isSessionCookie: (n) => n === '__Host-myclinic-session' || n.startsWith('__Host-myclinic-session.') || n === '__Host-myclinic-activity',
  },
  /** Auth.js: GET /api/auth/csrf, then POST /api/auth/signin/<provider> with the CSRF token (what next-auth/react's signIn() does). */
  authjs: {
    start: async (browser, origin) => {
      const csrf = await browser.go(`${origin}/api/auth/csrf`, { headers: { accept: 'application/json', 'sec-fetch-dest': 'empty', 'sec-fetch-mode': 'cors' } })
      if (csrf.status !== 200) return csrf
      const { csrfToken } = JSON.parse(csrf.text)
      return browser.go(`${origin}/api/auth/signin/wso2`, { method: 'POST', form: { csrfToken, callbackUrl: `${origin}/` } })
    },
    callbackPath: '/api/auth/callback/wso2',
    isSessionCookie: (n) => /^(__Secure-)?authjs\.session-token(\.\d+)?$/.test(n),
  },
  /** nextjs-auth0 4: GET /auth/login (mounted by its middleware). Session: `__session` (+ `__session__0`, … chunks). */
  auth0: {
    start: (browser, origin) => browser.go(`${origin}/auth/login`),
    callbackPath: '/auth/callback',
    isSessionCookie: (n) => n === '__session' || /^__session__\d+$/.test(n),
  },
}

/** A login that did not end with a session; `stage` says where, `status`/`code` what the app answered. */
export class LoginError extends Error {
  constructor(stage, message, { status, code, atIs = false } = {}) {
    super(`${stage}: ${message}`)
    this.stage = stage
    this.status = status
    this.code = code
    /** True when the failure was the IS not answering the browser (not an app response). */
    this.atIs = atIs
  }
}

/**
 * At the IS: follows its redirects, fills the login form, approves consent if asked, and returns
 * the response that redirects back to the app.
 */
async function authorizeAtIs(browser, reply, isOrigin, { username, password }) {
  let r = reply
  let consentShown = false
  let requests = 0
  for (let i = 0; i < 20; i++) {
    const next = nextIsStep(r, isOrigin, { username, password })
    if (!next) break
    if (next.consent) consentShown = true
    try {
      r = await browser.go(next.url, next.options)
    } catch (e) {
      throw new LoginError('is', `${next.url.split('?')[0]}: ${e.code ?? e.message}`, { atIs: true })
    }
    requests++
  }
  return { reply: r, consentShown, requests }
}

/** The next request at the IS, or null when the reply leaves the IS. */
function nextIsStep(r, isOrigin, { username, password }) {
  if (r.location && r.location.startsWith(isOrigin)) return { url: r.location }
  if (r.status !== 200) return null
  if (r.text.includes('id="loginForm"')) {
    const form = parseForm(r.text, 'loginForm')
    return { url: new URL(form.action, isOrigin).href, options: { method: 'POST', form: { ...form.fields, usernameUserInput: username, username, password } } }
  }
  if (r.text.includes('wants to access your account')) {
    const form = parseForm(r.text, 'profile')
    return { url: new URL(form.action, isOrigin).href, options: { method: 'POST', form: { ...form.fields, consent: 'approveAlways' } }, consent: true }
  }
  return null
}

/** Calls an app step, sampling CPU around it; a network failure becomes a LoginError. */
async function appStep(stage, fn, { sampler, onResponse, mark }) {
  mark?.(stage, 'begin')
  const c0 = sampler ? sampler() : 0
  let r
  try {
    r = await fn()
  } catch (e) {
    throw new LoginError(stage, e.code ?? e.message)
  }
  const cpuNs = sampler ? sampler() - c0 : NaN
  mark?.(stage, 'end')
  onResponse?.({ stage, status: r.status, code: r.status >= 400 ? errorCodeOf(r.text) : null, t0: r.t0, ms: r.ms })
  return { r, cpuNs }
}

/**
 * @typedef {object} LoginResult
 * @property {string} code the authorization code (to find the token request in the IS log)
 * @property {number} startMs wall time of the app's start step(s)
 * @property {number} callbackMs wall time of the callback request
 * @property {number} callbackStart ms since the epoch
 * @property {number} callbackEnd
 * @property {number} totalMs
 * @property {number} startCpuNs app CPU during the start step(s) (NaN without a sampler)
 * @property {number} callbackCpuNs app CPU during the callback
 * @property {number} loginCpuNs app CPU from the first request to the callback's answer (includes the idle time at the IS)
 * @property {boolean} consentShown
 * @property {number} isRequests front-channel requests at the IS
 * @property {string[]} sessionSetCookies Set-Cookie values of the session cookies in the callback response
 * @property {string} cookieHeader the Cookie header of the session cookies
 * @property {ReturnType<typeof newBrowser>} browser still open when `keep` was set
 */

/**
 * One full login as a fresh browser.
 * @param {{ origin: string, flow: keyof FLOWS, isOrigin: string }} target
 * @param {{ agent?: import('undici').Agent, sampler?: () => number, username?: string, password?: string, keep?: boolean, onResponse?: (r: object) => void, mark?: (stage: string, phase: 'begin' | 'end') => void }} [options]
 *   sampler: the app's CPU clock in ns (lib/proc-stats.mjs treeSampler().cpuNs); keep: leave the browser open (its jar holds the session);
 *   onResponse: every app answer; mark: called right before and after each app step (for cutting a CPU profile)
 * @returns {Promise<LoginResult>}
 */
export async function login(target, { agent, sampler, username = 'admin', password = 'admin', keep = false, onResponse, mark } = {}) {
  const hooks = { sampler, onResponse, mark }
  const flow = FLOWS[target.flow]
  const browser = newBrowser({ agent })
  try {
    const t0 = performance.now()
    const l0 = sampler ? sampler() : 0
    const start = await appStep('start', () => flow.start(browser, target.origin), hooks)
    if (![302, 303, 307].includes(start.r.status) || !start.r.location?.startsWith(target.isOrigin)) {
      throw new LoginError('start', `→ ${start.r.status} ${start.r.location ?? start.r.text.slice(0, 200)}`, { status: start.r.status, code: errorCodeOf(start.r.text) })
    }
    const startMs = performance.now() - t0
    const atIs = await authorizeAtIs(browser, start.r, target.isOrigin, { username, password })
    const callbackUrl = atIs.reply.location
    if (!callbackUrl?.startsWith(`${target.origin}${flow.callbackPath}?`)) {
      throw new LoginError('is', `did not come back to the app: ${atIs.reply.status} ${callbackUrl ?? atIs.reply.text.slice(0, 200)}`, { atIs: true })
    }
    const cb = await appStep('callback', () => browser.go(callbackUrl), hooks)
    const loginCpuNs = sampler ? sampler() - l0 : NaN
    if (![302, 303, 307].includes(cb.r.status) || new URL(cb.r.location ?? '/', target.origin).pathname !== '/') {
      throw new LoginError('callback', `→ ${cb.r.status} ${cb.r.location ?? ''} ${cb.r.text.slice(0, 300)}`, { status: cb.r.status, code: errorCodeOf(cb.r.text) })
    }
    const jar = browser.jar(target.origin)
    return {
      code: new URL(callbackUrl).searchParams.get('code'),
      startMs,
      callbackMs: cb.r.ms,
      callbackStart: cb.r.t0,
      callbackEnd: cb.r.t0 + cb.r.ms,
      totalMs: performance.now() - t0,
      startCpuNs: start.cpuNs,
      callbackCpuNs: cb.cpuNs,
      loginCpuNs,
      consentShown: atIs.consentShown,
      isRequests: atIs.requests,
      sessionSetCookies: cb.r.setCookies.filter((s) => flow.isSessionCookie(s.slice(0, s.indexOf('='))) && !isDeletion(s)),
      cookieHeader: jar.header(flow.isSessionCookie),
      browser,
    }
  } finally {
    if (!keep) await browser.close()
  }
}

/** Whether a Set-Cookie value deletes its cookie (empty value or Max-Age=0): not part of the session's size. */
function isDeletion(setCookie) {
  return /^[^=]+=;/.test(setCookie) || /;\s*max-age=0(;|$)/i.test(setCookie)
}

/**
 * Byte counts of a login's session cookies (deletions of stale chunks left out).
 * @param {LoginResult} l
 */
export function cookieBytes(l) {
  return {
    cookies: l.sessionSetCookies.length,
    setCookieBytes: l.sessionSetCookies.reduce((a, s) => a + Buffer.byteLength(s), 0),
    cookieHeaderBytes: Buffer.byteLength(l.cookieHeader),
    valueBytes: l.sessionSetCookies.reduce((a, s) => a + Buffer.byteLength(s.split(';')[0]) - s.indexOf('=') - 1, 0),
  }
}
