/**
 * The bench report's sections 1-5 and 7 (section 6, the peers, is in summary.mjs).
 */
import { PROBE_PATH } from '../lib/config.mjs'
import { r1, r2 } from '../lib/stats.mjs'
import { ci1, ci2, kb, ratio, resolvedWords, table } from './markdown.mjs'

/** A pair comparison as table rows: A and B medians with their run-to-run spread. */
function pairRows(c, nameA, nameB) {
  return [
    [nameA, c.a.rps, `±${c.a.rpsSpreadPct} %`, c.a.cpuUsPerRequest, `±${c.a.cpuSpreadPct} %`, c.a.p50, c.a.p99, c.a.serverCores, c.a.otherCoresMax, c.a.unexpected + c.a.errors],
    [nameB, c.b.rps, `±${c.b.rpsSpreadPct} %`, c.b.cpuUsPerRequest, `±${c.b.cpuSpreadPct} %`, c.b.p50, c.b.p99, c.b.serverCores, c.b.otherCoresMax, c.b.unexpected + c.b.errors],
  ]
}
const PAIR_HEAD = ['', 'req/s (median)', 'spread', 'server CPU µs/request (median)', 'spread', 'p50 ms', 'p99 ms', 'server cores', 'other processes, max cores', 'unexpected status + errors']

/** Section 1. */
export function renderGuard(g) {
  const lines = ['## 1. Guard cost', '']
  lines.push(`A = the app (guard in middleware.ts), B = a second production build of the whole app whose middleware.ts is a pass-through with the same matcher (built in a temp dir in ${g.copy.buildSeconds} s; matcher ${g.copy.matchers.map((m) => `\`${m}\``).join(', ')}). Same session cookie on both (minted again every 30 s, outside the windows). ${g.page.pairs} alternating pairs (A B, B A, …) of short closed-loop runs on persistent keep-alive connections; server CPU from /proc schedstat of each server's process tree (ns) over the window.`)
  lines.push('')
  for (const [title, c] of [['`/` (dashboard)', g.page], [`\`${PROBE_PATH}\` (middleware + static 404)`, g.probe]]) {
    lines.push(`### ${title}`, '')
    lines.push(table(PAIR_HEAD, pairRows(c, 'A guarded', 'B unguarded')))
    lines.push('')
    lines.push(`- Throughput A/B: **${ratio(c.rpsRatio)}** (median of ${c.pairs} pair ratios [95 % bootstrap CI]) — ${resolvedWords(c.rpsRatio)}.`)
    lines.push(`- Server CPU per request A/B: **${ratio(c.cpuRatio)}** — ${resolvedWords(c.cpuRatio)}.`)
    lines.push(`- **Guard's own cost: ${ci1(c.cpuDiffUs)} µs CPU per request** (median of the pair differences A − B [95 % CI]; mean ${ci1(c.cpuDiffMeanUs)} µs, t interval).`)
    lines.push(`- Pair ratios (CPU): ${c.perPair.map((p) => p.cpuRatio).join(' / ')}`)
    lines.push('')
  }
  const target = g.page.rpsRatio.lo >= g.target.ratio ? 'met' : g.page.rpsRatio.estimate >= g.target.ratio ? 'met by the estimate, not by the whole interval' : '**NOT met**'
  lines.push(`Target: guarded/unguarded throughput on \`/\` ≥ ${g.target.ratio}: ${target}.`)
  lines.push(`Without a cookie the app's middleware answers ${g.checks.appNoCookie.status} → ${g.checks.appNoCookie.location} (${g.checks.appNoCookie.bytes} bytes) at ${g.noCookie.rps} req/s, ${g.noCookie.cpuUsPerRequest} µs CPU/request; the probe answers ${g.checks.appProbe.status} on A and ${g.checks.copyProbe.status} on B. Cache-Control of \`/\`: A \`${g.checks.appPage.cacheControl}\`, B \`${g.checks.copyPage.cacheControl}\`.`)
  lines.push('')
  lines.push(renderUnseal(g.unseal, 'default'))
  return lines.join('\n')
}

/** The unseal micro-benchmark line. */
function renderUnseal(u, label) {
  if (!u?.ok) return `Unseal micro-benchmark (${label}): not run — ${u?.reason ?? 'no cookie'}.`
  return `Unseal micro-benchmark (${label}, in the bench process, N=${u.n}): iron-session unsealData of the real ${u.sealBytes}-byte seal ${u.unsealUs} µs wall / ${u.unsealCpuUs} µs CPU; sealData ${u.sealUs} µs. What a request pays when nothing is memoised.`
}

