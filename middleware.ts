/**
 * Edge middleware: the session guard from lib/auth. It only unseals the cookies (no call to the
 * IS). On Next 16 `middleware.ts` still runs on the edge runtime; to move to `proxy.ts` (Node, with
 * revocation checks and inline refresh), rename this file and export `proxy = auth.proxy` instead.
 */
import { auth } from './auth'

export const middleware = auth.middleware

export const config = {
  // Everything except Next's static files, the files in public/, the back-channel logout receiver
  // (middleware would buffer its body) and /login, /login/refresh: the guard would only pass them
  // through, and skipping it saves every login a middleware run. /logout passes inside the guard.
  matcher: ['/((?!_next/static|_next/image|favicon\\.ico|logo\\.svg|robots\\.txt|logout/backchannel|login(?:/refresh)?$).*)'],
}
