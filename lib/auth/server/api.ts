/**
 * The Node side of `createAuth()`, loaded on first use: route handlers, the proxy, and the session
 * functions for Server Components, route handlers and server actions. `createAuth` imports this
 * module only outside the edge runtime, so `middleware.ts` bundles none of it.
 *
 * Node only.
 */
import 'server-only'
export { handleBackchannel, handleSessionProfile } from './api-routes'
export { handleLogin } from './login-route'
export { logoutHandler } from './logout-route'
export { apiFetch, getAccessToken, getSession, requireSession, signInPath, type RequireOptions } from './next-access'
export { proxyGuard } from './proxy'
export { handleRefresh } from './refresh-route'
export { loadRuntime, runtimeOrThrow } from './respond'
