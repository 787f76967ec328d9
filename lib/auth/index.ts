/**
 * lib/auth public API, in the spirit of the WSO2 Python SDK:
 * - sign in:  GET /login            → handleLogin (route handler)
 * - sign out: POST /logout          → handleLogoutPost / handleLogoutGet
 * - is there a session:             → isAuthenticated()
 * - the session data:               → getSession() / requireSession()
 * - guard:                          → authMiddleware (middleware.ts or proxy.ts)
 *
 * Server code imports from here; middleware imports '@/lib/auth/next/middleware' (edge-safe).
 */
import 'server-only'
export { handleBackchannelLogout, handleLogin, handleLogoutGet, handleLogoutPost, handleRefresh } from './next/routes'
export { getSession, requireSession, isAuthenticated } from './next/session'
export { AuthError, ERRORS, type AuthErrorCode } from './errors'
export type { SessionData, SessionUser } from './session'
