/**
 * Section 2: cost per login, for myclinic and each peer on the same IS, logins alternated
 * (myclinic, peer 1, peer 2, myclinic, ...). Per login: the app's CPU during its own steps (start
 * and callback) from /proc schedstat, the callback's wall time, and the IS's CPU. Then, per
 * library, its back-channel calls per login (from the IS request log), myclinic's callback
 * timeline, and callbacks after an idle pause (a new TLS connection to the IS).
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { createSecureContext, rootCertificates } from 'node:tls'
import { APP, PORTS, ROOT, UNGUARDED } from '../lib/config.mjs'
import { loopbackAgent } from '../lib/http-client.mjs'
import { login } from '../lib/login.mjs'
import { sleep, stopChild } from '../lib/procs.mjs'
import { allowMyclinicCallbacks, startApp } from '../lib/servers.mjs'
import { median, r1, r2 } from '../lib/stats.mjs'
import { compareSamples, describe } from '../lib/compare.mjs'

/** What an IS request log entry is. */
export function classify(path) {
  if (path.endsWith('/.well-known/openid-configuration')) return 'discovery'
  for (const kind of ['token', 'userinfo', 'jwks', 'revoke', 'introspect']) if (path.endsWith(`/oauth2/${kind}`)) return kind
  return 'front-channel'
}
export const BACKCHANNEL = ['token', 'userinfo', 'jwks', 'discovery', 'revoke', 'introspect']

/**
 * @typedef {object} LoginTarget
 * @property {string} id
 * @property {string} label
 * @property {string} origin
 * @property {keyof import('../lib/login.mjs').FLOWS} flow
 * @property {{ cpuNs: () => number }} sampler the app's tree
 */

/** N rounds, each one login per target in turn. */
async function alternatingLogins(targets, isOrigin, isSampler, n, log) {
  const agents = new Map(targets.map((t) => [t.id, loopbackAgent()]))
  const samples = Object.fromEntries(targets.map((t) => [t.id, []]))
  try {
    for (let i = 0; i < n; i++) {
      for (const t of targets) {
        const is0 = isSampler.cpuNs()
        const l = await login({ origin: t.origin, flow: t.flow, isOrigin }, { agent: agents.get(t.id), sampler: t.sampler.cpuNs })
        samples[t.id].push({ ...l, browser: undefined, isCpuNs: isSampler.cpuNs() - is0 })
      }
      if ((i + 1) % 20 === 0) log(`  ${i + 1}/${n} rounds`)
    }
  } finally {
    await Promise.all([...agents.values()].map((a) => a.close()))
  }
  return samples
}

/** Back-channel requests per login of one library: a batch of logins with a clean IS log. */
async function backchannelPerLogin(target, ctx, n = 5) {
  await ctx.control.call('DELETE', '/__test/log')
  for (let i = 0; i < n; i++) await login({ origin: target.origin, flow: target.flow, isOrigin: ctx.is.origin })
  const entries = await ctx.control.call('GET', '/__test/log')
  const counts = {}
  for (const e of entries) counts[classify(e.path)] = (counts[classify(e.path)] || 0) + 1
  const perLogin = Object.fromEntries(BACKCHANNEL.map((k) => [k, r2((counts[k] || 0) / n)]))
  return { n, perLogin, total: r2(BACKCHANNEL.reduce((a, k) => a + (counts[k] || 0), 0) / n), frontChannel: r2((counts['front-channel'] || 0) / n) }
}

/** myclinic's callback timeline from the IS log: callback start → token request → userinfo → answer. */
async function callbackTimeline(target, ctx, n = 20) {
  await ctx.control.call('DELETE', '/__test/log')
  const logins = []
  for (let i = 0; i < n; i++) logins.push(await login({ origin: target.origin, flow: target.flow, isOrigin: ctx.is.origin }))
  const log = await ctx.control.call('GET', '/__test/log')
  const tl = { beforeToken: [], tokenToUserinfo: [], afterUserinfo: [] }
  for (const l of logins) {
    const ti = log.findIndex((e) => classify(e.path) === 'token' && e.body?.code === l.code)
    const ui = ti < 0 ? -1 : log.findIndex((e, i) => i > ti && classify(e.path) === 'userinfo')
    if (ui < 0) continue
    const tToken = Date.parse(log[ti].t)
    const tUser = Date.parse(log[ui].t)
    tl.beforeToken.push(tToken - l.callbackStart)
    tl.tokenToUserinfo.push(tUser - tToken)
    tl.afterUserinfo.push(l.callbackEnd - tUser)
  }
  return { n: tl.beforeToken.length, beforeTokenP50: r1(median(tl.beforeToken)), tokenToUserinfoP50: r1(median(tl.tokenToUserinfo)), afterUserinfoP50: r1(median(tl.afterUserinfo)) }
}

/** Callbacks after 6 s idle: the app's keep-alive connection to the IS is gone, so it opens a new one. */
async function coldCallbacks(target, ctx, n) {
  const out = []
  for (let i = 0; i < n; i++) {
    await sleep(6000)
    const l = await login({ origin: target.origin, flow: target.flow, isOrigin: ctx.is.origin }, { sampler: target.sampler.cpuNs })
    out.push({ ms: r2(l.callbackMs), cpuMs: r2(l.callbackCpuNs / 1e6) })
  }
  return out
}

