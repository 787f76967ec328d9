/**
 * Section 5: login throughput. Concurrent clients run full logins against myclinic; the app's and
 * the IS's CPU (process trees, /proc) per login, and the back-channel calls per login under load.
 */
import { performance } from 'node:perf_hooks'
import { APP } from '../lib/config.mjs'
import { loopbackAgent } from '../lib/http-client.mjs'
import { login } from '../lib/login.mjs'
import { median, quantile, r1, r2 } from '../lib/stats.mjs'
import { BACKCHANNEL, classify } from './logins.mjs'

/** `total` logins by `clients` concurrent workers sharing one connection pool. */
async function concurrentLogins(isOrigin, total, clients) {
  const agent = loopbackAgent()
  const done = []
  const errors = []
  let next = 0
  try {
    await Promise.all(Array.from({ length: clients }, async () => {
      while (next < total) {
        next++
        try {
          done.push(await login({ origin: APP, flow: 'myclinic', isOrigin }, { agent }))
        } catch (e) {
          errors.push(String(e.message).slice(0, 200))
        }
      }
    }))
  } finally {
    await agent.close()
  }
  return { done, errors }
}

/**
 * @param {{ settings: any, log: (s: string) => void, control: any, is: any, app: any }} ctx
 */
export async function runThroughput(ctx) {
  const { settings, log } = ctx
  log(`5. ${settings.concurrentLogins} logins with ${settings.concurrentClients} concurrent clients`)
  await ctx.control.call('DELETE', '/__test/log')
  const app0 = ctx.app.sampler.cpuNs()
  const is0 = ctx.is.sampler.cpuNs()
  const me0 = process.cpuUsage()
  const t0 = performance.now()
  const { done, errors } = await concurrentLogins(ctx.is.origin, settings.concurrentLogins, settings.concurrentClients)
  const wall = (performance.now() - t0) / 1000
  const appCpu = (ctx.app.sampler.cpuNs() - app0) / 1e9
  const isCpu = (ctx.is.sampler.cpuNs() - is0) / 1e9
  const me = process.cpuUsage(me0)
  const counts = {}
  for (const e of await ctx.control.call('GET', '/__test/log')) counts[classify(e.path)] = (counts[classify(e.path)] || 0) + 1
  return {
    logins: done.length,
    failures: errors.length,
    errors: errors.slice(0, 5),
    clients: settings.concurrentClients,
    wallSeconds: r2(wall),
    loginsPerSecond: r2(done.length / wall),
    loginP50: r1(median(done.map((l) => l.totalMs))),
    loginP99: r1(quantile(done.map((l) => l.totalMs), 0.99)),
    callbackP50: r1(median(done.map((l) => l.callbackMs))),
    callbackP99: r1(quantile(done.map((l) => l.callbackMs), 0.99)),
    cpuSeconds: { app: r2(appCpu), is: r2(isCpu), benchClient: r2((me.user + me.system) / 1e6) },
    cpuMsPerLogin: { app: r1((appCpu * 1000) / Math.max(1, done.length)), is: r1((isCpu * 1000) / Math.max(1, done.length)) },
    appShareOfAppPlusIs: r2(appCpu / (appCpu + isCpu)),
    backchannelPerLogin: r2(BACKCHANNEL.reduce((a, k) => a + (counts[k] || 0), 0) / Math.max(1, done.length)),
  }
}
