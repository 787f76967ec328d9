/**
 * A minimal browser for the bench and the soak: one cookie jar per origin, no redirect followed
 * (each step is one request), any TLS certificate accepted (everything runs on loopback with
 * self-signed certificates). Connections come from an undici Agent that can be shared by many
 * simulated browsers: cookies are per browser, connections are not.
 */
import { performance } from 'node:perf_hooks'
import { Agent, request } from 'undici'

/** Headers of a top-level navigation, as Chromium sends them. */
export const BROWSER_HEADERS = { accept: 'text/html,application/xhtml+xml', 'sec-fetch-dest': 'document', 'sec-fetch-mode': 'navigate', 'user-agent': 'myclinic-bench' }

/**
 * A keep-alive agent for loopback HTTPS.
 * @param {{ connections?: number }} [options] per-origin connection limit (default unlimited)
 */
export function loopbackAgent({ connections } = {}) {
  return new Agent({ connect: { rejectUnauthorized: false }, keepAliveTimeout: 10_000, maxHeaderSize: 64 * 1024, connections })
}

/** Cookies of one origin, as a strict browser keeps them (name → value; expiry honoured). */
export class CookieJar {
  constructor() {
    /** @type {Map<string, string>} */
    this.cookies = new Map()
  }

  /** Applies Set-Cookie header values. */
  store(setCookies) {
    for (const sc of setCookies || []) {
      const [nameValue, ...attrs] = sc.split(';').map((s) => s.trim())
      const i = nameValue.indexOf('=')
      const name = nameValue.slice(0, i)
      const value = nameValue.slice(i + 1)
      let expired = value === ''
      for (const a of attrs) {
        const [k, v = ''] = a.split('=')
        if (/^max-age$/i.test(k) && Number(v) <= 0) expired = true
        if (/^expires$/i.test(k) && Date.parse(v) < Date.now()) expired = true
      }
      if (expired) this.cookies.delete(name)
      else this.cookies.set(name, value)
    }
  }

  /** The Cookie header for the cookies whose name passes `filter`. */
  header(filter = () => true) {
    return [...this.cookies].filter(([n]) => filter(n)).map(([n, v]) => `${n}=${v}`).join('; ')
  }
}

/**
 * @typedef {object} Reply
 * @property {number} status
 * @property {Record<string, string | string[]>} headers
 * @property {string} text
 * @property {string | undefined} location absolute
 * @property {string[]} setCookies
 * @property {number} ms wall time of the request
 * @property {number} t0 start, ms since the epoch
 */

/**
 * A simulated browser.
 * @param {{ agent?: import('undici').Agent, timeoutMs?: number }} [options] without an agent it gets its own (closed by close())
 */
export function newBrowser({ agent, timeoutMs = 30_000 } = {}) {
  const own = !agent
  const dispatcher = agent ?? loopbackAgent()
  /** @type {Map<string, CookieJar>} */
  const jars = new Map()
  const jar = (origin) => {
    if (!jars.has(origin)) jars.set(origin, new CookieJar())
    return jars.get(origin)
  }
  /**
   * One request.
   * @param {string} url
   * @param {{ method?: string, form?: Record<string, string>, headers?: Record<string, string> }} [options]
   * @returns {Promise<Reply>}
   */
  async function go(url, { method = 'GET', form, headers = {} } = {}) {
    const u = new URL(url)
    const h = { ...BROWSER_HEADERS, ...headers }
    const cookie = jar(u.origin).header()
    if (cookie) h.cookie = cookie
    let body
    if (form) {
      body = new URLSearchParams(form).toString()
      h['content-type'] = 'application/x-www-form-urlencoded'
    }
    const t0 = performance.now()
    const res = await request(u, { method, headers: h, body, dispatcher, headersTimeout: timeoutMs, bodyTimeout: timeoutMs })
    const text = await res.body.text()
    const ms = performance.now() - t0
    const raw = res.headers['set-cookie']
    const setCookies = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw]
    jar(u.origin).store(setCookies)
    const location = res.headers.location ? new URL(res.headers.location, u).href : undefined
    return { status: res.statusCode, headers: res.headers, text, location, setCookies, ms, t0: performance.timeOrigin + t0 }
  }
  return { go, jar, jars, close: async () => (own ? dispatcher.close() : undefined) }
}

/**
 * The first form (or the form with this id) of an HTML page: action and fields.
 * @param {string} html
 * @param {string} [id]
 */
export function parseForm(html, id) {
  const re = id ? new RegExp(`<form[^>]*id="${id}"[^>]*>([\\s\\S]*?)</form>`) : /<form[^>]*>([\s\S]*?)<\/form>/
  const m = re.exec(html)
  if (!m) throw new Error(`form ${id ?? ''} not found in ${html.slice(0, 300)}`)
  const unescape = (s) => s.replace(/&#(\d+);/g, (_, n) => String.fromCharCode(Number(n))).replace(/&amp;/g, '&').replace(/&quot;/g, '"')
  const action = unescape(/action="([^"]*)"/.exec(m[0])?.[1] ?? '')
  const fields = {}
  for (const im of m[1].matchAll(/<input([^>]*)>/g)) {
    const name = /name="([^"]*)"/.exec(im[1])?.[1]
    if (name) fields[name] = unescape(/value="([^"]*)"/.exec(im[1])?.[1] ?? '')
  }
  return { action, fields }
}

/** The `data-error-code` of an error page, or null. */
export function errorCodeOf(html) {
  return /data-error-code="([a-z_]+)"/.exec(html)?.[1] ?? null
}

/**
 * A JSON client for the local IS's test-control API (`/__test/*`).
 * @param {string} isOrigin
 */
export function isControl(isOrigin) {
  const agent = new Agent({ connect: { rejectUnauthorized: false } })
  async function call(method, path, body) {
    const res = await request(`${isOrigin}${path}`, {
      method,
      headers: body ? { 'content-type': 'application/json' } : {},
      body: body ? JSON.stringify(body) : undefined,
      dispatcher: agent,
    })
    const text = await res.body.text()
    if (res.statusCode >= 300) throw new Error(`${method} ${path} → ${res.statusCode} ${text.slice(0, 200)}`)
    return text ? JSON.parse(text) : undefined
  }
  return { call, close: () => agent.close() }
}
