/**
 * Section 1: the guard's cost. A = the app, B = a second build of the whole app whose
 * middleware.ts is a pass-through with the same matcher (lib/build.mjs buildUnguardedCopy), both
 * with the same valid session cookie. Many short alternating pairs on two paths:
 *   - `/`, the dashboard: throughput and CPU per request, guarded / unguarded;
 *   - PROBE_PATH, a path no app defines: the middleware plus Next's static 404, so the request
 *     itself costs little and the guard's own µs per request (A − B) stands out of the noise.
 * CPU per request is the server's process-tree CPU (schedstat, ns) over the window / requests.
 */
import { APP, PROBE_PATH } from '../lib/config.mjs'
import { comparePairs } from '../lib/compare.mjs'
import { newBrowser } from '../lib/http-client.mjs'
import { alternatingPairs, closedLoop, warmUp } from '../lib/load.mjs'
import { login } from '../lib/login.mjs'
import { unsealCost } from './unseal.mjs'

/**
 * A session cookie for load runs, minted again when older than maxAgeMs: every guard re-seals or
 * touches a session after a while, and a load generator replaying one cookie must stay below that.
 * @param {{ origin: string, flow: string, isOrigin: string }} target
 */
export function cookieSource(target, maxAgeMs = 30_000) {
  let cookie = ''
  let at = 0
  return async () => {
    if (!cookie || Date.now() - at > maxAgeMs) {
      cookie = (await login(target)).cookieHeader
      at = Date.now()
    }
    return cookie
  }
}

/** One GET as a browser with a cookie: status, bytes, cookies set, and whether the dashboard rendered. */
export async function probe(origin, path, cookie) {
  const b = newBrowser()
  try {
    const r = await b.go(`${origin}${path}`, { headers: cookie ? { cookie } : {} })
    return { status: r.status, bytes: Buffer.byteLength(r.text), setCookies: r.setCookies.length, location: r.location, greeting: r.text.includes('data-testid="greeting"'), cacheControl: r.headers['cache-control'] }
  } finally {
    await b.close()
  }
}

/** The checks before measuring: both render the dashboard with the cookie; the probe is a 404 on both. */
async function checkTargets(ctx, cookie) {
  const checks = {
    appPage: await probe(APP, '/', cookie),
    copyPage: await probe(ctx.unguarded.origin, '/', cookie),
    appProbe: await probe(APP, PROBE_PATH, cookie),
    copyProbe: await probe(ctx.unguarded.origin, PROBE_PATH, cookie),
    appNoCookie: await probe(APP, '/'),
    copyNoCookie: await probe(ctx.unguarded.origin, '/'),
  }
  for (const [name, c] of [['the app', checks.appPage], ['the unguarded copy', checks.copyPage]]) {
    if (c.status !== 200 || !c.greeting) throw new Error(`GET / with a session on ${name} → ${c.status} ${c.location ?? ''}`)
  }
  return checks
}

/** Pairs of A (app) and B (copy) on one path. */
async function pairsOn(ctx, path, cookies) {
  const expect = path === PROBE_PATH ? 404 : 200
  const { settings, log } = ctx
  const a = async () => ({ name: 'guarded', origin: APP, path, headers: { cookie: await cookies() }, server: ctx.app.sampler, expect })
  const b = async () => ({ name: 'unguarded', origin: ctx.unguarded.origin, path, headers: { cookie: await cookies() }, server: ctx.unguarded.sampler, expect })
  await warmUp([await a(), await b()], { seconds: settings.smoke ? 1 : 3, connections: settings.connections })
  const pairs = await alternatingPairs(a, b, { pairs: settings.pairs, seconds: settings.pairSeconds, connections: settings.connections, log })
  return { path, ...comparePairs(pairs), runs: pairs }
}

/**
 * @param {{ settings: any, log: (s: string) => void, is: any, app: any, unguarded: any, copyInfo: any }} ctx
 */
export async function runGuard(ctx) {
  const { settings, log } = ctx
  const target = { origin: APP, flow: 'myclinic', isOrigin: ctx.is.origin }
  const cookies = cookieSource(target)
  const checks = await checkTargets(ctx, await cookies())
  log(`1. guard: ${settings.pairs} alternating pairs of ${settings.pairSeconds} s on / (dashboard)`)
  const page = await pairsOn(ctx, '/', cookies)
  log(`1. guard: ${settings.pairs} alternating pairs of ${settings.pairSeconds} s on ${PROBE_PATH} (middleware + static 404)`)
  const probePairs = await pairsOn(ctx, PROBE_PATH, cookies)
  const noCookie = await closedLoop({ name: 'no cookie', origin: APP, path: '/', server: ctx.app.sampler }, { seconds: settings.pairSeconds * 2, connections: settings.connections })
  const unseal = await unsealCost((await login(target)).cookieHeader, settings.microN)
  return { page, probe: probePairs, noCookie, checks, unseal, copy: ctx.copyInfo, target: { ratio: 0.97 } }
}
