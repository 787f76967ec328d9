/**
 * Section 4: edge middleware size. The app's middleware bundle against an empty middleware with
 * the same matcher (built in /tmp with the same next), and each peer's bundle. Runs before any
 * server starts, so the baseline build competes with nothing of ours.
 */
import { ROOT } from '../lib/config.mjs'
import { baselineMiddleware, middlewareSize } from '../lib/build.mjs'

/**
 * @param {{ log: (s: string) => void, peers: Record<string, { middleware: ReturnType<typeof middlewareSize> }> }} ctx
 *   peers: the prepared peers (lib/peers.mjs preparePeer)
 */
export function runMiddlewareSize(ctx) {
  ctx.log('4. edge middleware size (and an empty-middleware baseline build in /tmp)')
  const app = middlewareSize(ROOT)
  const empty = baselineMiddleware(ROOT, app.matcher)
  const added = (m) => ({ raw: m.raw - empty.raw, gzipConcat: m.gzipConcat - empty.gzipConcat, gzipPerFile: m.gzipPerFile - empty.gzipPerFile })
  const peers = Object.fromEntries(Object.entries(ctx.peers).map(([id, p]) => [id, { ...p.middleware, added: added(p.middleware) }]))
  return { app, empty, added: added(app), peers, targetAddedGzip: 20 * 1024 }
}
