/**
 * The guard, as the SDK documents it for middleware: auth0.middleware() mounts /auth/login,
 * /auth/callback, /auth/logout, ... and rolls the session; other paths need a session or go to
 * /auth/login. Same matcher as myclinic (the SDK's routes live under it).
 */
import { NextResponse } from 'next/server'
import { auth0 } from './lib/auth0.js'

export async function middleware(request) {
  const authResponse = await auth0.middleware(request)
  if (request.nextUrl.pathname.startsWith('/auth/')) return authResponse
  const session = await auth0.getSession(request)
  if (!session) return NextResponse.redirect(new URL('/auth/login', request.nextUrl.origin))
  return authResponse
}

export const config = {
  matcher: ['/((?!_next/static|_next/image|favicon\\.ico|logo\\.svg|robots\\.txt).*)'],
}
