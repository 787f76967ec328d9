/**
 * The load generator: closed-loop HTTP load on persistent keep-alive connections (undici Pool),
 * with the server's CPU read from /proc around each run. Connections are opened once per target
 * and reused by every run, so no run pays TLS handshakes; a run is a window of steady requests.
 *
 * Also the alternating-pairs driver: many short runs A B, B A, A B, ... so that the machine's
 * drift (other users on the shared cores, a VM whose speed changes by tens of per cent within a
 * minute) hits both variants of a pair alike.
 */
import { performance } from 'node:perf_hooks'
import { Pool } from 'undici'
import { BROWSER_HEADERS } from './http-client.mjs'
import { machineBusySeconds, selfCpuSeconds } from './proc-stats.mjs'
import { quantile, r1, r2 } from './stats.mjs'

/** One Pool per origin, kept for the whole bench. */
const pools = new Map()

/** The shared pool of an origin. */
function poolFor(origin, connections) {
  const key = `${origin}#${connections}`
  if (!pools.has(key)) pools.set(key, new Pool(origin, { connections, pipelining: 1, connect: { rejectUnauthorized: false }, keepAliveTimeout: 60_000, maxHeaderSize: 64 * 1024 }))
  return pools.get(key)
}

/** Closes every pool (at the end). */
export async function closePools() {
  await Promise.all([...pools.values()].map((p) => p.close().catch(() => {})))
  pools.clear()
}

/**
 * @typedef {object} Target
 * @property {string} name
 * @property {string} origin
 * @property {string} path
 * @property {Record<string, string>} [headers] e.g. the session cookie
 * @property {{ cpuNs: () => number }} [server] the server's tree sampler (lib/proc-stats.mjs)
 * @property {number} [expect] the status every answer should have (200)
 */

/**
 * @typedef {object} Run
 * @property {string} name
 * @property {number} seconds wall time of the window
 * @property {number} requests completed in the window
 * @property {number} rps
 * @property {number} p50 ms
 * @property {number} p99 ms
 * @property {number} cpuUsPerRequest server CPU per request, µs (schedstat)
 * @property {number} serverCores server CPU / wall time
 * @property {number} otherCores CPU of other processes on the machine (not this bench, not the server)
 * @property {Record<string, number>} statuses
 * @property {number} unexpected answers with another status than the target's `expect`
 * @property {number} errors
 */

/**
 * Closed loop: `connections` workers, each sending the next request when the last one answered.
 * @param {Target} target
 * @param {{ seconds: number, connections: number }} options
 * @returns {Promise<Run>}
 */
export async function closedLoop(target, { seconds, connections }) {
  const pool = poolFor(target.origin, connections)
  const headers = { ...BROWSER_HEADERS, ...target.headers }
  const latencies = []
  const statuses = {}
  let errors = 0
  const before = counters(target)
  const end = performance.now() + seconds * 1000
  await Promise.all(Array.from({ length: connections }, async () => {
    while (performance.now() < end) {
      const t0 = performance.now()
      try {
        const res = await pool.request({ path: target.path, method: 'GET', headers })
        await res.body.dump({ limit: Infinity })
        statuses[res.statusCode] = (statuses[res.statusCode] || 0) + 1
        latencies.push(performance.now() - t0)
      } catch {
        errors++
      }
    }
  }))
  return summarize(target, before, counters(target), latencies, statuses, errors)
}

/** The counters read at both ends of a window. */
function counters(target) {
  return { t: performance.now(), serverNs: target.server ? target.server.cpuNs() : 0, busy: machineBusySeconds(), self: selfCpuSeconds() }
}

/** A run's figures from the counters at its two ends. */
function summarize(target, a, b, latencies, statuses, errors) {
  const wall = (b.t - a.t) / 1000
  const serverSeconds = (b.serverNs - a.serverNs) / 1e9
  const n = latencies.length
  return {
    name: target.name,
    seconds: r2(wall),
    requests: n,
    rps: r1(n / wall),
    p50: r2(quantile(latencies, 0.5)),
    p99: r2(quantile(latencies, 0.99)),
    cpuUsPerRequest: target.server ? r1((serverSeconds * 1e6) / Math.max(1, n)) : NaN,
    serverCores: target.server ? r2(serverSeconds / wall) : NaN,
    otherCores: r2(Math.max(0, b.busy - a.busy - (b.self - a.self) - serverSeconds) / wall),
    statuses,
    unexpected: Object.entries(statuses).filter(([k]) => Number(k) !== (target.expect ?? 200)).reduce((a, [, v]) => a + v, 0),
    errors,
  }
}

/**
 * Many short alternating runs of two targets: pair i runs A then B when i is even, B then A when
 * it is odd (so a linear drift cancels over two pairs). `beforePair` runs outside the windows
 * (e.g. to mint a fresh session cookie).
 * @param {() => Target | Promise<Target>} a
 * @param {() => Target | Promise<Target>} b
 * @param {{ pairs: number, seconds: number, connections: number, beforePair?: (i: number) => Promise<void>, log?: (line: string) => void }} options
 * @returns {Promise<{ a: Run, b: Run }[]>}
 */
export async function alternatingPairs(a, b, { pairs, seconds, connections, beforePair, log }) {
  const out = []
  for (let i = 0; i < pairs; i++) {
    if (beforePair) await beforePair(i)
    const [first, second] = i % 2 ? [b, a] : [a, b]
    const r1st = await closedLoop(await first(), { seconds, connections })
    const r2nd = await closedLoop(await second(), { seconds, connections })
    const pair = i % 2 ? { a: r2nd, b: r1st } : { a: r1st, b: r2nd }
    out.push(pair)
    log?.(`  pair ${i + 1}/${pairs}: ${pair.a.name} ${pair.a.rps} req/s ${pair.a.cpuUsPerRequest} µs CPU/req · ${pair.b.name} ${pair.b.rps} req/s ${pair.b.cpuUsPerRequest} µs CPU/req · other ${Math.max(pair.a.otherCores, pair.b.otherCores)} cores`)
  }
  return out
}

/** Warm-up: a few seconds of load on each target, results discarded. */
export async function warmUp(targets, { seconds, connections }) {
  for (const t of targets) await closedLoop(t, { seconds, connections })
}
