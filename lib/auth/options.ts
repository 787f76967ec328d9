/**
 * The options of {@link createAuth}. Every option falls back to an `AUTH_*` environment key (read at
 * run time, so one build runs against any identity server); an option passed in code wins over
 * the environment. `.env.example` documents the keys.
 *
 * Edge-safe: types only.
 */
import type { AuthErrorCode } from './errors'
import type { AuthStore } from './store'
import type { Session } from './session'

/** Paths of the auth routes and pages. Each is a path on the app's origin, without a query. */
export interface AuthRoutes {
  /** Login start and the OIDC callback (the registered `redirect_uri`). Default `/login`. */
  login?: string
  /** The token refresh detour for documents (edge guard only). Default `/login/refresh`. */
  refresh?: string
  /** Logout (POST from a form, GET with a confirmation for cross-site requests). Default `/logout`. */
  logout?: string
  /** Back-channel logout receiver (OIDC Back-Channel Logout 1.0). Default `/logout/backchannel`. */
  backchannelLogout?: string
  /** The session profile for client components (`useSession`). Default `/api/auth/session`. */
  session?: string
  /**
   * The app's own sign-in page, or `null` when it has none: unauthenticated page requests then
   * go straight to the login route. Default `null`.
   */
  signIn?: string | null
}

/** Context handed to {@link AuthOptions.renderError}. */
export interface RenderErrorContext {
  /** HTTP status that fits the code. */
  status: number
  /** Where "Try again" should go (a fresh login keeping the original destination). */
  retryHref: string
  /** The request that failed. */
  request: Request
}

/** Audit hooks. A hook that throws or hangs never breaks a login, logout or refresh. */
export interface AuthHooks {
  /** After a login completed and before the browser is sent on. */
  onLogin?(event: { session: Session; request: Request }): void | Promise<void>
  /** After a logout (`reason: 'user'`) or a back-channel logout (`reason: 'backchannel'`). */
  onLogout?(event: { session: Session | null; sub?: string; sid?: string; reason: 'user' | 'backchannel'; request: Request }): void | Promise<void>
  /** After the access token was refreshed. */
  onRefresh?(event: { session: Session }): void | Promise<void>
  /** Whenever a request fails with a coded error. */
  onError?(event: { code: AuthErrorCode; error: Error; where: string; request?: Request }): void | Promise<void>
}

/** How the client authenticates at the token, revocation and PAR endpoints (RFC 6749 2.3, RFC 7523). */
export type ClientAuthMethod = 'client_secret_basic' | 'client_secret_post' | 'private_key_jwt' | 'none'

/**
 * Options of {@link createAuth}. All optional: each falls back to its environment key.
 *
 * @example
 * ```ts
 * // auth.ts
 * import { createAuth } from '@/lib/auth'
 * export const auth = createAuth({ appName: 'shop', routes: { signIn: '/signin' } })
 * ```
 */
