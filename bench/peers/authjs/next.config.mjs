/**
 * The same security headers as myclinic's next.config.mjs (they are part of each response's work),
 * and Turbopack's root pinned to this folder: it has its own node_modules and lock file inside the
 * myclinic repository, whose lock file would otherwise be taken for the workspace root.
 * @type {import('next').NextConfig}
 */
import { dirname } from 'node:path'
import { fileURLToPath } from 'node:url'

const securityHeaders = [
  { key: 'X-Frame-Options', value: 'DENY' },
  { key: 'Content-Security-Policy', value: "frame-ancestors 'none'; base-uri 'self'; object-src 'none'" },
  { key: 'X-Content-Type-Options', value: 'nosniff' },
  { key: 'Referrer-Policy', value: 'no-referrer' },
  { key: 'Permissions-Policy', value: 'camera=(), microphone=(), geolocation=()' },
  { key: 'Strict-Transport-Security', value: 'max-age=31536000' },
]

export default {
  poweredByHeader: false,
  reactStrictMode: true,
  turbopack: { root: dirname(fileURLToPath(import.meta.url)) },
  async headers() {
    return [{ source: '/:path*', headers: securityHeaders }]
  },
}
