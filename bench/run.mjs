/**
 * `npm run bench`: performance of myclinic's auth layer on the local WSO2 IS stand-in, and the
 * same work on peer libraries (bench/peers/*), in one run. See bench/README.md.
 *
 *   1. guard cost: the app vs an unguarded build of itself (sections/guard.mjs)
 *   2. cost per login, myclinic and peers alternated (sections/logins.mjs)
 *   3. session cookie size, default and large token sets (sections/session.mjs)
 *   4. edge middleware size (sections/middleware.mjs)
 *   5. login throughput (sections/throughput.mjs)
 *   6. peers: the guarded page and the middleware alone, alternating pairs (sections/peers.mjs)
 *   7. --cpu-prof of the login callback (sections/profile.mjs)
 *
 * Writes bench/results.json and the block between `<!-- bench:start -->` and `<!-- bench:end -->`
 * in bench/results.md (BENCH_OUT_DIR elsewhere). Nothing here is imported by the app or the tests.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { APP, BENCH_DIR, PORTS, ROOT, SETTINGS, UNGUARDED } from './lib/config.mjs'
import { buildAppIfStale, buildUnguardedCopy, middlewareSize } from './lib/build.mjs'
import { isControl } from './lib/http-client.mjs'
import { closePools } from './lib/load.mjs'
import { login } from './lib/login.mjs'
import { machineInfo } from './lib/machine.mjs'
import { PEERS, preparePeer, startPeer } from './lib/peers.mjs'
import { childOutputs, closeProbes, installCleanup, removeTempDirs, requireFreePorts, stopAll } from './lib/procs.mjs'
import { allowMyclinicCallbacks, allowPeerCallbacks, startApp, startIs } from './lib/servers.mjs'
import { r1 } from './lib/stats.mjs'
import { runGuard } from './sections/guard.mjs'
import { runLogins } from './sections/logins.mjs'
import { runMiddlewareSize } from './sections/middleware.mjs'
import { runPeerPages } from './sections/peers.mjs'
import { runProfile } from './sections/profile.mjs'
import { runSession } from './sections/session.mjs'
import { runThroughput } from './sections/throughput.mjs'
import { writeBlock } from './report/markdown.mjs'
import { renderHead, renderPeerSummary } from './report/summary.mjs'
import { renderGuard, renderLogins, renderMiddleware, renderProfile, renderSession, renderThroughput } from './report/sections.mjs'

const log = (...a) => console.log('[bench]', ...a)
const wants = (section) => SETTINGS.sections.includes(section)

/** Builds and installs everything before any server starts (nothing of ours competes for the CPU). */
function prepare(results) {
  requireFreePorts([PORTS.is, PORTS.app, PORTS.unguarded, PORTS.noUserinfo, ...SETTINGS.peers.map((id) => PEERS[id].port)])
  results.build = buildAppIfStale(ROOT, { skip: SETTINGS.skipBuild, log })
  const prepared = {}
  for (const id of SETTINGS.peers) {
    if (!PEERS[id]) throw new Error(`BENCH_PEERS: unknown peer ${id} (known: ${Object.keys(PEERS).join(', ')})`)
    try {
      prepared[id] = preparePeer(PEERS[id], log)
    } catch (e) {
      results.peerFailures[id] = e.message.split('\n')[0]
    }
  }
  results.peerVersions = Object.fromEntries(Object.entries(prepared).map(([id, p]) => [id, p.versions]))
  if (wants('middleware')) results.middlewareSize = { ...runMiddlewareSize({ log, peers: prepared }), nextVersion: results.machine.next }
  let copy
  if (wants('guard')) {
    log(`1. (prep) building the unguarded copy of the app`)
    copy = buildUnguardedCopy(ROOT, middlewareSize(ROOT).matchers)
  }
  return { prepared, copy }
}

/** Starts the IS, the app, the unguarded copy and the peers; lets the IS call all of them back. */
async function startServers(ctx, { prepared, copy }) {
  log('starting the local IS, the app' + (copy ? ', the unguarded copy' : '') + (Object.keys(prepared).length ? ` and ${Object.keys(prepared).join(', ')}` : ''))
  ctx.is = await startIs(PORTS.is)
  ctx.control = isControl(ctx.is.origin)
  ctx.app = await startApp({ port: PORTS.app, origin: APP, isOrigin: ctx.is.origin })
  if (copy) {
    ctx.unguarded = await startApp({ name: 'app-unguarded', dir: copy.dir, port: PORTS.unguarded, origin: UNGUARDED, isOrigin: ctx.is.origin })
    ctx.copyInfo = { buildSeconds: copy.seconds, matchers: copy.middleware.matchers, middlewareRaw: copy.middleware.raw }
  }
  ctx.peers = {}
  for (const id of Object.keys(prepared)) ctx.peers[id] = await startPeer(PEERS[id])
  await ctx.control.call('DELETE', '/__test/reset')
  await allowMyclinicCallbacks(ctx.control, [APP, UNGUARDED])
  await allowPeerCallbacks(ctx.control, Object.values(ctx.peers).map((p) => `${p.origin}${p.peer.callbackPath}`))
  ctx.targets = [
    { id: 'myclinic', label: 'myclinic', origin: APP, flow: 'myclinic', sampler: ctx.app.sampler },
    ...Object.values(ctx.peers).map((p) => ({ id: p.peer.id, label: p.peer.label, origin: p.origin, flow: p.peer.flow, sampler: p.sampler })),
  ]
}

