/**
 * Shared fixtures of the lib/auth unit tests: strong secrets, a validated configuration, session
 * records, real signed JWTs and a minimal browser cookie jar.
 */
import { generateKeyPair, SignJWT, type GenerateKeyPairResult } from 'jose'
import { resolveConfig, type AuthConfig } from '@/lib/auth/config'
import type { AuthEnv } from '@/lib/auth/env'
import type { AuthOptions } from '@/lib/auth/options'
import type { SessionRecord, TokenSet } from '@/lib/auth/session'

/** Fixed base64 of 32 random bytes each (`openssl rand -base64 32`). */
export const SECRET = '72JEmWR1OJgPO9Kfzio/QRrCInUOdPusCj9A0N+CzW0='
export const SECRET_2 = 'NNktqkm2K74N4MToCNhELunofQzMSCLODAs6Dx2ow/w='
export const SECRET_3 = 'NkYZd8daW7wXSFHlgybkixHZjwBE6zh4q7Zk6GkPhvM='

export const APP = 'https://localhost:5000'
export const IS = 'https://localhost:9443'
export const ISSUER = `${IS}/oauth2/token`
export const CLIENT_ID = 'u4SHfHP772VBYhSffz7hDrX7QiQa'

/** The options every test configuration starts from. */
export const BASE_OPTIONS: AuthOptions = { appName: 'myclinic', clientId: CLIENT_ID, serverOrigin: IS, sessionSecret: SECRET }

/** A validated configuration: {@link BASE_OPTIONS} plus `options`, over `env`. */
export function makeConfig(options: AuthOptions = {}, env: AuthEnv = {}): AuthConfig {
  return resolveConfig({ ...BASE_OPTIONS, ...options }, env)
}

/** Runs `fn` and returns what it threw (fails the test when it does not throw). */
export function thrown(fn: () => unknown): Error & Record<string, unknown> {
  try {
    fn()
  } catch (error) {
    return error as Error & Record<string, unknown>
  }
  throw new Error('expected an error to be thrown')
}

/** Like {@link thrown} for promises. */
export async function rejected(promise: Promise<unknown>): Promise<Error & Record<string, unknown>> {
  try {
    await promise
  } catch (error) {
    return error as Error & Record<string, unknown>
  }
  throw new Error('expected a rejection')
}

export function nowSec(): number {
  return Math.floor(Date.now() / 1000)
}

/** A token set in cookie mode, due in an hour. */
export function tokenSet(extra: Partial<TokenSet> = {}): TokenSet {
  const now = nowSec()
  return { accessToken: 'opaque-access-token', idToken: 'a.b.c', refreshToken: 'refresh-token', expiresAt: now + 3600, issuedAt: now, ...extra }
}

/** A cookie-mode session record written now. */
export function sessionRecord(extra: Partial<SessionRecord> = {}): SessionRecord {
  const now = Date.now()
  return {
    v: 2,
    id: 'c0ffee00c0ffee00c0ffee00c0ffee00',
    iss: ISSUER,
    sub: '4b8f3a2e-1d7c-4f7a-9c1e-2a6b5d8e9f01',
    sid: 'sid-1',
    username: 'admin',
    createdAt: now,
    writtenAt: now,
    tokens: tokenSet(),
    ...extra,
  }
}

let keyPair: Promise<GenerateKeyPairResult> | undefined
/** One RS256 key pair per test file. */
export function signingKeys() {
  keyPair ??= generateKeyPair('RS256')
  return keyPair
}

/** A real RS256-signed JWT with these claims. */
export async function signJwt(claims: Record<string, unknown>, header: Record<string, unknown> = {}): Promise<string> {
  const { privateKey } = await signingKeys()
  return new SignJWT(claims).setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: 'key-1', ...header }).sign(privateKey)
}

/** The realistic token set of a WSO2 login: a JWT access token with `roles` roles and `attributes` user attributes, an ID token, an opaque refresh token. */
export async function jwtTokenSet(options: { roles?: number; attributes?: number } = {}): Promise<TokenSet> {
  const now = nowSec()
  const roles = Array.from({ length: options.roles ?? 0 }, (_, i) => `Internal/clinic-role-${String(i).padStart(3, '0')}`)
  const attributes = Object.fromEntries(
    Array.from({ length: options.attributes ?? 0 }, (_, i) => [`attribute_${i}`, `value-${i}-of-the-user`]),
  )
  const common = { iss: ISSUER, sub: '4b8f3a2e-1d7c-4f7a-9c1e-2a6b5d8e9f01', aud: CLIENT_ID, iat: now, nbf: now, exp: now + 3600 }
  const accessToken = await signJwt({
    ...common,
    azp: CLIENT_ID,
    client_id: CLIENT_ID,
    scope: 'openid profile email internal_login',
    jti: crypto.randomUUID(),
    org_id: '10084a8d-113f-4211-a0d5-efe36b082211',
    org_name: 'Super',
    aut: 'APPLICATION_USER',
    ...(roles.length ? { roles } : {}),
    ...attributes,
  }, { typ: 'at+jwt' })
  const idToken = await signJwt({
    ...common,
    at_hash: 'Xj2dTUWsYqzA7QpA8m5c-Q',
    c_hash: 'tbrDZ2vM_Ce3s6w8tK7m4w',
    sid: crypto.randomUUID(),
    auth_time: now,
    amr: ['BasicAuthenticator'],
    username: 'admin',
    given_name: 'Ada',
    family_name: 'Lovelace',
    email: 'ada@myclinic.example',
    isk: 'f1e2d3c4b5a697887766554433221100ffeeddccbbaa99887766554433221100',
  })
  return { accessToken, idToken, refreshToken: crypto.randomUUID(), expiresAt: now + 3600, issuedAt: now, scope: 'openid profile email internal_login' }
}

/** Applies Set-Cookie headers to a jar the way a browser does (Max-Age=0 deletes). */
export function applySetCookies(jar: Map<string, string>, setCookies: string[]): Map<string, string> {
  for (const header of setCookies) {
    const [pair] = header.split(';')
    const i = pair.indexOf('=')
    const name = pair.slice(0, i)
    if (/;\s*Max-Age=0(;|$)/i.test(header)) jar.delete(name)
    else jar.set(name, pair.slice(i + 1))
  }
  return jar
}

/** The Cookie header a browser sends for `jar`. */
export function cookieHeader(jar: Map<string, string>): string {
  return [...jar].map(([name, value]) => `${name}=${value}`).join('; ')
}

/** The cookie name of a Set-Cookie header. */
export function setCookieName(header: string): string {
  return header.slice(0, header.indexOf('='))
}