/** Section 2. */
export function renderLogins(l) {
  const lines = ['## 2. Cost per login', '']
  lines.push(`${l.libraries.myclinic.n} logins per library, alternated one by one (${Object.keys(l.libraries).join(', ')}), sequential, each a fresh cookie jar on a kept-alive connection; consent skipped. App CPU = the app's process tree (schedstat) during its own requests: start (myclinic GET /login; Auth.js GET /api/auth/csrf + POST /api/auth/signin/wso2; nextjs-auth0 GET /auth/login) and callback. Medians [95 % CI of the median], p90 in brackets after.`)
  lines.push('')
  const rows = Object.entries(l.libraries).map(([id, x]) => [
    x.label ?? id, ci2(x.callbackCpuMs.medianCi), r2(x.callbackCpuMs.p90), ci2(x.startCpuMs.medianCi), ci2(x.loginCpuMs.medianCi), ci2(x.callbackMs.medianCi), r2(x.callbackMs.p90), ci2(x.isCpuMs.medianCi), `${x.backchannel.total} (${Object.entries(x.backchannel.perLogin).filter(([, v]) => v).map(([k, v]) => `${k} ${v}`).join(', ')})`,
  ])
  lines.push(table(['library', 'callback app CPU ms', 'p90', 'start app CPU ms', 'whole login app CPU ms', 'callback latency ms', 'p90', 'IS CPU ms per login', 'back-channel calls per login'], rows))
  lines.push('')
  const mine = l.libraries.myclinic.callbackCpuMs
  lines.push(`Target: myclinic's login callback ≤ ${l.target.callbackCpuMs} ms of app CPU (median): ${mine.median <= l.target.callbackCpuMs ? 'met' : '**NOT met**'} (${r2(mine.median)} ms).`)
  lines.push(`myclinic callback timeline from the IS log (n=${l.timeline.n}, ms resolution): callback start → token request arrives ${l.timeline.beforeTokenP50} ms; token → userinfo arrives ${l.timeline.tokenToUserinfoP50} ms; userinfo → answer received ${l.timeline.afterUserinfoP50} ms.`)
  if (l.noUserinfo) {
    const v = l.noUserinfo
    lines.push(`With \`AUTH_USERINFO=off\` (attributes from the verified ID token, as the WSO2 Python SDK does; a second instance of the same build, ${v.n} logins alternated with the default): callback app CPU ${ci2(v.callbackCpuMs.medianCi)} ms against ${ci2(v.defaultCallbackCpuMs.medianCi)} ms, ratio ${ratio(v.ratio)}; ${v.backchannel.total} back-channel calls per login. Target ≤ ${l.target.callbackCpuMs} ms: ${v.callbackCpuMs.median <= l.target.callbackCpuMs ? 'met' : '**NOT met**'}.`)
  }
  lines.push(`Callbacks after 6 s idle (a new TLS connection to the IS): ${l.cold.map((c) => `${c.ms} ms / ${c.cpuMs} ms CPU`).join(', ')}. Building a TLS SecureContext from all ${l.secureContext.caCount} roots + the IS certificate costs ${l.secureContext.msAllRootsPlusIs} ms, from the IS certificate alone ${l.secureContext.msIsOnly} ms.`)
  return lines.join('\n')
}

/** Section 3. */
export function renderSession(s) {
  const lines = ['## 3. Session cookie size', '']
  const rows = []
  for (const set of ['default', 'large']) {
    for (const [id, c] of Object.entries(s[set])) rows.push([set === 'default' ? 'default (opaque access token)' : `JWT access token + ${s.extraClaims} claims of ~${s.charsPerClaim} chars`, id, c.cookies, c.valueBytes, c.setCookieBytes, c.cookieHeaderBytes])
  }
  lines.push(table(['token set', 'library', 'cookies', 'value bytes', 'Set-Cookie bytes', 'Cookie header bytes per request'], rows))
  lines.push('')
  lines.push('Set-Cookie bytes: the session cookies of the callback response (deletions of stale chunks left out); Cookie header: what every later request carries. myclinic counts `__Host-myclinic-session*` and `__Host-myclinic-activity`.')
  for (const [id, c] of Object.entries(s.largePage ?? {})) lines.push(`- \`/\` with the large session, myclinic / ${id}: server CPU per request ${ratio(c.cpuRatio)} (${c.a.cpuUsPerRequest} vs ${c.b.cpuUsPerRequest} µs, ${c.pairs} pairs), throughput ${ratio(c.rpsRatio)}.`)
  lines.push(`- ${renderUnseal(s.unseal.default, 'default set')}`)
  lines.push(`- ${renderUnseal(s.unseal.large, 'large set')}`)
  return lines.join('\n')
}