/** JIT, route bundles, discovery and JWKS caches: a few logins per library. */
async function warmUpLogins(ctx) {
  log('warm-up logins')
  for (const t of ctx.targets) for (let i = 0; i < 5; i++) await login({ origin: t.origin, flow: t.flow, isOrigin: ctx.is.origin })
}

/** Runs the measured sections in an order that keeps every server warm and the profile last. */
async function runSections(ctx, results) {
  if (wants('login')) results.logins = await runLogins(ctx)
  if (wants('guard')) results.guard = await runGuard(ctx)
  if (wants('peers') && Object.keys(ctx.peers).length) results.peerPages = await runPeerPages(ctx)
  if (wants('session')) results.session = await runSession(ctx)
  if (wants('throughput')) results.throughput = await runThroughput(ctx)
  if (wants('profile')) results.profile = await runProfile(ctx)
}

/** The Markdown report. */
function render(r) {
  const parts = ['## Current run (generated by `npm run bench`)', '', renderHead(r), '']
  if (Object.keys(r.peerLabels).length || Object.keys(r.peerFailures).length) parts.push(renderPeerSummary(r), '')
  if (r.guard) parts.push(renderGuard(r.guard), '')
  if (r.logins) parts.push(renderLogins(r.logins), '')
  if (r.session) parts.push(renderSession(r.session), '')
  if (r.middlewareSize) parts.push(renderMiddleware(r.middlewareSize), '')
  if (r.throughput) parts.push(renderThroughput(r.throughput), '')
  if (r.profile) parts.push(renderProfile(r.profile), '')
  if (r.notes.length) parts.push('### Notes', '', ...r.notes.map((n) => `- ${n}`), '')
  return parts.join('\n')
}

/** results.json and the generated block of results.md. */
function writeOutputs(results) {
  const dir = SETTINGS.outDir || BENCH_DIR
  mkdirSync(dir, { recursive: true })
  writeFileSync(join(dir, 'results.json'), JSON.stringify(results, null, 2) + '\n')
  const md = render(results)
  writeBlock(join(dir, 'results.md'), 'bench', md)
  console.log('\n' + md)
  log(`wrote ${join(dir, 'results.md')} and results.json`)
}

/** Notes from the servers' logs: lines about auth, errors or warnings. */
function serverNotes(ctx, results) {
  for (const proc of [ctx.app?.proc, ctx.unguarded?.proc, ...Object.values(ctx.peers ?? {}).map((p) => p.proc)].filter(Boolean)) {
    const lines = proc.output().split('\n').filter((l) => /\[auth\]|error|warn/i.test(l) && !/allowInsecureRequests|deprecated/.test(l)).slice(0, 5)
    if (lines.length) results.notes.push(`${proc.name} log: ${JSON.stringify(lines)}`)
  }
}

async function main() {
  const t0 = performance.now()
  installCleanup('bench')
  const results = { machine: machineInfo(ROOT, 'npm run bench'), settings: SETTINGS, notes: [], peerFailures: {}, peerLabels: {} }
  const prep = prepare(results)
  const ctx = { settings: SETTINGS, log }
  await startServers(ctx, prep)
  results.peerLabels = Object.fromEntries(Object.values(ctx.peers).map((p) => [p.peer.id, p.peer.label]))
  await warmUpLogins(ctx)
  await runSections(ctx, results)
  serverNotes(ctx, results)
  await stopAll()
  removeTempDirs()
  results.durationSeconds = r1((performance.now() - t0) / 1000)
  writeOutputs(results)
  await ctx.control?.close()
}

let exitCode = 0
try {
  await main()
} catch (error) {
  console.error('[bench] failed:', error?.stack || error)
  console.error(childOutputs())
  exitCode = 1
} finally {
  await stopAll()
  removeTempDirs()
  await closePools()
  await closeProbes()
}
process.exit(exitCode)
