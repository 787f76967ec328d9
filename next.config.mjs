/**
 * Security headers for every response (rp-security RC-04): no framing, no MIME sniffing, no
 * referrer (URLs can carry codes), HSTS on the production HTTPS server.
 * @type {import('next').NextConfig}
 */
const isProd = process.env.NODE_ENV === 'production'

const securityHeaders = [
  { key: 'X-Frame-Options', value: 'DENY' },
  { key: 'Content-Security-Policy', value: "frame-ancestors 'none'; base-uri 'self'; object-src 'none'" },
  { key: 'X-Content-Type-Options', value: 'nosniff' },
  { key: 'Referrer-Policy', value: 'no-referrer' },
  { key: 'Permissions-Policy', value: 'camera=(), microphone=(), geolocation=()' },
  ...(isProd ? [{ key: 'Strict-Transport-Security', value: 'max-age=31536000' }] : []),
]

const nextConfig = {
  poweredByHeader: false,
  reactStrictMode: true,
  serverExternalPackages: ['undici'],
  // The dev server logs every request URL; the OIDC callback URL carries the authorization code
  // and state, which must never reach a log (rp-security RC-06). Other requests are still logged.
  logging: { incomingRequests: { ignore: [/^\/login(\?|$)/] } },
  async headers() {
    return [{ source: '/:path*', headers: securityHeaders }]
  },
}

export default nextConfig
