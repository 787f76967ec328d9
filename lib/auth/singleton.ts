/**
 * Process-wide singletons. Next.js bundles each route separately, so a module-level variable in
 * lib/auth exists once per route bundle: a logout recorded by /logout/backchannel would be
 * invisible to the dashboard page. State that must be shared (revocation store, refresh single
 * flight, discovery and JWKS caches) lives on globalThis under a registered symbol instead.
 *
 * Edge-safe.
 */
export function processSingleton<T>(name: string, create: () => T): T {
  const key = Symbol.for(`myclinic.auth.${name}`)
  const scope = globalThis as unknown as Record<symbol, T | undefined>
  let value = scope[key]
  if (value === undefined) {
    value = create()
    scope[key] = value
  }
  return value
}
