/**
 * Process-wide singletons. Next.js bundles each route separately, so a module-level variable in
 * lib/auth exists once per route bundle: a logout recorded by the back-channel route would be
 * invisible to the dashboard page. State that must be shared (stores, refresh single flight,
 * discovery and JWKS caches, the unseal cache) lives on `globalThis` under a registered symbol.
 *
 * Edge-safe.
 */

/**
 * The value registered under `name` in this process, created on first use.
 *
 * @param name - A unique name; include the app name for per-app state.
 * @param create - Builds the value.
 * @returns The shared value.
 * @example
 * ```ts
 * const cache = processSingleton('discovery:myapp', () => new Map())
 * ```
 */
export function processSingleton<T>(name: string, create: () => T): T {
  const key = Symbol.for(`lib-auth.${name}`)
  const scope = globalThis as unknown as Record<symbol, T | undefined>
  let value = scope[key]
  if (value === undefined) {
    value = create()
    scope[key] = value
  }
  return value
}
