/**
 * The per-process auth context: validated configuration, the certificate-trusting fetch, the
 * discovery cache and the JWKS cache, built once on first use (not at import, so `next build`
 * needs no configuration and one build runs against any IS).
 *
 * Node only.
 */
import 'server-only'
import { getAuthConfig } from './config'
import { buildClient, DiscoveryCache } from './discovery'
import { createAuthFetch } from './http'
import { createJwksCache, type FlowContext } from './login'
import { processSingleton } from './singleton'

const holder = processSingleton('context', () => ({ context: undefined as FlowContext | undefined }))

/** The shared context; one per process, whichever route bundle asks first. */
export function getAuthContext(): FlowContext {
  if (holder.context) return holder.context
  const config = getAuthConfig()
  const fetch = createAuthFetch({ certificatePath: config.certificatePath, timeoutMs: config.httpTimeout })
  const context: FlowContext = {
    config,
    fetch,
    discovery: new DiscoveryCache(config, fetch),
    provider: buildClient(config),
    jwks: createJwksCache(fetch),
  }
  holder.context = context
  return context
}