/** What building a TLS SecureContext costs with all public roots plus the IS certificate, vs the IS certificate alone. */
function secureContextCost() {
  const isPem = readFileSync(join(ROOT, 'certs/local-is.crt'), 'utf8')
  const ms = (ca) => {
    for (let i = 0; i < 3; i++) createSecureContext({ ca })
    const t = performance.now()
    for (let i = 0; i < 20; i++) createSecureContext({ ca })
    return r2((performance.now() - t) / 20)
  }
  return { caCount: rootCertificates.length + 1, msAllRootsPlusIs: ms([...rootCertificates, isPem]), msIsOnly: ms([isPem]) }
}

/**
 * myclinic with `AUTH_USERINFO=off` (attributes from the ID token, no userinfo call) against the
 * default, alternated, in a second instance of the same build.
 */
async function withoutUserinfo(ctx, n) {
  const origin = `https://localhost:${PORTS.noUserinfo}`
  const app = await startApp({ name: 'app-no-userinfo', port: PORTS.noUserinfo, origin, isOrigin: ctx.is.origin, extra: { AUTH_USERINFO: 'off' } })
  try {
    await allowMyclinicCallbacks(ctx.control, [APP, UNGUARDED, origin])
    const variant = { id: 'no-userinfo', label: 'myclinic, AUTH_USERINFO=off', origin, flow: 'myclinic', sampler: app.sampler }
    for (let i = 0; i < 15; i++) await login({ origin, flow: 'myclinic', isOrigin: ctx.is.origin })
    const [mine] = ctx.targets
    const samples = await alternatingLogins([mine, variant], ctx.is.origin, ctx.is.sampler, n, () => {})
    const cpu = (id) => samples[id].map((l) => l.callbackCpuNs)
    return {
      n,
      defaultCallbackCpuMs: describe(cpu(mine.id).map((v) => v / 1e6)),
      callbackCpuMs: describe(cpu(variant.id).map((v) => v / 1e6)),
      ratio: compareSamples(cpu(variant.id), cpu(mine.id)).ratio,
      backchannel: await backchannelPerLogin(variant, ctx),
    }
  } finally {
    await stopChild(app.proc)
    await allowMyclinicCallbacks(ctx.control, [APP, UNGUARDED])
  }
}

/** Figures of one library's logins (ms). */
function summarizeLogins(samples) {
  const ms = (key) => describe(samples.map((l) => l[key] / 1e6))
  return {
    n: samples.length,
    callbackCpuMs: ms('callbackCpuNs'),
    startCpuMs: ms('startCpuNs'),
    loginCpuMs: ms('loginCpuNs'),
    isCpuMs: ms('isCpuNs'),
    callbackMs: describe(samples.map((l) => l.callbackMs)),
    startMs: describe(samples.map((l) => l.startMs)),
    totalMs: describe(samples.map((l) => l.totalMs)),
    isRequests: samples[0]?.isRequests,
    consentShown: samples.some((l) => l.consentShown),
  }
}

/**
 * @param {{ settings: any, log: (s: string) => void, control: any, is: any, targets: LoginTarget[] }} ctx targets[0] is myclinic
 */
export async function runLogins(ctx) {
  const { targets, settings, log } = ctx
  log(`2. ${settings.logins} logins per library, alternated: ${targets.map((t) => t.id).join(', ')}`)
  const samples = await alternatingLogins(targets, ctx.is.origin, ctx.is.sampler, settings.logins, log)
  const libraries = {}
  for (const t of targets) {
    libraries[t.id] = { label: t.label, ...summarizeLogins(samples[t.id]), backchannel: await backchannelPerLogin(t, ctx) }
  }
  const [mine, ...peers] = targets
  const ratios = Object.fromEntries(peers.map((p) => [p.id, {
    callbackCpu: compareSamples(samples[mine.id].map((l) => l.callbackCpuNs), samples[p.id].map((l) => l.callbackCpuNs)).ratio,
    loginCpu: compareSamples(samples[mine.id].map((l) => l.loginCpuNs), samples[p.id].map((l) => l.loginCpuNs)).ratio,
    callbackMs: compareSamples(samples[mine.id].map((l) => l.callbackMs), samples[p.id].map((l) => l.callbackMs)).ratio,
  }]))
  log('   myclinic callback timeline and cold callbacks')
  const timeline = await callbackTimeline(mine, ctx, settings.smoke ? 3 : 20)
  const cold = await coldCallbacks(mine, ctx, settings.smoke ? 1 : 4)
  log('   myclinic with AUTH_USERINFO=off, alternated with the default')
  const noUserinfo = await withoutUserinfo(ctx, settings.smoke ? 2 : Math.min(40, settings.logins))
  return { libraries, ratios, timeline, cold, noUserinfo, coldCallbackP50: r2(median(cold.map((c) => c.ms))), secureContext: secureContextCost(), target: { callbackCpuMs: 5 } }
}