/** Section 4. */
export function renderMiddleware(m) {
  const rows = [
    ['myclinic middleware.ts (guard)', m.app.files, m.app.raw, m.app.gzipConcat, m.added.gzipConcat],
    ...Object.entries(m.peers).map(([id, p]) => [id, p.files, p.raw, p.gzipConcat, p.added.gzipConcat]),
    ['empty `export function middleware() {}`, same matcher', m.empty.files, m.empty.raw, m.empty.gzipConcat, 0],
  ]
  return ['## 4. Edge middleware size', '', table(['build', 'files', 'raw bytes', 'gzip -9 bytes', 'added over empty, gzip'], rows), '', `Files from .next/server/middleware-manifest.json (files + wasm + assets), concatenated then gzip -9. All built with Next ${m.nextVersion ?? ''}. myclinic adds ${kb(m.added.gzipConcat)} — target ≤ 20 KB: ${m.added.gzipConcat <= m.targetAddedGzip ? 'met' : '**NOT met**'}.`].join('\n')
}

/** Section 5. */
export function renderThroughput(t) {
  return ['## 5. Login throughput (myclinic)', '', `${t.logins} full logins (${t.failures} failed) by ${t.clients} concurrent clients in ${t.wallSeconds} s: **${t.loginsPerSecond} logins/s**; login p50 ${t.loginP50} ms, p99 ${t.loginP99} ms; callback p50 ${t.callbackP50} ms, p99 ${t.callbackP99} ms. CPU (schedstat, process trees): app ${t.cpuSeconds.app} s (${t.cpuMsPerLogin.app} ms/login), local IS ${t.cpuSeconds.is} s (${t.cpuMsPerLogin.is} ms/login), load generator ${t.cpuSeconds.benchClient} s; app share of app + IS ${Math.round(t.appShareOfAppPlusIs * 100)} %. Back-channel calls per login under load: ${t.backchannelPerLogin}.`].join('\n')
}

/** Section 7. */
export function renderProfile(p) {
  const lines = ['## 7. Where the callback CPU goes (--cpu-prof)', '']
  lines.push(`myclinic restarted under \`node --cpu-prof --cpu-prof-interval=${p.intervalUs}\`, 10 warm-up logins, then ${p.logins} logins; only samples inside the callback requests counted (${p.samples} samples). JS thread busy ${p.jsThreadMsPerCallback} ms per callback (idle ${p.idleMsPerCallback} ms, waiting for the IS); app CPU per callback under the profiler ${r2(p.callbackCpuMsUnderProfiler.median)} ms (median, all threads). Self time:`)
  lines.push('')
  lines.push(table(['function (file:line)', '% of busy', 'ms per callback'], p.topFunctions.map((f) => [`\`${f.name}\``, f.pct, f.msPerUnit])))
  lines.push('')
  lines.push(table(['package / area (self)', '% of busy', 'ms per callback'], p.topGroups.map((f) => [f.name, f.pct, f.msPerUnit])))
  lines.push('')
  lines.push('The same with Node\'s internals and native code charged to the package that called them (so WebCrypto counts for iron-webcrypto or jose, socket writes for undici or next):')
  lines.push('')
  lines.push(table(['package / area (charged)', '% of busy', 'ms per callback'], (p.topCallers ?? []).map((f) => [f.name, f.pct, f.msPerUnit])))
  lines.push('')
  lines.push('Inclusive time (self + callees) of the project\'s own functions, i.e. which step of the callback costs what:')
  lines.push('')
  lines.push(table(['function (file:line)', '% of busy', 'ms per callback'], (p.topProjectInclusive ?? []).map((f) => [`\`${f.name}\``, f.pct, f.msPerUnit])))
  return lines.join('\n')
}

export { r1 }
