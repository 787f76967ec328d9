/**
 * Validates the auth configuration when the server starts (Node runtime only), so a missing or
 * invalid AUTH_* value stops start-up with a message naming the key instead of failing on the
 * first login.
 */
export async function register() {
  if (process.env.NEXT_RUNTIME === 'nodejs') await import('./instrumentation-node')
}
