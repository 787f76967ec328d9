/**
 * `npm run soak`: reliability under load, bounded (≤ 5 minutes, stops by itself), loopback only.
 * Two myclinic instances behind a round-robin proxy share a real redis-server; signed-in sessions
 * read the dashboard while new logins arrive; the IS and Redis are each restarted once. Prints the
 * figures, writes the `soak` block of bench/results.md, and exits 0 only when every goal holds
 * (1 when a goal is not met, 2 when the soak itself could not run).
 * See bench/README.md ("Soak") for the goals, the pacing and the environment variables.
 */
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import os from 'node:os'
import { BENCH_DIR, ROOT } from './lib/config.mjs'
import { buildAppIfStale } from './lib/build.mjs'
import { machineInfo } from './lib/machine.mjs'
import { childOutputs, installCleanup, removeTempDirs, requireFreePorts, sleep, stopAll } from './lib/procs.mjs'
import { median, r1, r2 } from './lib/stats.mjs'
import { machineBusySeconds } from './lib/proc-stats.mjs'
import { writeBlock } from './report/markdown.mjs'
import { startCluster } from './soak/cluster.mjs'
import { computeFigures } from './soak/figures.mjs'
import { renderSoak } from './soak/report.mjs'
import { SOAK, SOAK_PORTS } from './soak/settings.mjs'
import { createRecorder, finalSweep, initialSessions, startLogins, startReaders } from './soak/traffic.mjs'

const log = (...a) => console.log('[soak]', ...a)

/** The load for `seconds`, with the restarts at their fixed times when `restarts` is given. */
async function loadPhase(rec, sessions, seconds, restarts) {
  rec.stopped = false
  const readers = startReaders(rec, sessions, (SOAK.sessions / SOAK.readsPerSecond) * 1000)
  const logins = startLogins(rec, SOAK.loginsPerSecond)
  const timers = (restarts ?? []).map(({ at, run }) => sleep(at * 1000).then(run))
  await sleep(seconds * 1000)
  await Promise.all(timers)
  rec.stopped = true
  await Promise.all([readers, logins])
}

/** The measured phase: load, IS restart at 1/3, Redis restart at 2/3. */
async function measuredPhase(rec, cluster, sessions) {
  rec.phase = 'main'
  const restart = (what, fn) => async () => {
    log(`restarting ${what}`)
    await fn()
    const o = cluster.outages.at(-1)
    log(`${what} back after ${o.to - o.from} ms`)
  }
  await loadPhase(rec, sessions, SOAK.seconds, [
    { at: SOAK.seconds * SOAK.isRestartAt, run: restart('the IS', cluster.restartIs) },
    { at: SOAK.seconds * SOAK.redisRestartAt, run: restart('redis-server', cluster.restartRedis) },
  ])
}

/**
 * RSS of each instance once a second, tagged with the phase. `settled(phase)`: per instance the
 * median of the phase's last 5 samples (one sample can catch a transient peak before a GC);
 * `peak(phase)`: the largest sample.
 */
function sampleRss(cluster, rec) {
  const samples = []
  const timer = setInterval(() => samples.push({ phase: rec.phase, rss: cluster.rss() }), 1000)
  const of = (phase) => samples.filter((x) => x.phase === phase)
  return {
    settled: (phase) => cluster.apps.map((_, i) => median(of(phase).slice(-5).map((x) => x.rss[i]))),
    peak: (phase) => cluster.apps.map((_, i) => Math.max(...of(phase).map((x) => x.rss[i]))),
    stop: () => clearInterval(timer),
  }
}

