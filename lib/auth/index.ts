/**
 * lib/auth: OpenID Connect login with WSO2 Identity Server or Asgardeo for a Next.js 16 App Router
 * app. One factory, {@link createAuth}, returns everything an app needs: the route handlers, the
 * guard for `middleware.ts` (edge) or `proxy.ts` (Node), and the session functions for Server
 * Components, route handlers and server actions.
 *
 * Edge-safe: this module and what it imports statically run in the edge middleware; everything
 * that needs Node (calls to the IS, stores) is imported on first use, and only outside the edge.
 *
 * @example
 * ```ts
 * // auth.ts
 * import { createAuth } from '@/lib/auth'
 * export const auth = createAuth({ appName: 'myapp' })
 *
 * // app/login/route.ts
 * import { auth } from '@/auth'
 * export const { GET } = auth.handlers.login
 *
 * // app/page.tsx
 * const session = await auth.requireSession()
 * ```
 */
import { resolveConfig, type AuthConfig } from './config'
import { envSnapshot, readEnv } from './env'
import { misconfigured } from './guard'
import { loginQuery, validateLoginParams, type LoginParams } from './login-params'
import { safeReturnTo } from './redirect'
import { authRoutePaths } from './requests'
import type { AuthOptions } from './options'
import type { Session } from './session'
import { warnIfMemoryStore } from './store'

export { AuthError, ERRORS, isAuthError, type AuthErrorCode, type ErrorInfo } from './errors'
export { ConfigError, type AuthConfig } from './config'
export { MemoryStore, type AuthStore } from './store'
export type { AuthHooks, AuthOptions, AuthRoutes, ClientAuthMethod, RenderErrorContext } from './options'
export type { LoginParams } from './login-params'
export type { Session } from './session'
export type { Claim, Claims } from './claims'

type Handler = (request: Request) => Promise<Response>

/** Options of `requireSession()`. */
export interface RequireSessionOptions {
  /** Where to come back after signing in; default the current page. */
  returnTo?: string
  /** Step-up: the user must have authenticated at the IS at most this many seconds ago. */
  maxAge?: number
  /** Step-up: the session's `acr` must be one of these. */
  acr?: string | string[]
}

