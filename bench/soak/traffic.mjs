/**
 * The soak's traffic: signed-in sessions reading the dashboard at a steady pace, and a stream of
 * new logins, all through the proxy. Every app answer is recorded as an event; every session
 * keeps its own cookies and a state (valid once it rendered the dashboard, lost when it is
 * anonymous after that).
 */
import { performance } from 'node:perf_hooks'
import { errorCodeOf, loopbackAgent, newBrowser } from '../lib/http-client.mjs'
import { login, LoginError } from '../lib/login.mjs'
import { sleep } from '../lib/procs.mjs'
import { IS_ORIGIN, PROXY_ORIGIN } from './settings.mjs'

/**
 * @typedef {object} Event
 * @property {string} kind read | verify | final | start | callback
 * @property {string} phase warm-up | main | final
 * @property {number} t0 ms since the epoch
 * @property {number} t1
 * @property {number} [status] HTTP status (absent for network failures)
 * @property {string | null} [code] data-error-code of an error page
 * @property {string} outcome ok | anonymous | error | network | redirect
 * @property {number} [session]
 * @property {number} [login] the login attempt an answer belongs to
 */

/**
 * The shared recorder: events, sessions, and the current phase.
 */
export function createRecorder() {
  return {
    phase: 'setup',
    /** @type {Event[]} */
    events: [],
    /** @type {{ id: number, browser: ReturnType<typeof newBrowser>, validAt?: number, lostAt?: number, recoveredAt?: number, origin: string }[]} */
    sessions: [],
    /** Logins that did not end with a session. */
    loginFailures: [],
    logins: { started: 0, ok: 0 },
    agent: loopbackAgent({ connections: 96 }),
    stopped: false,
  }
}

/** What an answer to GET / means for a session. */
function classify(r) {
  if (r.status === 200 && r.text.includes('data-testid="greeting"')) return 'ok'
  if (r.status >= 300 && r.status < 400) {
    const to = new URL(r.location ?? '/', PROXY_ORIGIN)
    if (to.origin !== PROXY_ORIGIN || to.pathname.startsWith('/signin') || to.pathname === '/login') return 'anonymous'
    return 'redirect'
  }
  if (r.status === 200) return 'anonymous' // a sign-in page instead of the dashboard
  return 'error'
}

/**
 * One dashboard read of a session, following the app's own detours (e.g. /login/refresh) up to 3 hops.
 * @param {ReturnType<typeof createRecorder>} rec
 * @param {object} session
 * @param {string} kind
 */
export async function readDashboard(rec, session, kind) {
  let url = `${PROXY_ORIGIN}/`
  for (let hop = 0; hop < 4; hop++) {
    const t0 = Date.now()
    let r
    try {
      r = await session.browser.go(url)
    } catch (e) {
      rec.events.push({ kind, phase: rec.phase, t0, t1: Date.now(), outcome: 'network', error: e.code ?? e.message, session: session.id })
      return 'network'
    }
    const outcome = classify(r)
    const code = r.status >= 400 ? errorCodeOf(r.text) : null
    const detail = r.status >= 400 && !code ? `${r.headers['x-soak-proxy'] ? 'proxy: ' : ''}${r.text.slice(0, 120)}` : undefined
    rec.events.push({ kind, phase: rec.phase, t0, t1: Date.now(), ms: r.ms, status: r.status, code, detail, outcome, session: session.id })
    if (outcome !== 'redirect') return noteState(session, outcome, t0)
    url = new URL(r.location, url).href
  }
  return 'redirect'
}

/** Valid once it rendered; lost when anonymous after that (recovered if valid again later). */
function noteState(session, outcome, t) {
  if (outcome === 'ok') {
    session.validAt ??= t
    if (session.lostAt && !session.recoveredAt) session.recoveredAt = t
  } else if (outcome === 'anonymous' && session.validAt && !session.lostAt) {
    session.lostAt = t
  }
  return outcome
}

/**
 * One login through the proxy; on success the session is verified by a read and kept.
 * @param {ReturnType<typeof createRecorder>} rec
 */
export async function loginOnce(rec) {
  const attempt = { id: rec.logins.started++, startedAt: Date.now(), callbackAt: 0 }
  const onResponse = (r) => rec.events.push({ kind: r.stage, phase: rec.phase, t0: r.t0, t1: r.t0 + r.ms, ms: r.ms, status: r.status, code: r.code, outcome: r.status >= 400 ? 'error' : 'ok', login: attempt.id })
  const mark = (stage, phase) => {
    if (stage === 'callback' && phase === 'begin') attempt.callbackAt = Date.now()
  }
  try {
    const l = await login({ origin: PROXY_ORIGIN, flow: 'myclinic', isOrigin: IS_ORIGIN }, { agent: rec.agent, keep: true, onResponse, mark })
    const session = { id: rec.sessions.length, browser: l.browser, origin: PROXY_ORIGIN, loginMs: l.totalMs, callbackMs: l.callbackMs }
    rec.sessions.push(session)
    rec.logins.ok++
    await readDashboard(rec, session, 'verify')
    return session
  } catch (e) {
    const failure = e instanceof LoginError ? { stage: e.stage, status: e.status, code: e.code, atIs: e.atIs, message: e.message.slice(0, 200) } : { stage: 'unknown', message: String(e).slice(0, 200) }
    rec.loginFailures.push({ ...failure, ...attempt, phase: rec.phase, failedAt: Date.now() })
    // the app did not answer at all (the proxy or the instance is gone): that is an event too
    if ((failure.stage === 'start' || failure.stage === 'callback') && failure.status === undefined) {
      rec.events.push({ kind: failure.stage, phase: rec.phase, t0: attempt.callbackAt || attempt.startedAt, t1: Date.now(), outcome: 'network', error: failure.message, login: attempt.id })
    }
    return null
  }
}

/** The initial sessions: n logins, `concurrency` at a time. */
export async function initialSessions(rec, n, concurrency = 10) {
  let left = n
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (left-- > 0) await loginOnce(rec)
  }))
  return rec.sessions.slice(0, n)
}

/** Each of these sessions reads / every `intervalMs` (± 50 %, so they do not march in step) until stopped. */
export function startReaders(rec, sessions, intervalMs) {
  return Promise.all(sessions.map(async (s) => {
    await sleep(Math.random() * intervalMs)
    while (!rec.stopped) {
      const t = performance.now()
      await readDashboard(rec, s, 'read')
      const wait = intervalMs * (0.5 + Math.random()) - (performance.now() - t)
      if (wait > 0) await sleep(wait)
    }
  }))
}

/** A new login every 1/rate s (not waiting for the previous ones; at most 200 in flight) until stopped. */
export function startLogins(rec, perSecond) {
  const inFlight = new Set()
  return (async () => {
    const start = performance.now()
    for (let i = 0; !rec.stopped; i++) {
      const due = start + (i * 1000) / perSecond
      const wait = due - performance.now()
      if (wait > 0) await sleep(wait)
      if (rec.stopped) break
      if (inFlight.size >= 200) continue
      const p = loginOnce(rec).finally(() => inFlight.delete(p))
      inFlight.add(p)
    }
    await Promise.all(inFlight)
  })()
}

/** After the load: every session reads / once more (20 at a time). */
export async function finalSweep(rec) {
  rec.phase = 'final'
  const queue = [...rec.sessions]
  await Promise.all(Array.from({ length: 20 }, async () => {
    for (let s = queue.shift(); s; s = queue.shift()) await readDashboard(rec, s, 'final')
  }))
}
