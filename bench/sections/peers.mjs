/**
 * Section 6 (page part): myclinic against each peer on the same work, alternating pairs of short
 * runs: the guarded dashboard `/` with a valid session (throughput and server CPU per request)
 * and PROBE_PATH (middleware + static 404: the guard and the session decode without a page).
 * The login, cookie and bundle comparisons come from sections 2, 3 and 4 (same run).
 */
import { APP, PROBE_PATH } from '../lib/config.mjs'
import { comparePairs } from '../lib/compare.mjs'
import { alternatingPairs, warmUp } from '../lib/load.mjs'
import { cookieSource, probe } from './guard.mjs'

/** Pairs of myclinic (A) and one peer (B) on one path. */
async function pairsOn(ctx, peer, path, mine, theirs) {
  const expect = path === PROBE_PATH ? 404 : 200
  const { settings, log } = ctx
  const a = async () => ({ name: 'myclinic', origin: APP, path, headers: { cookie: await mine() }, server: ctx.app.sampler, expect })
  const b = async () => ({ name: peer.peer.id, origin: peer.origin, path, headers: { cookie: await theirs() }, server: peer.sampler, expect })
  await warmUp([await a(), await b()], { seconds: settings.smoke ? 1 : 3, connections: settings.connections })
  const pairs = await alternatingPairs(a, b, { pairs: settings.pairs, seconds: settings.pairSeconds, connections: settings.connections, log })
  return { path, ...comparePairs(pairs), runs: pairs }
}

/**
 * @param {{ settings: any, log: (s: string) => void, is: any, app: any, peers: Record<string, any> }} ctx peers: started peers (lib/peers.mjs startPeer)
 */
export async function runPeerPages(ctx) {
  const mine = cookieSource({ origin: APP, flow: 'myclinic', isOrigin: ctx.is.origin })
  const out = {}
  for (const [id, peer] of Object.entries(ctx.peers)) {
    const theirs = cookieSource({ origin: peer.origin, flow: peer.peer.flow, isOrigin: ctx.is.origin })
    const page = await probe(peer.origin, '/', await theirs())
    if (page.status !== 200 || !page.greeting) throw new Error(`GET / with a session on ${peer.peer.label} → ${page.status} ${page.location ?? ''}`)
    const mineCheck = await probe(APP, '/', await mine())
    ctx.log(`6. myclinic vs ${peer.peer.label}: ${ctx.settings.pairs} pairs on / and on ${PROBE_PATH}`)
    out[id] = {
      label: peer.peer.label,
      pageBytes: { myclinic: mineCheck.bytes, peer: page.bytes },
      setCookiesPerRequest: { myclinic: mineCheck.setCookies, peer: page.setCookies },
      page: await pairsOn(ctx, peer, '/', mine, theirs),
      probe: await pairsOn(ctx, peer, PROBE_PATH, mine, theirs),
    }
  }
  return out
}
