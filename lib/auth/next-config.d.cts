/** Types of next-config.cjs: `export default withAuth(nextConfig)` in next.config. */
import type { NextConfig } from 'next'

/** Options of {@link withAuth}. */
export interface WithAuthOptions {
  /** The login route (the OIDC callback), left out of the request log. Default `/login`. */
  loginPath?: string
  /** Send Strict-Transport-Security. Default: when NODE_ENV is `production`. */
  hsts?: boolean
}

/** A config function, as next.config may export one. */
export type NextConfigFunction = (phase: string, context: { defaultConfig: NextConfig }) => NextConfig | Promise<NextConfig>

/** Adds lib/auth's settings (callback URL out of the request log, security headers) to a Next.js config. */
export declare function withAuth(config?: NextConfig, options?: WithAuthOptions): NextConfig
export declare function withAuth(config: NextConfigFunction, options?: WithAuthOptions): NextConfigFunction

/** The headers withAuth sets on every response. */
export declare function securityHeaders(hsts: boolean): { key: string; value: string }[]
