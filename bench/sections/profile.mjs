/**
 * Section 7: where the login callback's CPU goes. myclinic is restarted under
 * `node --cpu-prof --cpu-prof-interval=100` (a sample every 100 µs), logs in N times, and is
 * stopped (the profile is written at exit); the samples that fall inside the callback requests
 * (cut with the monotonic clock) give the self time per function and per package. Runs last:
 * it replaces the app process that the other sections measured.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import { join } from 'node:path'
import { APP, PORTS, ROOT } from '../lib/config.mjs'
import { loopbackAgent } from '../lib/http-client.mjs'
import { login } from '../lib/login.mjs'
import { stopChild } from '../lib/procs.mjs'
import { monotonicUs, readProfile, selfTimes, top } from '../lib/profile.mjs'
import { describe } from '../lib/compare.mjs'
import { startApp } from '../lib/servers.mjs'

/** N logins; returns the callback windows (monotonic µs) and the callbacks' CPU from /proc. */
async function profiledLogins(app, isOrigin, n) {
  const agent = loopbackAgent()
  const windows = []
  const cpu = []
  let begin = 0
  const mark = (stage, phase) => {
    if (stage !== 'callback') return
    if (phase === 'begin') begin = monotonicUs()
    else windows.push([begin, monotonicUs()])
  }
  try {
    for (let i = 0; i < 10; i++) await login({ origin: APP, flow: 'myclinic', isOrigin }, { agent })
    windows.length = 0
    for (let i = 0; i < n; i++) cpu.push((await login({ origin: APP, flow: 'myclinic', isOrigin }, { agent, mark, sampler: app.sampler.cpuNs })).callbackCpuNs / 1e6)
  } finally {
    await agent.close()
  }
  return { windows, cpu }
}

/**
 * @param {{ settings: any, log: (s: string) => void, is: any, app: any }} ctx ctx.app is stopped and replaced
 */
export async function runProfile(ctx) {
  const n = ctx.settings.profileLogins
  ctx.log(`7. --cpu-prof of ${n} login callbacks (the app restarted under the profiler)`)
  if (ctx.app?.proc.running()) await stopChild(ctx.app.proc)
  const keep = Boolean(ctx.settings.profileDir)
  const dir = keep ? ctx.settings.profileDir : mkdtempSync(join(os.tmpdir(), 'myclinic-cpu-prof-'))
  if (keep) mkdirSync(dir, { recursive: true })
  try {
    const app = await startApp({ name: 'app-profiled', port: PORTS.app, origin: APP, isOrigin: ctx.is.origin, nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${dir}`, '--cpu-prof-interval=100'] })
    ctx.app = app
    const { windows, cpu } = await profiledLogins(app, ctx.is.origin, n)
    await stopChild(app.proc, { graceMs: 15_000 })
    const times = selfTimes(readProfile(dir), { windows, root: ROOT })
    return {
      logins: n,
      intervalUs: 100,
      samples: times.samples,
      jsThreadMsPerCallback: Math.round(times.totalUs / n / 10) / 100,
      idleMsPerCallback: Math.round(times.idleUs / n / 10) / 100,
      callbackCpuMsUnderProfiler: describe(cpu),
      topFunctions: top(times.perFunction, times.totalUs, n, 15),
      // inclusive time of the project's own functions (lib/, app/): which step of the callback costs what
      topProjectInclusive: top(new Map([...times.inclusive].filter(([k]) => / (lib|app)\//.test(k))), times.totalUs, n, 15),
      topGroups: top(times.perGroup, times.totalUs, n, 10),
      topCallers: top(times.perCaller, times.totalUs, n, 12),
    }
  } finally {
    if (!keep) rmSync(dir, { recursive: true, force: true })
  }
}
