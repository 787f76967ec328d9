/**
 * Reading the session in Server Components and route handlers. Read-only: Server Components
 * cannot set cookies, so renewal happens in the middleware and route handlers.
 *
 * Pages call {@link requireSession} themselves rather than trusting that middleware ran: a
 * middleware gap (a matcher miss, CVE-2025-29927-style bypass) then still shows nothing
 * (rp-security RC-07; Next.js auth guide "Data Access Layer").
 */
import 'server-only'
import { cache } from 'react'
import { cookies } from 'next/headers'
import { redirect } from 'next/navigation'
import { getAuthConfig, getSessionConfig } from '../config'
import { isActive } from '../revocation'
import { readSession, type SessionData } from '../session'

/**
 * The session in these cookies if it is readable, not timed out and not revoked. The edge guard
 * cannot see the revocation store; this Node-side check makes logout and back-channel logout
 * final for every page and route handler (rp-security SC-08, LO-07).
 */
export async function activeSession(cookieMap: Map<string, string>): Promise<SessionData | null> {
  const session = await readSession(cookieMap, getSessionConfig())
  return session && (await isActive(getAuthConfig().redisUrl, session)) ? session : null
}

/** The current session, or null. Memoised per request. */
export const getSession = cache(async (): Promise<SessionData | null> => {
  const jar = await cookies()
  return activeSession(new Map(jar.getAll().map((c) => [c.name, c.value] as const)))
})

/** The current session; without one, redirects to /signin (keeping where the user was going). */
export async function requireSession(returnTo = '/'): Promise<SessionData> {
  const session = await getSession()
  if (!session) redirect(returnTo === '/' ? '/signin' : `/signin?returnTo=${encodeURIComponent(returnTo)}`)
  return session
}

/** Whether a user is signed in (the Python SDK's is_session_data_available). */
export async function isAuthenticated(): Promise<boolean> {
  return (await getSession()) !== null
}
