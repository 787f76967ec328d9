/**
 * A helper for the app's own tests: mints the cookies of a signed-in session without a login at
 * the IS, like nextjs-auth0's `generateSessionCookie`. The session is real (sealed with the app's
 * secret, accepted by the guard and `getSession()`); its ID token is unsigned, so use it only for
 * pages and APIs under test, never as proof of identity to anything else.
 *
 * Runs in Node (Playwright, Vitest) with the app's environment.
 */
import { displayUsername, sanitizeClaims, userAttributes } from './claims'
import { base64url } from './pack'
import { nowSeconds, type SessionRecord, type TokenSet } from './session'
import { activityCookie, sessionCookies } from './session-cookies'
import type { Auth } from './index'

/** The session to mint. */
export interface TestSession {
  sub: string
  /** User attributes (ID token claims). */
  user?: Record<string, unknown>
  username?: string
  accessToken?: string
  refreshToken?: string
  /** Default: an unsigned JWT with the issuer, `sub` and `user`. */
  idToken?: string
  /** Access token lifetime in seconds; default 3600. */
  expiresIn?: number
  sid?: string
  authTime?: number
  acr?: string
}

/** Minted cookies: as name/value pairs (Playwright `addCookies`) and as a Cookie header. */
export interface TestCookies {
  cookies: { name: string; value: string }[]
  header: string
}

const encode = (value: unknown) => base64url(new TextEncoder().encode(JSON.stringify(value)))

/**
 * Mints the session cookies of a signed-in user for tests.
 *
 * @param auth - The app's auth object (its configuration and secrets are used).
 * @param session - Who is signed in.
 * @returns The cookies to send.
 * @example
 * ```ts
 * import { auth } from '@/auth'
 * import { generateSessionCookie } from '@/lib/auth/testing'
 * const { cookies } = await generateSessionCookie(auth, { sub: 'u-1', user: { given_name: 'Ada' } })
 * await context.addCookies(cookies.map((c) => ({ ...c, url: 'https://localhost:5000' })))
 * ```
 */
export async function generateSessionCookie(auth: Auth, session: TestSession): Promise<TestCookies> {
  const config = auth.checkConfig()
  const now = Date.now()
  const issuedAt = nowSeconds()
  const claims = { iss: config.issuer, sub: session.sub, aud: config.clientId, iat: issuedAt, exp: issuedAt + 3600, ...sanitizeClaims(session.user) }
  const tokens: TokenSet = {
    accessToken: session.accessToken ?? crypto.randomUUID(),
    idToken: session.idToken ?? `${encode({ alg: 'none' })}.${encode(claims)}.`,
    ...(session.refreshToken ? { refreshToken: session.refreshToken } : {}),
    expiresAt: issuedAt + (session.expiresIn ?? 3600),
    issuedAt,
  }
  const record: SessionRecord = {
    v: 2,
    id: crypto.randomUUID().replace(/-/g, ''),
    iss: config.issuer,
    sub: session.sub,
    ...(session.sid ? { sid: session.sid } : {}),
    username: session.username ?? displayUsername(session.sub, userAttributes(claims)),
    createdAt: now,
    writtenAt: now,
    ...(session.authTime !== undefined ? { authTime: session.authTime } : {}),
    ...(session.acr ? { acr: session.acr } : {}),
  }
  if (config.sessionStore === 'cookie') {
    record.tokens = tokens
  } else {
    record.stored = true
    const { getContext } = await import('./server/context')
    const { saveTokens } = await import('./server/token-store')
    await saveTokens(getContext(config), record, tokens)
  }
  const { chunks } = await sessionCookies(record, config.session)
  const activity = await activityCookie({ v: 1, id: record.id, seen: now }, config.session)
  const cookies = [...chunks.map(([name, value]) => ({ name, value })), { name: config.session.activityCookieName, value: activity.value }]
  return { cookies, header: cookies.map((c) => `${c.name}=${c.value}`).join('; ') }
}
