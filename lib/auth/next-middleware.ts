/**
 * The guard as Next.js `middleware.ts` (edge runtime): the decision of {@link evaluateGuard}
 * turned into a NextResponse, with the touched idle timer forwarded to this request's Server
 * Components as well as set on the browser, and the current path handed on for `requireSession()`.
 *
 * Edge-safe: Web APIs and next/server only.
 *
 * @see https://nextjs.org/docs/app/api-reference/file-conventions/proxy#setting-headers
 */
import { NextResponse } from 'next/server'
import type { AuthConfig } from './config'
import { evaluateGuard, rejection, type GuardDecision } from './guard'
import { NO_STORE } from './html'
import { INTERNAL_HEADERS } from './requests'

/**
 * The request headers the app's handlers see: internal headers from the client are dropped (nobody
 * outside may claim a path or a session), the current path is set, and the cookies follow a touch.
 *
 * @param request - The incoming request.
 * @param cookieHeader - The rebuilt Cookie header, when cookies changed.
 * @returns Headers for `NextResponse.next({ request: { headers } })`.
 */
export function forwardedHeaders(request: Request, cookieHeader?: string): Headers {
  const headers = new Headers(request.headers)
  for (const name of INTERNAL_HEADERS) headers.delete(name)
  const url = new URL(request.url)
  headers.set('x-auth-pathname', `${url.pathname}${url.search}`)
  if (cookieHeader !== undefined) headers.set('cookie', cookieHeader)
  return headers
}

/**
 * Passes a request on with the decision's cookies.
 *
 * @param request - The request.
 * @param decision - A pass decision.
 * @param cookieHeader - The Cookie header the handler must see, if changed.
 * @returns The response.
 */
export function passOn(request: Request, decision: Extract<GuardDecision, { kind: 'pass' }>, cookieHeader = decision.cookieHeader): Response {
  const response = NextResponse.next({ request: { headers: forwardedHeaders(request, cookieHeader) } })
  if (decision.session) {
    response.headers.set('cache-control', NO_STORE)
    response.headers.set('vary', 'Cookie')
  }
  for (const cookie of decision.setCookies) response.headers.append('set-cookie', cookie)
  return response
}

/**
 * Runs the edge guard.
 *
 * @param request - The request.
 * @param config - The validated configuration.
 * @returns The response.
 */
export async function edgeGuard(request: Request, config: AuthConfig): Promise<Response> {
  const decision = await evaluateGuard(request, config)
  if (decision.kind !== 'pass') return rejection(decision, config)
  return passOn(request, decision)
}
