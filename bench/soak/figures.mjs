/**
 * The soak's figures and its verdict per goal, from the recorded events, sessions, outages and
 * RSS samples. Pure: no I/O.
 */
import { quantile, r1 } from '../lib/stats.mjs'

/** Whether an event's request overlaps an outage window widened by graceMs after its end. */
function inOutage(e, outages, graceMs) {
  return outages.find((o) => e.t1 >= o.from && e.t0 <= o.to + graceMs)
}

/** Responses by status (and error code) per phase. */
function byStatus(events) {
  const out = {}
  for (const e of events) {
    const key = e.status === undefined ? `network (${e.error})` : e.code ? `${e.status} ${e.code}` : String(e.status)
    out[e.phase] ??= {}
    out[e.phase][key] = (out[e.phase][key] ?? 0) + 1
  }
  return out
}

/**
 * The logins an IS restart interrupted: the IS died after the login started and before its
 * callback was answered, so the code (issued by the old IS) could not be redeemed at the new one.
 */
function interruptedLogins(rec, outages) {
  const restarts = outages.filter((o) => o.what === 'is')
  return new Set(rec.loginFailures.filter((f) => f.callbackAt && restarts.some((o) => o.from >= f.startedAt && o.from <= f.failedAt)).map((f) => f.id))
}

/**
 * Error answers and failed logins, each allowed or not. Allowed: a coded 502/503 page whose
 * request overlaps an outage; a coded error page for the callback of an interrupted login; a
 * login that could not reach the IS while it was down. Everything else is a failure.
 */
function classifyErrors(rec, outages, graceMs) {
  const interrupted = interruptedLogins(rec, outages)
  const allowed = []
  const bad = []
  for (const e of rec.events.filter((x) => x.outcome === 'error' || x.outcome === 'network')) {
    const outage = inOutage(e, outages, graceMs)
    const coded502or503 = Boolean(e.code) && (e.status === 502 || e.status === 503)
    const interruptedCallback = e.kind === 'callback' && Boolean(e.code) && interrupted.has(e.login)
    if ((outage && coded502or503) || interruptedCallback) allowed.push({ ...e, outage: outage?.what ?? 'is', interrupted: interruptedCallback })
    else bad.push({ ...e, outage: outage?.what ?? null })
  }
  for (const f of rec.loginFailures.filter((x) => x.stage === 'is' || x.stage === 'unknown')) {
    const e = { kind: `login ${f.stage}`, t0: f.startedAt, t1: f.failedAt, message: f.message }
    const outage = f.stage === 'is' && inOutage(e, outages.filter((o) => o.what === 'is'), graceMs)
    ;(outage ? allowed : bad).push({ ...e, outage: outage ? 'is' : null })
  }
  return { allowed, bad, interrupted: interrupted.size }
}

/** Latency percentiles (ms) of one kind of event in the main phase. */
function latency(events, kinds) {
  const ms = events.filter((e) => e.phase === 'main' && kinds.includes(e.kind) && e.outcome === 'ok').map((e) => e.ms ?? e.t1 - e.t0)
  return { n: ms.length, p50: r1(quantile(ms, 0.5)), p99: r1(quantile(ms, 0.99)) }
}

/**
 * @param {{ rec: any, outages: any[], rss: { warm: number[], end: number[], peak: number[] }, settings: any, mainSeconds: number, redisKeys: any }} input
 */
export function computeFigures({ rec, outages, rss, settings, mainSeconds, redisKeys }) {
  const errors = classifyErrors(rec, outages, settings.graceMs)
  const five00 = rec.events.filter((e) => e.status === 500).length
  const lost = rec.sessions.filter((s) => s.lostAt)
  const growth = rss.warm.map((w, i) => (rss.end[i] - w) / w)
  const main = rec.events.filter((e) => e.phase === 'main')
  const figures = {
    statuses: byStatus(rec.events),
    sessions: { total: rec.sessions.length, valid: rec.sessions.filter((s) => s.validAt).length, lost: lost.length, recovered: lost.filter((s) => s.recoveredAt).length, neverValid: rec.sessions.filter((s) => !s.validAt).length },
    logins: { ...rec.logins, failures: rec.loginFailures.length, perSecondMain: r1(main.filter((e) => e.kind === 'callback' && e.outcome === 'ok').length / mainSeconds) },
    readsPerSecondMain: r1(main.filter((e) => e.kind === 'read').length / mainSeconds),
    latency: { read: latency(rec.events, ['read']), callback: latency(rec.events, ['callback']), loginStart: latency(rec.events, ['start']) },
    errors: { allowed: errors.allowed.length, allowedByKind: countBy(errors.allowed), bad: errors.bad.length, badByKind: countBy(errors.bad), badSamples: errors.bad.slice(0, 10), interruptedLogins: errors.interrupted },
    outages: outages.map((o) => ({ ...o, ms: o.to - o.from })),
    redisKeys,
    rss: { warmMiB: rss.warm.map(mib), endMiB: rss.end.map(mib), peakMiB: rss.peak.map(mib), growthPct: growth.map((g) => r1(g * 100)) },
  }
  figures.goals = [
    { goal: 'no 500 responses', ok: five00 === 0, value: `${five00} × 500` },
    { goal: 'no session lost (valid before, anonymous after, no logout or expiry)', ok: lost.length === 0 && figures.sessions.neverValid === 0, value: `${lost.length} lost (${figures.sessions.recovered} of them valid again later), ${figures.sessions.neverValid} never valid` },
    { goal: 'errors only as coded 502/503 pages during an outage', ok: errors.bad.length === 0, value: `${errors.bad.length} other errors; ${errors.allowed.length} allowed during the outages` },
    { goal: `RSS growth after warm-up < ${settings.maxRssGrowth * 100} % (each instance)`, ok: growth.every((g) => g < settings.maxRssGrowth), value: figures.rss.growthPct.map((g) => `${g} %`).join(', ') },
  ]
  figures.ok = figures.goals.every((g) => g.ok)
  return figures
}

const mib = (b) => r1(b / 1024 / 1024)

/** Counts of "status code" labels. */
function countBy(list) {
  const out = {}
  for (const e of list) {
    const what = e.status ? `${e.status}${e.code ? ` ${e.code}` : ' (no data-error-code)'}` : e.kind.startsWith('login') ? 'IS not reachable by the browser' : `no answer (${e.error ?? ''})`
    const k = `${e.kind}: ${what}${e.interrupted ? ' (code issued by the IS before its restart)' : ''}${e.outage ? ` — during the ${e.outage} outage` : ''}`
    out[k] = (out[k] ?? 0) + 1
  }
  return out
}