export interface AuthOptions {
  /** Names cookies, store keys, process-wide caches and the built-in pages. Env `AUTH_APP_NAME`; default `app`. Letters, digits and `-`. */
  appName?: string
  /** Where the app runs (the WSO2 SDK's `client_host`). Env `AUTH_CLIENT_HOST`; default `https://localhost:5000`. */
  clientHost?: string
  /** The registered redirect URI. Env `AUTH_LOGIN_CALLBACK_URL`; default `{clientHost}{routes.login}`. */
  loginCallbackUrl?: string
  /** Where the IS sends the browser after logout. Env `AUTH_LOGOUT_CALLBACK_URL`; default the sign-in page, or the logout route. */
  logoutCallbackUrl?: string
  /** Auth routes and the sign-in page. */
  routes?: AuthRoutes
  /** Paths the guard lets through without a session (exact, or a prefix ending in `/*`). The auth routes and the sign-in page always pass. */
  publicPaths?: string[]
  /** Client ID from the application's Protocol tab. Env `AUTH_CLIENT_ID`; required. */
  clientId?: string
  /** Client secret. Env `AUTH_CLIENT_SECRET`; empty for a public client. */
  clientSecret?: string
  /** Client authentication. Env `AUTH_CLIENT_AUTH`; default `client_secret_basic` with a secret, `none` without. */
  clientAuth?: ClientAuthMethod
  /** PEM private key for `private_key_jwt` (a file path). Env `AUTH_CLIENT_KEY`. */
  clientKeyPath?: string
  /** `kid` of that key. Env `AUTH_CLIENT_KEY_ID`; default its JWK thumbprint (RFC 7638). */
  clientKeyId?: string
  /** Origin of the IS, no path. Env `AUTH_SERVER_ORIGIN`; required. */
  serverOrigin?: string
  /** `/t/<tenant>` or empty for the super tenant. Env `AUTH_TENANT_PATH`. */
  tenantPath?: string
  /** Tenant domain, checked against the path. Env `AUTH_TENANT`. */
  tenant?: string
  /** Only for an IS whose issuer is not `{origin}{tenant}/oauth2/token`. Env `AUTH_ISSUER`. */
  issuer?: string
  /** PEM certificate (or bundle) of the IS, trusted in addition to the public CAs. Env `AUTH_CERTIFICATE_PATH`. */
  certificatePath?: string
  /** Space-separated scopes, must include `openid`. Env `AUTH_SCOPE`; default `openid profile email internal_login`. */
  scope?: string
  /** Pushed authorization requests (RFC 9126): `on` always, `auto` when discovery advertises the endpoint (WSO2 IS 7 always does). Env `AUTH_PAR`; default `off`. */
  par?: 'auto' | 'on' | 'off'
  /**
   * Whether a login also calls the userinfo endpoint for the user's attributes. `false` takes them
   * from the verified ID token alone, as the WSO2 Python SDK does (WSO2 IS and Asgardeo release the
   * same attributes in both): one back-channel call less per login. Env `AUTH_USERINFO` (`on`,
   * `off`); default on.
   */
  userinfo?: boolean
  /** The IS self-registration page: `true` builds the WSO2 URL, a string is used as is. Env `AUTH_SIGNUP` (`on`, `off` or a URL). */
  signUp?: boolean | string
  /** Session secrets, newest first (each at least 32 random characters). Env `AUTH_SESSION_SECRET` (comma-separated). */
  sessionSecret?: string | string[]
  /** Absolute session lifetime in seconds. Env `AUTH_SESSION_MAX_AGE`; default 8 h. */
  sessionMaxAge?: number
  /** Idle timeout in seconds. Env `AUTH_SESSION_IDLE_TIMEOUT`; default 30 min. */
  sessionIdleTimeout?: number
  /** Refresh this many seconds before the access token expires. Env `AUTH_REFRESH_BUFFER`; default 60. */
  refreshBuffer?: number
  /** Timeout of each call to the IS, in seconds. Env `AUTH_HTTP_TIMEOUT`; default 10. */
  httpTimeout?: number
  /** How long discovery is cached, in seconds. Env `AUTH_DISCOVERY_TTL`; default 600. */
  discoveryTtl?: number
  /** Redis for the stores. Env `REDIS_URL`. */
  redisUrl?: string
  /** Revocations, replayed logout tokens and refresh locks: `memory` (one instance), `redis` or your own {@link AuthStore}. Default `redis` with a Redis URL, else `memory`. */
  revocationStore?: 'memory' | 'redis' | AuthStore
  /** Where tokens live: in the cookie, or server-side (encrypted) with only a reference in the cookie. Default `redis` with a Redis URL, else `cookie`. */
  sessionStore?: 'cookie' | 'redis' | AuthStore
  /** Renders error pages in the app's own design; the built-in page is the default and the fallback. */
  renderError?(code: AuthErrorCode, context: RenderErrorContext): Response | Promise<Response>
  /** Audit hooks. */
  hooks?: AuthHooks
}