/** What {@link createAuth} returns. */
export interface Auth {
  /** Route handlers; each route file re-exports one: `export const { GET } = auth.handlers.login`. */
  handlers: {
    /** `/login`: login start and the OIDC callback. */
    login: { GET: Handler }
    /** `/logout`: POST from the Logout button, GET with a confirmation for cross-site requests. */
    logout: { GET: Handler; POST: Handler }
    /** `/login/refresh`: the edge guard's refresh detour. */
    refresh: { GET: Handler }
    /** `/logout/backchannel`: OIDC Back-Channel Logout. */
    backchannelLogout: { POST: Handler }
    /** `/api/auth/session`: the profile behind `useSession()`. */
    session: { GET: Handler }
  }
  /** The guard for `middleware.ts` (edge): `export const middleware = auth.middleware`. */
  middleware: Handler
  /** The guard for `proxy.ts` (Node), with revocation checks and inline refresh: `export const proxy = auth.proxy`. */
  proxy: Handler
  /**
   * The current session, or null; checks revocation and refreshes a due access token.
   * @param options - `refresh: false` reads without refreshing.
   * @returns The session (`username`, `user`, `accessToken`, `expiresAt`) or null.
   * @example
   * ```ts
   * const session = await auth.getSession()
   * if (!session) return <a href={auth.signInUrl()}>Sign in</a>
   * ```
   */
  getSession(options?: { refresh?: boolean }): Promise<Session | null>
  /**
   * The current session; without one, redirects to sign-in. With `maxAge` or `acr`, a session that
   * is too old or too weak runs a step-up login (OIDC Core 3.1.2.1 `max_age`, `acr_values`).
   * @param options - `returnTo`, and the step-up requirements `maxAge` (seconds) and `acr`.
   * @returns The session.
   * @see https://openid.net/specs/openid-connect-core-1_0.html#AuthRequest
   * @example
   * ```ts
   * const session = await auth.requireSession({ maxAge: 300 }) // signed in at most 5 minutes ago
   * ```
   */
  requireSession(options?: RequireSessionOptions): Promise<Session>
  /**
   * Whether a user is signed in (the WSO2 Python SDK's `is_session_data_available`).
   * @returns True with a valid, unrevoked session.
   * @example
   * ```ts
   * const signedIn = await auth.isAuthenticated()
   * ```
   */
  isAuthenticated(): Promise<boolean>
  /**
   * A valid access token, refreshed when due (race-free within the process and, with Redis,
   * across instances). In route handlers and server actions the refreshed session is written back;
   * in Server Components it is kept server-side until a response can write it.
   * @returns The access token.
   * @throws {AuthError} `login_required` without a session, `session_expired` when the IS refused the refresh.
   * @example
   * ```ts
   * const token = await auth.getAccessToken()
   * await fetch('https://api.example.com/orders', { headers: { authorization: `Bearer ${token}` } })
   * ```
   */
  getAccessToken(): Promise<string>
  /**
   * `fetch` with `Authorization: Bearer <access token>` (see {@link Auth.getAccessToken}). A
   * relative URL and calls to the IS's origin go through the fetch that trusts the IS certificate.
   * @param input - The API URL (relative URLs resolve against the IS origin).
   * @param init - As for `fetch`.
   * @returns The API's response.
   * @example
   * ```ts
   * const me = await (await auth.apiFetch('/scim2/Me')).json()
   * ```
   */
  apiFetch(input: string | URL, init?: RequestInit): Promise<Response>
  /**
   * The login URL, with authorization parameters from the allow-list.
   * @param params - `prompt`, `maxAge`, `loginHint`, `uiLocales`, `acrValues`, `fidp`, `orgId`, `org`, `returnTo`.
   * @returns A same-origin path like `/login?prompt=login&returnTo=%2Fx`.
   * @throws {AuthError} `login_param_invalid` for a value out of bounds.
   * @example
   * ```tsx
   * <a href={auth.signInUrl({ prompt: 'login', returnTo: '/records' })}>Sign in again</a>
   * ```
   */
  signInUrl(params?: LoginParams & { returnTo?: string }): string
  /**
   * The logout route; POST a form to it (a link would get a confirmation page).
   * @returns The path, like `/logout`.
   * @example
   * ```tsx
   * <form method="post" action={auth.signOutUrl()}><button>Logout</button></form>
   * ```
   */
  signOutUrl(): string
  /**
   * The IS self-registration page, or null when sign-up is off (`signUp` / `AUTH_SIGNUP`).
   * @returns The URL or null.
   * @example
   * ```tsx
   * const signUp = auth.signUpUrl()
   * {signUp && <a href={signUp}>Create account</a>}
   * ```
   */
  signUpUrl(): string | null
  /**
   * Validates the configuration now, for a start-up check (warns once when revocations live in
   * process memory).
   * @returns The resolved configuration.
   * @throws {ConfigError} naming the first invalid setting.
   * @example
   * ```ts
   * // instrumentation.ts
   * export async function register() { (await import('./auth')).auth.checkConfig() }
   * ```
   */
  checkConfig(): AuthConfig
}

function nodeOnly(): Promise<typeof import('./server/api')> {
  // Next.js replaces NEXT_RUNTIME at build time, so the edge bundle drops the import below.
  if (process.env.NEXT_RUNTIME === 'edge') return Promise.reject(new Error('lib/auth: this function needs the Node.js runtime (route handlers, Server Components, proxy.ts)'))
  return import('./server/api')
}

/**
 * Creates the auth object of an app. Options passed here win over the `AUTH_*` environment; the
 * environment is read at run time and re-read when it changes (`next dev` reloads `.env.local`).
 *
 * @param options - See {@link AuthOptions}; all optional.
 * @returns The handlers, guards and session functions.
 * @example
 * ```ts
 * export const auth = createAuth({
 *   appName: 'shop',
 *   routes: { signIn: '/signin' },
 *   hooks: { onLogin: ({ session }) => console.info('login', session.sub) },
 * })
 * ```
 * @see https://openid.net/specs/openid-connect-core-1_0.html#CodeFlowAuth
 */