/** Lines of the instances' logs that mention auth, errors or warnings (first 5 distinct per instance). */
function appLogNotes(cluster) {
  return cluster.apps.flatMap((a) => {
    const lines = [...new Set(a.proc.output().split('\n').filter((l) => /\[auth\]|error|warn/i.test(l)).map((l) => l.trim().slice(0, 200)))].slice(0, 5)
    return lines.length ? [`${a.proc.name} log: ${lines.map((l) => `\`${l}\``).join('; ')}`] : []
  })
}

/** Cores used by each component between two readings, and by everything else on the machine. */
function cpuShares(a, b) {
  const wall = (b.t - a.t) / 1000
  const cores = {}
  for (const k of ['apps', 'proxy', 'is', 'redis', 'soak']) cores[k] = r2((b[k] - a[k]) / 1e9 / wall)
  const ours = Object.values(cores).reduce((x, y) => x + y, 0)
  cores.machine = r2((b.busy - a.busy) / wall)
  cores.others = r2(Math.max(0, cores.machine - ours))
  return cores
}

/** Everything from the build to the figures. */
async function soak() {
  const t0 = Date.now()
  requireFreePorts([SOAK_PORTS.is, SOAK_PORTS.proxy, SOAK_PORTS.redis, ...SOAK_PORTS.apps])
  buildAppIfStale(ROOT, { skip: process.env.BENCH_SKIP_BUILD === '1', log })
  const cluster = await startCluster(log)
  const rec = createRecorder()
  log(`logging in ${SOAK.sessions} sessions`)
  rec.phase = 'warm-up'
  const sessions = await initialSessions(rec, SOAK.sessions)
  log(`warm-up: ${SOAK.warmUpSeconds} s of load`)
  const rssSamples = sampleRss(cluster, rec)
  await loadPhase(rec, sessions, SOAK.warmUpSeconds)
  const rss = { warm: rssSamples.settled('warm-up') }
  const cpu0 = { ...cluster.cpuNs(), busy: machineBusySeconds(), t: Date.now() }
  log(`measured phase: ${SOAK.seconds} s (${SOAK.readsPerSecond} reads/s over ${sessions.length} sessions + ${SOAK.loginsPerSecond} logins/s)`)
  await measuredPhase(rec, cluster, sessions)
  rss.end = rssSamples.settled('main')
  rss.peak = rssSamples.peak('main')
  rssSamples.stop()
  const cpu = cpuShares(cpu0, { ...cluster.cpuNs(), busy: machineBusySeconds(), t: Date.now() })
  log(`final check of ${rec.sessions.length} sessions`)
  await finalSweep(rec)
  const figures = computeFigures({ rec, outages: cluster.outages, rss, settings: SOAK, mainSeconds: SOAK.seconds, redisKeys: cluster.redisKeys })
  figures.cpu = cpu
  figures.notes = appLogNotes(cluster)
  await cluster.is.control.close()
  await rec.agent.close()
  return { figures, durationSeconds: r1((Date.now() - t0) / 1000) }
}

/** Stops everything after the hard limit, whatever is running. */
function watchdog() {
  const timer = setTimeout(() => {
    console.error(`[soak] still running after ${SOAK.hardLimitSeconds} s: stopping`)
    console.error(childOutputs())
    stopAll().finally(() => {
      removeTempDirs()
      process.exit(2)
    })
  }, SOAK.hardLimitSeconds * 1000)
  timer.unref()
}

installCleanup('soak')
watchdog()
/** 0: every goal met; 1: the soak ran and a goal was not met; 2: the soak itself failed (or hit its time limit). */
let exitCode = 2
try {
  const startedAt = new Date().toISOString()
  const { figures, durationSeconds } = await soak()
  await stopAll()
  const md = renderSoak(figures, { settings: SOAK, startedAt, gitHead: machineInfo(ROOT, 'npm run soak').gitHead, durationSeconds, cores: os.cpus().length })
  mkdirSync(SOAK.outDir || BENCH_DIR, { recursive: true })
  writeBlock(join(SOAK.outDir || BENCH_DIR, 'results.md'), 'soak', md)
  console.log('\n' + md + '\n')
  exitCode = figures.ok ? 0 : 1
  if (figures.errors.bad) log('first errors that break the goals:', JSON.stringify(figures.errors.badSamples, null, 1))
  log(figures.ok ? 'all goals met' : 'goals NOT met')
} catch (error) {
  console.error('[soak] failed:', error?.stack || error)
  console.error(childOutputs())
} finally {
  await stopAll()
  removeTempDirs()
}
process.exit(exitCode)
