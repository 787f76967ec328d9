/**
 * The guard: Auth.js's own middleware (edge runtime, as myclinic's middleware.ts). The `authorized`
 * callback in auth.js decides; without a session a document gets Auth.js's redirect to its sign-in
 * page. Same matcher as myclinic plus Auth.js's own routes (/api/auth/*), which must stay reachable.
 */
export { auth as middleware } from './auth.js'

export const config = {
  matcher: ['/((?!api/auth|_next/static|_next/image|favicon\\.ico|logo\\.svg|robots\\.txt).*)'],
}
