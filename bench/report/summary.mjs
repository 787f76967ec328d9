/**
 * The bench report's head: run facts and the peer comparison table (myclinic / peer, with 95 %
 * bootstrap intervals), assembled from every section's results.
 */
import { PROBE_PATH } from '../lib/config.mjs'
import { r2, r3 } from '../lib/stats.mjs'
import { ratio, table } from './markdown.mjs'

/** The run's command, machine and settings. */
export function renderHead(r) {
  const m = r.machine
  const s = r.settings
  return [
    `Command: \`${m.command}\` · ${m.date} · git ${m.gitHead} · ${r.durationSeconds} s`,
    '',
    `Machine: ${m.cpu}, ${m.cores} cores, ${m.ramGiB} GiB RAM, Node ${m.node}, Next ${m.next}, ${m.os}. Servers, IS and load generator share the same cores.`,
    `Settings: ${s.pairs} pairs × ${s.pairSeconds} s per comparison, ${s.connections} connections, ${s.logins} logins per library, ${s.profileLogins} profiled callbacks${s.smoke ? ' — **BENCH_SMOKE=1: a check that the bench runs, not figures**' : ''}. Build: ${r.build.built ? `rebuilt (${r.build.seconds} s)` : 'reused .next'}.`,
  ].join('\n')
}

/** One row of the comparison table from a pair comparison's ratio. */
const row = (label, ci, mine, theirs, unit) => [label, ratio(ci), `${mine} ${unit}`, `${theirs} ${unit}`]

/** Ratio of two plain numbers. */
const plain = (a, b) => ({ estimate: a / b, lo: NaN, hi: NaN })

/** The comparison rows for one peer. */
function peerRows(r, id) {
  const rows = []
  const pages = r.peerPages?.[id]
  if (pages) {
    rows.push(row('guarded page `/`: throughput (req/s)', pages.page.rpsRatio, pages.page.a.rps, pages.page.b.rps, 'req/s'))
    rows.push(row('guarded page `/`: server CPU per request', pages.page.cpuRatio, pages.page.a.cpuUsPerRequest, pages.page.b.cpuUsPerRequest, 'µs'))
    rows.push(row(`middleware + static 404 (\`${PROBE_PATH}\`): server CPU per request`, pages.probe.cpuRatio, pages.probe.a.cpuUsPerRequest, pages.probe.b.cpuUsPerRequest, 'µs'))
  }
  const lr = r.logins?.ratios?.[id]
  if (lr) {
    const mine = r.logins.libraries.myclinic
    const theirs = r.logins.libraries[id]
    rows.push(row('app CPU per login callback (median)', lr.callbackCpu, r2(mine.callbackCpuMs.median), r2(theirs.callbackCpuMs.median), 'ms'))
    rows.push(row('app CPU per whole login (start + callback, median)', lr.loginCpu, r2(mine.loginCpuMs.median), r2(theirs.loginCpuMs.median), 'ms'))
    rows.push(row('callback latency (median)', lr.callbackMs, r2(mine.callbackMs.median), r2(theirs.callbackMs.median), 'ms'))
  }
  if (r.session) {
    for (const set of ['default', 'large']) {
      const mine = r.session[set].myclinic
      const theirs = r.session[set][id]
      if (theirs) rows.push(row(`session Cookie header, ${set} token set`, plain(mine.cookieHeaderBytes, theirs.cookieHeaderBytes), mine.cookieHeaderBytes, theirs.cookieHeaderBytes, 'B'))
    }
    const lp = r.session.largePage?.[id]
    if (lp) rows.push(row('guarded page `/` with the large token set: server CPU per request', lp.cpuRatio, lp.a.cpuUsPerRequest, lp.b.cpuUsPerRequest, 'µs'))
  }
  const mw = r.middlewareSize
  if (mw?.peers?.[id]) {
    rows.push(row('middleware bundle, gzip -9', plain(mw.app.gzipConcat, mw.peers[id].gzipConcat), mw.app.gzipConcat, mw.peers[id].gzipConcat, 'B'))
    rows.push(row('middleware bundle added over an empty middleware, gzip -9', plain(mw.added.gzipConcat, mw.peers[id].added.gzipConcat), mw.added.gzipConcat, mw.peers[id].added.gzipConcat, 'B'))
  }
  return rows
}

/** The summary: one table per peer. */
export function renderPeerSummary(r) {
  const lines = ['## Peers: myclinic / peer on the same IS, the same page, the same run', '']
  lines.push('Each figure is a ratio **myclinic / peer** with its 95 % bootstrap interval in brackets (percentile bootstrap of the median of the per-pair ratios for alternating runs; of the ratio of the medians for the interleaved logins). For throughput above 1 is better for myclinic; for CPU, latency and bytes below 1 is. Byte counts are exact (no interval).')
  lines.push('')
  for (const [id, label] of Object.entries(r.peerLabels ?? {})) {
    lines.push(`### myclinic / ${label}`, '')
    lines.push(table(['measure', 'myclinic / peer [95 % CI]', 'myclinic', 'peer'], peerRows(r, id)))
    lines.push('')
    const pages = r.peerPages?.[id]
    if (pages) lines.push(`Page bytes: myclinic ${pages.pageBytes.myclinic}, peer ${pages.pageBytes.peer} (myclinic's dashboard has the design system; the peer's page shows the same data without it). Set-Cookie headers per page request: myclinic ${pages.setCookiesPerRequest.myclinic}, peer ${pages.setCookiesPerRequest.peer}.`, '')
  }
  for (const [id, reason] of Object.entries(r.peerFailures ?? {})) lines.push(`- **${id} could not be measured:** ${reason}`)
  return lines.join('\n')
}

export { r3 }
