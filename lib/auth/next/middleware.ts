/**
 * The guard as Next.js middleware (edge runtime) or proxy (Node). Web APIs and next/server only.
 *
 *   // middleware.ts
 *   export { authMiddleware as middleware } from '@/lib/auth/next/middleware'
 *   export const config = { matcher: [...] }
 */
import { NextResponse, type NextRequest } from 'next/server'
import { getSessionConfig, type SessionConfig } from '../config'
import { evaluateGuard, misconfiguredResponse, NO_STORE, rejectResponse } from '../guard'

export async function authMiddleware(request: NextRequest): Promise<Response> {
  let config: SessionConfig
  try {
    config = getSessionConfig()
  } catch (error) {
    return misconfiguredResponse(error)
  }
  const result = await evaluateGuard(request, config)
  if (result.kind !== 'pass') return rejectResponse(result)
  if (!result.touched) {
    const response = NextResponse.next()
    if (result.session) response.headers.set('cache-control', NO_STORE)
    return response
  }
  // Forward the re-sealed cookie to this request's Server Components as well as to the browser.
  const headers = new Headers(request.headers)
  headers.set('cookie', result.touched.cookieHeader)
  const response = NextResponse.next({ request: { headers } })
  response.headers.set('cache-control', NO_STORE)
  for (const cookie of result.touched.setCookies) response.headers.append('set-cookie', cookie)
  return response
}