export function createAuth(options: AuthOptions = {}): Auth {
  let cache: { snapshot: string; config: AuthConfig } | undefined
  const config = (): AuthConfig => {
    const env = readEnv()
    const snapshot = envSnapshot(env)
    if (!cache || cache.snapshot !== snapshot) cache = { snapshot, config: resolveConfig(options, env) }
    return cache.config
  }
  const routes = () => {
    try {
      return config().routes
    } catch {
      return { login: options.routes?.login ?? '/login', logout: options.routes?.logout ?? '/logout' }
    }
  }
  const route = <K extends 'handleLogin' | 'handleRefresh' | 'handleBackchannel' | 'handleSessionProfile'>(name: K): Handler => async (request) => (await nodeOnly())[name](request, options, config)
  const logout = (method: 'GET' | 'POST'): Handler => async (request) => (await nodeOnly()).logoutHandler(method)(request, options, config)
  /**
   * The Node API and runtime. With an invalid configuration, pages are sent to the login route,
   * which answers with the coded `config_invalid` page (never Next's generic 500).
   */
  const runtime = async () => {
    // Reading the request first makes a page that calls these dynamic: `next build` must never
    // prerender the redirect that an unconfigured build environment would produce.
    await (await import('next/headers')).headers()
    const api = await nodeOnly()
    const rt = api.loadRuntime(options, config)
    if (rt instanceof Response) return (await import('next/navigation')).redirect(routes().login)
    return { api, rt }
  }

  return {
    handlers: {
      login: { GET: route('handleLogin') },
      logout: { GET: logout('GET'), POST: logout('POST') },
      refresh: { GET: route('handleRefresh') },
      backchannelLogout: { POST: route('handleBackchannel') },
      session: { GET: route('handleSessionProfile') },
    },
    middleware: async (request) => {
      let resolved: AuthConfig
      try {
        resolved = config()
      } catch (error) {
        return misconfigured(request, error, options.appName)
      }
      return (await import('./next-middleware')).edgeGuard(request, resolved)
    },
    proxy: async (request) => (await nodeOnly()).proxyGuard(request, options, config),
    async getSession(opts) {
      const { api, rt } = await runtime()
      return api.getSession(rt, opts)
    },
    async requireSession(opts) {
      const { api, rt } = await runtime()
      return api.requireSession(rt, opts)
    },
    async isAuthenticated() {
      const { api, rt } = await runtime()
      return (await api.getSession(rt, { refresh: false })) !== null
    },
    async getAccessToken() {
      const api = await nodeOnly()
      return api.getAccessToken(api.runtimeOrThrow(options, config))
    },
    async apiFetch(input, init) {
      const api = await nodeOnly()
      return api.apiFetch(api.runtimeOrThrow(options, config), input, init)
    },
    signInUrl(params = {}) {
      const { returnTo, ...rest } = params
      const query = new URLSearchParams()
      let safe = '/'
      try {
        const resolved = config()
        safe = safeReturnTo(returnTo, resolved.appOrigin, authRoutePaths(resolved))
      } catch {
        // Invalid configuration: the login route shows the coded page; no destination is kept.
      }
      if (safe !== '/') query.set('returnTo', safe)
      // Validated here so a bad parameter fails where it is written, not at the IS.
      return signInFrom(routes().login, rest, query)
    },
    signOutUrl: () => routes().logout,
    signUpUrl: () => config().signUpUrl,
    checkConfig() {
      const resolved = config()
      warnIfMemoryStore(resolved.appName, resolved.revocationStore)
      return resolved
    },
  }
}

function signInFrom(login: string, params: LoginParams, query: URLSearchParams): string {
  for (const [name, value] of loginQuery(validateLoginParams(params))) query.set(name, value)
  const search = query.toString()
  return search ? `${login}?${search}` : login
}
