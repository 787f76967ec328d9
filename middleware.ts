/**
 * Edge middleware: the session guard from lib/auth. It only unseals the cookie (no call to the IS).
 * On Next 16 `middleware.ts` still runs on the edge runtime; to move to `proxy.ts` (Node), rename
 * this file and export `authMiddleware as proxy` instead — lib/auth's guard has no `node:` imports.
 */
export { authMiddleware as middleware } from '@/lib/auth/next/middleware'

export const config = {
  // Everything except Next's static files and the files in public/. The auth routes pass inside the guard.
  matcher: ['/((?!_next/static|_next/image|favicon\\.ico|logo\\.svg|robots\\.txt).*)'],
}
