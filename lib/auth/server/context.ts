/**
 * The per-configuration context: the certificate-trusting fetch, the discovery and JWKS caches,
 * the client and the stores, built on first use (not at import, so `next build` needs no
 * configuration). It is keyed by the configuration's fingerprint, so editing `.env.local` under
 * `next dev` builds a fresh context instead of keeping the old values; the stores are keyed by
 * app name only, so revocations survive a configuration change.
 *
 * Node only.
 */
import 'server-only'
import { createRemoteJWKSet, customFetch as joseCustomFetch } from 'jose'
import type * as oauth from 'oauth4webapi'
import type { AuthConfig } from '../config'
import { useSealer } from '../seal'
import { processSingleton } from '../singleton'
import type { AuthStore } from '../store'
import { buildClient, type ClientSetup } from './client-auth'
import { DiscoveryCache } from './discovery'
import { createAuthFetch, jwksFetch, type AuthFetch } from './http'
import { nodeSealer } from './iron'
import { storeFor } from './stores'

// Every Node path reaches a context through this module: from here on this process seals and
// opens on node:crypto (the same format; the edge guard keeps iron-session).
useSealer(nodeSealer)

/** Everything the protocol steps need. */
export interface AuthContext {
  config: AuthConfig
  fetch: AuthFetch
  discovery: DiscoveryCache
  /** The client and its authentication (the private key is read once). */
  client(): Promise<ClientSetup>
  /** The remote JWKS for the IS's `jwks_uri`. */
  jwks(as: oauth.AuthorizationServer): ReturnType<typeof createRemoteJWKSet>
  /** Revocations, logout-token replay, refresh locks and results. */
  state: AuthStore
  /** Tokens server-side, or null when they live in the cookie. */
  sessions: AuthStore | null
}

/**
 * One remote JWKS per `jwks_uri`: jose refetches on an unknown `kid`, at most every 5 s however many
 * tokens carry one (back-channel logout tokens can be posted by anyone).
 *
 * @see https://openid.net/specs/openid-connect-core-1_0.html#RotateSigKeys
 */
export function createJwksCache(fetch: AuthFetch, timeoutMs: number) {
  const sets = new Map<string, ReturnType<typeof createRemoteJWKSet>>()
  return (as: oauth.AuthorizationServer) => {
    const uri = as.jwks_uri!
    let set = sets.get(uri)
    if (!set) {
      set = createRemoteJWKSet(new URL(uri), {
        [joseCustomFetch]: jwksFetch(fetch) as never,
        timeoutDuration: timeoutMs,
        cacheMaxAge: 10 * 60 * 1000,
        cooldownDuration: 5 * 1000,
      })
      sets.set(uri, set)
    }
    return set
  }
}

const ids = new WeakMap<object, number>()
let nextId = 1
function identity(value: unknown): string {
  if (typeof value !== 'object' || value === null) return String(value)
  let id = ids.get(value)
  if (!id) ids.set(value, (id = nextId++))
  return `store#${id}`
}

const contexts = processSingleton('contexts', () => new Map<string, AuthContext>())

function build(config: AuthConfig): AuthContext {
  const fetch = createAuthFetch({ certificatePath: config.certificatePath, timeoutMs: config.httpTimeoutMs })
  let client: Promise<ClientSetup> | undefined
  return {
    config,
    fetch,
    discovery: new DiscoveryCache(config, fetch),
    client: () => {
      client ??= buildClient(config).catch((error) => {
        client = undefined
        throw error
      })
      return client
    },
    jwks: createJwksCache(fetch, config.httpTimeoutMs),
    state: storeFor(config, 'revocation')!,
    sessions: storeFor(config, 'session'),
  }
}

/**
 * The context for this configuration, shared by every route bundle of the process.
 *
 * @param config - The validated configuration.
 * @returns The context.
 * @throws {AuthError} `config_invalid` when the certificate cannot be read.
 */
export function getContext(config: AuthConfig): AuthContext {
  const key = `${config.fingerprint}|${identity(config.revocationStore)}|${identity(config.sessionStore)}`
  let context = contexts.get(key)
  if (!context) {
    context = build(config)
    // Old configurations (edited .env.local) are dropped; a handful covers several apps per process.
    if (contexts.size >= 8) contexts.delete(contexts.keys().next().value!)
    contexts.set(key, context)
  }
  return context
}
