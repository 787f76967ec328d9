/**
 * Parsers for single configuration values: each takes the value from a code option or its
 * environment key and refuses anything invalid with a {@link ConfigError} that names the setting
 * and says what to put there.
 *
 * Edge-safe.
 */
import type { AuthEnv } from './env'
import { AuthError } from './errors'

/** A configuration problem; the message names the setting and what to put there. */
export class ConfigError extends AuthError {
  /** The setting at fault, e.g. `AUTH_CLIENT_ID (clientId)`. */
  readonly key: string
  constructor(key: string, problem: string) {
    super('config_invalid', `${key} ${problem}`)
    this.key = key
    this.message = `Invalid auth configuration: ${key} ${problem}. See .env.example.`
  }
}

/** A value and the name to report it under (`clientId`, or `AUTH_CLIENT_ID (clientId)`). */
export type Source = { value: unknown; name: string }

/** The option when given in code, else the environment key. */
export function pick(option: unknown, optionName: string, env: AuthEnv, key: keyof AuthEnv): Source {
  if (option !== undefined) return { value: option, name: optionName }
  const raw = env[key]?.trim()
  return { value: raw ? raw : undefined, name: `${key} (${optionName})` }
}

export function text(source: Source): string | undefined {
  if (source.value === undefined || source.value === null || source.value === '') return undefined
  if (typeof source.value !== 'string') throw new ConfigError(source.name, 'must be a string')
  return source.value.trim() || undefined
}

function isLoopback(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '127.0.0.1' || hostname === '[::1]'
}

export function httpsUrl(source: Source, { origin = false } = {}): string | undefined {
  const raw = text(source)
  if (!raw) return undefined
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    throw new ConfigError(source.name, `is not a URL ("${raw}"): set it to an absolute https:// URL`)
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopback(url.hostname))) {
    throw new ConfigError(source.name, `must use https:// (got "${raw}"); plain http is allowed on localhost only`)
  }
  if (url.username || url.password || url.hash) throw new ConfigError(source.name, 'must not contain credentials or a #fragment')
  if (origin && (url.pathname !== '/' || url.search)) {
    throw new ConfigError(source.name, `must be an origin without a path, like https://localhost:9443 (got "${raw}")`)
  }
  return origin ? url.origin : url.href
}

export function seconds(source: Source, fallback: number, min: number): number {
  const raw = source.value
  if (raw === undefined) return fallback
  const value = typeof raw === 'number' ? raw : /^\d+$/.test(String(raw)) ? Number(raw) : NaN
  if (!Number.isInteger(value) || value < min || value > 10 * 365 * 24 * 3600) {
    throw new ConfigError(source.name, `must be a whole number of seconds, at least ${min} (got "${String(raw)}")`)
  }
  return value
}

export function oneOf<T extends string>(source: Source, allowed: readonly T[], fallback: T): T {
  const raw = text(source)
  if (!raw) return fallback
  if (!(allowed as readonly string[]).includes(raw)) throw new ConfigError(source.name, `must be one of ${allowed.join(', ')} (got "${raw}")`)
  return raw as T
}

/**
 * A switch: `true`/`false` in code, `on`/`off` in the environment.
 *
 * @param source - The value and its name.
 * @param fallback - When unset.
 * @returns The switch.
 */
export function onOff(source: Source, fallback: boolean): boolean {
  if (typeof source.value === 'boolean') return source.value
  const raw = oneOf(source, ['on', 'off'] as const, fallback ? 'on' : 'off')
  return raw === 'on'
}

/** A Redis URL with its password masked, for messages and logs. */
export function redactUrl(raw: string): string {
  try {
    const url = new URL(raw)
    if (url.password) url.password = '****'
    return url.href
  } catch {
    // Unparsable (a password with an unencoded '/'): mask everything up to the last '@'.
    return raw.replace(/\/\/.*@/, '//****@')
  }
}

export function redisUrl(source: Source): string | undefined {
  const raw = text(source)
  if (!raw) return undefined
  let protocol = ''
  try {
    protocol = new URL(raw).protocol
  } catch {}
  if (protocol !== 'redis:' && protocol !== 'rediss:') {
    throw new ConfigError(source.name, `must be a redis:// or rediss:// URL (got "${redactUrl(raw)}")`)
  }
  return raw
}

export function path(source: Source, fallback: string | null): string | null {
  const raw = source.value === undefined ? fallback : source.value
  if (raw === null) return null
  if (typeof raw !== 'string' || !/^\/[A-Za-z0-9._~!$&'()*+,;=:@%/-]*$/.test(raw) || raw.includes('//') || /\/\.\.?(\/|$)/.test(raw)) {
    throw new ConfigError(source.name, `must be a path on the app's origin starting with / (got "${String(raw)}")`)
  }
  return raw.length > 1 ? raw.replace(/\/$/, '') : raw
}

