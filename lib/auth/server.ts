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

let context: FlowContext | undefined

export function getAuthContext(): FlowContext {
  if (context) return context
  const config = getAuthConfig()
  const fetch = createAuthFetch({ certificatePath: config.certificatePath, timeoutMs: config.httpTimeout })
  context = {
    config,
    fetch,
    discovery: new DiscoveryCache(config, fetch),
    provider: buildClient(config),
    jwks: createJwksCache(fetch),
  }
  return context
}
