/**
 * The next.config settings lib/auth needs, as one wrapper: `export default withAuth(nextConfig)`.
 *
 * - The request log never shows the OIDC callback URL (`/login?code=...&state=...`): the
 *   authorization code and state must not reach a log. Other requests are still logged.
 * - Security headers on every response: no framing, no MIME sniffing, no referrer (URLs can
 *   carry codes), a restrictive permissions policy, and HSTS in production.
 * - No `X-Powered-By` header.
 *
 * The app's own settings win: its headers come after these (Next.js lets the last one win), and
 * `logging: false` or `poweredByHeader: true` stay as they are.
 *
 * Plain CommonJS, so next.config.ts, next.config.mjs and next.config.js (ESM or CommonJS) can load
 * it on every Node.js version Next.js 16 supports. Runs only when Next.js reads its config.
 *
 * @example
 * ```ts
 * // next.config.ts
 * import type { NextConfig } from 'next'
 * import { withAuth } from './lib/auth/next-config.cjs'
 *
 * const nextConfig: NextConfig = {}
 * export default withAuth(nextConfig)
 * ```
 * @see https://nextjs.org/docs/app/api-reference/config/next-config-js/logging
 * @see https://nextjs.org/docs/app/api-reference/config/next-config-js/headers
 */
'use strict'

/**
 * The headers set on every response.
 *
 * @param {boolean} hsts - Whether to add Strict-Transport-Security.
 * @returns {{ key: string, value: string }[]}
 */
function securityHeaders(hsts) {
  return [
    { key: 'X-Frame-Options', value: 'DENY' },
    { key: 'Content-Security-Policy', value: "frame-ancestors 'none'; base-uri 'self'; object-src 'none'" },
    { key: 'X-Content-Type-Options', value: 'nosniff' },
    { key: 'Referrer-Policy', value: 'no-referrer' },
    { key: 'Permissions-Policy', value: 'camera=(), microphone=(), geolocation=()' },
    ...(hsts ? [{ key: 'Strict-Transport-Security', value: 'max-age=31536000' }] : []),
  ]
}

/** @param {string} text */
function escapeRegExp(text) {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')
}

/**
 * The `logging` setting with the login route left out of the request log.
 *
 * @param {any} logging - The app's `logging` setting.
 * @param {string} loginPath - The login route (the OIDC callback).
 */
function withoutCallbackLog(logging, loginPath) {
  if (logging === false) return false
  const incoming = logging && logging.incomingRequests
  if (incoming === false) return logging
  const own = incoming && typeof incoming === 'object' ? incoming : {}
  const callback = new RegExp(`^${escapeRegExp(loginPath)}(\\?|$)`)
  return { ...(logging || {}), incomingRequests: { ...own, ignore: [...(own.ignore || []), callback] } }
}

/**
 * Adds lib/auth's settings to a Next.js config.
 *
 * @param {object | Function} [config] - The app's config, or a config function `(phase, context) => config`.
 * @param {{ loginPath?: string, hsts?: boolean }} [options] - `loginPath`: the login route when
 *   `routes.login` is not `/login`; `hsts`: send Strict-Transport-Security (default: in production).
 * @returns {object | Function} The config (a function when given one).
 */
function withAuth(config = {}, options = {}) {
  if (typeof config === 'function') {
    return async (...args) => withAuth(await config(...args), options)
  }
  const hsts = options.hsts ?? process.env.NODE_ENV === 'production'
  const ownHeaders = config.headers
  return {
    ...config,
    poweredByHeader: config.poweredByHeader ?? false,
    logging: withoutCallbackLog(config.logging, options.loginPath || '/login'),
    async headers() {
      const own = ownHeaders ? await ownHeaders() : []
      return [{ source: '/:path*', headers: securityHeaders(hsts) }, ...own]
    },
  }
}

exports.withAuth = withAuth
exports.securityHeaders = securityHeaders
