/**
 * The one place lib/auth reads `process.env`. Each key is read with a literal `process.env.KEY`, so
 * Next.js keeps it a run-time lookup in both runtimes: the edge middleware and the Node server get
 * the values `next start` was started with, not the build's, and one build runs against any IS.
 *
 * Edge-safe.
 */

/** The environment keys lib/auth understands (documented in `.env.example`). */
export interface AuthEnv {
  AUTH_APP_NAME?: string
  AUTH_CLIENT_HOST?: string
  AUTH_LOGIN_CALLBACK_URL?: string
  AUTH_LOGOUT_CALLBACK_URL?: string
  AUTH_CLIENT_ID?: string
  AUTH_CLIENT_SECRET?: string
  AUTH_CLIENT_AUTH?: string
  AUTH_CLIENT_KEY?: string
  AUTH_CLIENT_KEY_ID?: string
  AUTH_SERVER_ORIGIN?: string
  AUTH_TENANT_PATH?: string
  AUTH_TENANT?: string
  AUTH_ISSUER?: string
  AUTH_CERTIFICATE_PATH?: string
  AUTH_SCOPE?: string
  AUTH_PAR?: string
  AUTH_USERINFO?: string
  AUTH_SIGNUP?: string
  AUTH_SESSION_SECRET?: string
  AUTH_SESSION_MAX_AGE?: string
  AUTH_SESSION_IDLE_TIMEOUT?: string
  AUTH_REFRESH_BUFFER?: string
  AUTH_HTTP_TIMEOUT?: string
  AUTH_DISCOVERY_TTL?: string
  REDIS_URL?: string
}

/**
 * A snapshot of the auth keys of `process.env`.
 *
 * @returns The current values (undefined when unset).
 * @example
 * ```ts
 * const env = readEnv()
 * ```
 */
export function readEnv(): AuthEnv {
  return {
    AUTH_APP_NAME: process.env.AUTH_APP_NAME,
    AUTH_CLIENT_HOST: process.env.AUTH_CLIENT_HOST,
    AUTH_LOGIN_CALLBACK_URL: process.env.AUTH_LOGIN_CALLBACK_URL,
    AUTH_LOGOUT_CALLBACK_URL: process.env.AUTH_LOGOUT_CALLBACK_URL,
    AUTH_CLIENT_ID: process.env.AUTH_CLIENT_ID,
    AUTH_CLIENT_SECRET: process.env.AUTH_CLIENT_SECRET,
    AUTH_CLIENT_AUTH: process.env.AUTH_CLIENT_AUTH,
    AUTH_CLIENT_KEY: process.env.AUTH_CLIENT_KEY,
    AUTH_CLIENT_KEY_ID: process.env.AUTH_CLIENT_KEY_ID,
    AUTH_SERVER_ORIGIN: process.env.AUTH_SERVER_ORIGIN,
    AUTH_TENANT_PATH: process.env.AUTH_TENANT_PATH,
    AUTH_TENANT: process.env.AUTH_TENANT,
    AUTH_ISSUER: process.env.AUTH_ISSUER,
    AUTH_CERTIFICATE_PATH: process.env.AUTH_CERTIFICATE_PATH,
    AUTH_SCOPE: process.env.AUTH_SCOPE,
    AUTH_PAR: process.env.AUTH_PAR,
    AUTH_USERINFO: process.env.AUTH_USERINFO,
    AUTH_SIGNUP: process.env.AUTH_SIGNUP,
    AUTH_SESSION_SECRET: process.env.AUTH_SESSION_SECRET,
    AUTH_SESSION_MAX_AGE: process.env.AUTH_SESSION_MAX_AGE,
    AUTH_SESSION_IDLE_TIMEOUT: process.env.AUTH_SESSION_IDLE_TIMEOUT,
    AUTH_REFRESH_BUFFER: process.env.AUTH_REFRESH_BUFFER,
    AUTH_HTTP_TIMEOUT: process.env.AUTH_HTTP_TIMEOUT,
    AUTH_DISCOVERY_TTL: process.env.AUTH_DISCOVERY_TTL,
    REDIS_URL: process.env.REDIS_URL,
  }
}

/** A string that changes whenever any auth key changes (to rebuild cached configuration). */
export function envSnapshot(env: AuthEnv): string {
  return JSON.stringify(env)
}
