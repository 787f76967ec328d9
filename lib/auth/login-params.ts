/**
 * The authorization request parameters a login may carry, from the `/login` query or from code
 * (`auth.signInUrl({ ... })`), through an allow-list. Anything else, and any value over its
 * length, is refused: the values reach the identity server, and they are kept in the sealed
 * transaction, never read back from the callback.
 *
 * Edge-safe.
 *
 * @see https://openid.net/specs/openid-connect-core-1_0.html#AuthRequest
 * @see https://is.docs.wso2.com/en/latest/guides/organization-management/ (organization login: fidp=OrganizationSSO)
 */
import { AuthError } from './errors'

/** Parameters accepted on a login. */
export interface LoginParams {
  /** OIDC `prompt`: `login` forces a new sign-in, `none` is a silent login, `consent`, `select_account`. */
  prompt?: 'login' | 'consent' | 'none' | 'select_account'
  /** OIDC `max_age` in seconds: the IS must have authenticated the user at most this long ago. */
  maxAge?: number
  /** Pre-fills the IS login form. */
  loginHint?: string
  /** Preferred languages of the IS pages (BCP 47, space-separated). */
  uiLocales?: string
  /** Requested authentication context classes, space-separated. */
  acrValues?: string
  /** WSO2's federated IdP hint: skip the IdP choice and go to this one. */
  fidp?: string
  /** Organization login (WSO2 IS 7 B2B, Asgardeo): the organization id. Sends `fidp=OrganizationSSO`. */
  orgId?: string
  /** Organization login by the organization's handle or name. Sends `fidp=OrganizationSSO`. */
  org?: string
}

/** Query names (as on the `/login` URL and the authorization request) and their limits. */
const FIELDS = {
  prompt: { key: 'prompt', max: 14 },
  max_age: { key: 'maxAge', max: 10 },
  login_hint: { key: 'loginHint', max: 256 },
  ui_locales: { key: 'uiLocales', max: 64 },
  acr_values: { key: 'acrValues', max: 256 },
  fidp: { key: 'fidp', max: 64 },
  orgId: { key: 'orgId', max: 64 },
  org: { key: 'org', max: 64 },
} as const

const PROMPTS = new Set(['login', 'consent', 'none', 'select_account'])
/** Query parameters of `/login` that are not authorization parameters. */
const OWN = new Set(['returnTo'])

function invalid(detail: string): AuthError {
  return new AuthError('login_param_invalid', detail)
}

function check(name: string, value: string, max: number): string {
  if (value.length === 0 || value.length > max) throw invalid(`${name} must be 1 to ${max} characters`)
  if (/[\u0000-\u001f\u007f]/.test(value)) throw invalid(`${name} contains control characters`)
  return value
}

/**
 * Validates login parameters given in code.
 *
 * @param params - Parameters.
 * @returns A clean copy without empty members.
 * @throws {AuthError} `login_param_invalid`.
 * @example
 * ```ts
 * validateLoginParams({ prompt: 'login', maxAge: 300 })
 * ```
 */
export function validateLoginParams(params: LoginParams): LoginParams {
  const out: LoginParams = {}
  for (const [name, { key, max }] of Object.entries(FIELDS)) {
    const value = (params as Record<string, unknown>)[key]
    if (value === undefined || value === null || value === '') continue
    if (key === 'maxAge') {
      if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 10 * 365 * 86400) throw invalid(`${name} must be a whole number of seconds`)
      out.maxAge = value
      continue
    }
    if (typeof value !== 'string') throw invalid(`${name} must be a string`)
    ;(out as Record<string, unknown>)[key] = check(name, value, max)
  }
  for (const key of Object.keys(params)) {
    if (!Object.values(FIELDS).some((f) => f.key === key)) throw invalid(`unknown login parameter ${key}`)
  }
  if (out.prompt && !PROMPTS.has(out.prompt)) throw invalid(`prompt must be one of ${[...PROMPTS].join(', ')}`)
  if (out.orgId && out.org) throw invalid('give orgId or org, not both')
  if ((out.orgId || out.org) && out.fidp && out.fidp !== 'OrganizationSSO') throw invalid('organization login uses fidp=OrganizationSSO')
  return out
}

/**
 * Reads and validates the login parameters of a `/login` query. Each may appear once.
 *
 * @param query - The request's search params.
 * @returns The parameters.
 * @throws {AuthError} `login_param_invalid` for unknown, repeated or overlong parameters.
 * @example
 * ```ts
 * loginParamsFromQuery(new URL(request.url).searchParams)
 * ```
 */
export function loginParamsFromQuery(query: URLSearchParams): LoginParams {
  const params: Record<string, unknown> = {}
  for (const name of new Set(query.keys())) {
    if (query.getAll(name).length > 1) throw invalid(`parameter ${name} repeated`)
    if (OWN.has(name)) continue
    const field = Object.hasOwn(FIELDS, name) ? (FIELDS as Record<string, { key: string; max: number }>)[name] : undefined
    if (!field) throw invalid(`unknown login parameter ${name.slice(0, 40)}`)
    const value = query.get(name)!
    if (field.key === 'maxAge') {
      if (!/^\d{1,10}$/.test(value)) throw invalid('max_age must be a whole number of seconds')
      params.maxAge = Number(value)
    } else {
      params[field.key] = value
    }
  }
  return validateLoginParams(params as LoginParams)
}

/**
 * The parameters as authorization request parameters.
 *
 * @param params - Validated parameters.
 * @returns Name/value pairs for the authorization request.
 * @example
 * ```ts
 * for (const [k, v] of authorizationParameters(params)) url.searchParams.set(k, v)
 * ```
 */
export function authorizationParameters(params: LoginParams): [string, string][] {
  const out: [string, string][] = []
  if (params.prompt) out.push(['prompt', params.prompt])
  if (params.maxAge !== undefined) out.push(['max_age', String(params.maxAge)])
  if (params.loginHint) out.push(['login_hint', params.loginHint])
  if (params.uiLocales) out.push(['ui_locales', params.uiLocales])
  if (params.acrValues) out.push(['acr_values', params.acrValues])
  if (params.orgId || params.org) {
    out.push(['fidp', 'OrganizationSSO'])
    if (params.orgId) out.push(['orgId', params.orgId])
    if (params.org) out.push(['org', params.org])
  } else if (params.fidp) {
    out.push(['fidp', params.fidp])
  }
  return out
}

/**
 * The `/login` query for these parameters (the inverse of {@link loginParamsFromQuery}).
 *
 * @param params - Parameters.
 * @returns Query pairs.
 */
export function loginQuery(params: LoginParams): [string, string][] {
  const out: [string, string][] = []
  for (const [name, { key }] of Object.entries(FIELDS)) {
    const value = (params as Record<string, unknown>)[key]
    if (value !== undefined && value !== '') out.push([name, String(value)])
  }
  return out
}

/** Whether a login must go to the IS even when a session exists (step-up, forced or silent re-login). */
export function forcesLogin(params: LoginParams): boolean {
  return Boolean(params.prompt || params.maxAge !== undefined || params.acrValues || params.fidp || params.orgId || params.org || params.loginHint)
}
