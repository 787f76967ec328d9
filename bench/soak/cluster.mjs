/**
 * The soak's servers: the local IS (test control on), a redis-server, two myclinic instances of
 * the production build sharing it (REDIS_URL, plain HTTP behind the proxy, one public origin),
 * and the round-robin HTTPS proxy in front. Restarts record their outage windows.
 */
import { join } from 'node:path'
import { ROOT, BENCH_DIR } from '../lib/config.mjs'
import { isControl } from '../lib/http-client.mjs'
import { startNode, stopChild, waitForHttp } from '../lib/procs.mjs'
import { selfCpuSeconds, treeSampler } from '../lib/proc-stats.mjs'
import { allowMyclinicCallbacks, startApp, startIs } from '../lib/servers.mjs'
import { dbsize, redisDataDir, startRedis } from './redis.mjs'
import { IS_ORIGIN, PROXY_ORIGIN, SOAK, SOAK_PORTS } from './settings.mjs'

/**
 * @typedef {object} Outage
 * @property {'is' | 'redis'} what
 * @property {number} from ms since the epoch: the kill
 * @property {number} to ms since the epoch: answering again (and, for the IS, the client configured again)
 */

/** The proxy as a child process. */
async function startProxy() {
  const proc = startNode('proxy', [join(BENCH_DIR, 'soak/proxy-server.mjs')], {
    env: {
      PATH: process.env.PATH ?? '',
      PROXY_PORT: String(SOAK_PORTS.proxy),
      PROXY_BACKENDS: SOAK_PORTS.apps.join(','),
      PROXY_TLS_KEY: join(ROOT, 'certs/app.key'),
      PROXY_TLS_CERT: join(ROOT, 'certs/app.crt'),
    },
  })
  await waitForHttp(`${PROXY_ORIGIN}/signin`, proc)
  return { proc, sampler: treeSampler(proc.child.pid) }
}

/** The IS, its control client, and myclinic's client allowed to come back to the proxy's origin. */
async function startConfiguredIs() {
  const is = await startIs(SOAK_PORTS.is)
  const control = isControl(IS_ORIGIN)
  await allowMyclinicCallbacks(control, [PROXY_ORIGIN])
  return { ...is, control }
}

/**
 * Starts everything; returns the cluster with its restart operations.
 * @param {(s: string) => void} log
 */
export async function startCluster(log) {
  const redisDir = redisDataDir()
  const redisUrl = `redis://127.0.0.1:${SOAK_PORTS.redis}`
  log(`starting the local IS (:${SOAK_PORTS.is}), redis-server (:${SOAK_PORTS.redis}, AOF in ${redisDir}), two app instances (:${SOAK_PORTS.apps.join(', :')}) and the proxy (:${SOAK_PORTS.proxy})`)
  const cluster = { is: await startConfiguredIs(), redis: await startRedis(SOAK_PORTS.redis, redisDir), apps: [], outages: [], redisKeys: {}, deadNs: { is: 0, redis: 0 } }
  for (const port of SOAK_PORTS.apps) cluster.apps.push(await startApp({ name: `app-${port}`, port, origin: PROXY_ORIGIN, isOrigin: IS_ORIGIN, redisUrl, http: true, nodeArgs: SOAK.appNodeArgs }))
  cluster.proxy = await startProxy()

  /** Kills the IS and starts it again on the same port (it keeps its signing key in certs/). */
  cluster.restartIs = async () => {
    cluster.deadNs.is += cluster.is.sampler.cpuNs()
    const from = Date.now()
    await stopChild(cluster.is.proc, { signal: 'SIGKILL' })
    await cluster.is.control.close()
    cluster.is = await startConfiguredIs()
    cluster.outages.push({ what: 'is', from, to: Date.now() })
  }
  /** Stops redis-server gracefully (SIGTERM: the AOF is flushed) and starts it again on the same data. */
  cluster.restartRedis = async () => {
    cluster.redisKeys.before = await dbsize(SOAK_PORTS.redis)
    cluster.deadNs.redis += treeSampler(cluster.redis.child.pid).cpuNs()
    const from = Date.now()
    await stopChild(cluster.redis, { signal: 'SIGTERM', graceMs: 10_000 })
    cluster.redis = await startRedis(SOAK_PORTS.redis, redisDir)
    cluster.outages.push({ what: 'redis', from, to: Date.now() })
    cluster.redisKeys.after = await dbsize(SOAK_PORTS.redis)
  }
  /** CPU so far of each component, ns (restarted ones: their earlier processes included, up to the moment before the kill). */
  cluster.cpuNs = () => ({
    apps: cluster.apps.reduce((a, x) => a + x.sampler.cpuNs(), 0),
    proxy: cluster.proxy.sampler.cpuNs(),
    is: cluster.deadNs.is + cluster.is.sampler.cpuNs(),
    redis: cluster.deadNs.redis + treeSampler(cluster.redis.child.pid).cpuNs(),
    soak: selfCpuSeconds() * 1e9,
  })
  /** RSS of each app instance's process tree, bytes. */
  cluster.rss = () => cluster.apps.map((a) => a.sampler.rssBytes())
  return cluster
}
