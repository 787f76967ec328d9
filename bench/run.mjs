/**
 * `npm run bench`: performance figures of the auth layer against the local WSO2 IS stand-in.
 *
 *   1. Guard overhead: autocannon on `/` with the same valid session against the app (:5443) and
 *      against a second build of the whole app whose middleware.ts is a pass-through with the same
 *      matcher (:5444, built in a temp dir), alternated in the same run; `/` without a cookie
 *      (answered by the middleware alone); raw and memoised unseal micro-benchmarks.
 *   2. Cost per login: 50 sequential HTTP logins; callback wall time, IS timeline from the IS log,
 *      back-channel calls per login, and the IS's own token/userinfo latency measured directly.
 *   3. Session cost: cookie bytes for the default and a ~10 KB token set, unseal/seal µs.
 *   4. Edge middleware size vs an empty middleware built the same way in /tmp.
 *   5. Login throughput with 20 concurrent clients and CPU of app vs IS.
 *
 * Writes bench/results.json and bench/results.md. Env: BENCH_SKIP_BUILD=1, BENCH_DURATION (s, default 10,
 * must stay below the guard's 60 s re-seal interval), BENCH_GUARD_RUNS (runs per variant in section 1, default 4). The unguarded copy is rebuilt on every run and its
 * temp dir removed at the end (also on error / Ctrl-C).
 * Self-contained: nothing here is imported by the app or the tests.
 */
import { spawn, spawnSync, execFileSync } from 'node:child_process'
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync, mkdirSync } from 'node:fs'
import { gzipSync } from 'node:zlib'
import { createHash, randomBytes, randomUUID } from 'node:crypto'
import os from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { performance } from 'node:perf_hooks'
import { Agent, request } from 'undici'
import autocannon from 'autocannon'
import { sealData, unsealData } from 'iron-session'

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..')
const BENCH = join(ROOT, 'bench')
const IS_PORT = 9543
const APP_PORT = 5443
const IS = `https://localhost:${IS_PORT}`
const APP = `https://localhost:${APP_PORT}`
const UNGUARDED_PORT = 5444
const UNGUARDED = `https://localhost:${UNGUARDED_PORT}`
const CLIENT_ID = 'u4SHfHP772VBYhSffz7hDrX7QiQa'
const CLIENT_SECRET = 'EU_tx0VLEfzTattupXFbeZqO3_0a'
const SESSION_SECRET = 'bench-session-secret-0123456789-abcdefghijklmnop'
const COOKIE_NAME = '__Host-myclinic-session'
const DURATION = Number(process.env.BENCH_DURATION || 10)
const CONNECTIONS = 10
const SEQ_LOGINS = 50
const CONC_LOGINS = 100
const CONC_CLIENTS = 20
const MICRO_N = 2000
const GUARD_RUNS = Number(process.env.BENCH_GUARD_RUNS || 4) // per variant, section 1
const GUARD_WARMUP = 10 // s per variant, section 1 (throughput still creeps up for a minute or so after start; the A U U A order cancels a linear drift)

const log = (...a) => console.log('[bench]', ...a)
const sleep = (ms) => new Promise((r) => setTimeout(r, ms))
const median = (xs) => quantile(xs, 0.5)
function quantile(xs, q) {
  if (!xs.length) return NaN
  const s = [...xs].sort((a, b) => a - b)
  const pos = (s.length - 1) * q
  const lo = Math.floor(pos)
  const hi = Math.ceil(pos)
  return s[lo] + (s[hi] - s[lo]) * (pos - lo)
}
const r1 = (x) => Math.round(x * 10) / 10
const r2 = (x) => Math.round(x * 100) / 100

// ---------------------------------------------------------------- processes and cleanup
const children = []
function startProcess(name, args, env, cwd = ROOT) {
  const child = spawn(process.execPath, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true })
  let output = ''
  child.stdout.on('data', (d) => (output = (output + d).slice(-20000)))
  child.stderr.on('data', (d) => (output = (output + d).slice(-20000)))
  const entry = { name, child, output: () => output }
  children.push(entry)
  return entry
}
function stopAll() {
  for (const { child } of children) {
    if (child.exitCode !== null || child.signalCode !== null) continue
    try {
      process.kill(-child.pid, 'SIGTERM') // its own process group (detached), nothing else
    } catch {}
  }
}
async function stopAllAndWait() {
  stopAll()
  const deadline = Date.now() + 5000
  while (children.some(({ child }) => child.exitCode === null && child.signalCode === null) && Date.now() < deadline) await sleep(50)
  for (const { child } of children) {
    if (child.exitCode === null && child.signalCode === null) {
      try {
        process.kill(-child.pid, 'SIGKILL')
      } catch {}
    }
  }
}
/** Temp dirs made by this run (the unguarded copy): removed at the end, on error and on Ctrl-C. */
const tempDirs = []
function removeTempDirs() {
  while (tempDirs.length) {
    const dir = tempDirs.pop()
    try {
      rmSync(dir, { recursive: true, force: true }) // symlinks (node_modules, certs) are removed, not followed
    } catch (e) {
      console.error(`[bench] could not remove ${dir}: ${e.message}`)
    }
  }
}
process.on('exit', () => {
  stopAll()
  removeTempDirs()
})
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    stopAll()
    process.exit(130)
  })
}

function portInUse(port) {
  const r = spawnSync('ss', ['-ltnH', `sport = :${port}`], { encoding: 'utf8' })
  return r.status === 0 && r.stdout.trim().length > 0
}

/** utime+stime (seconds) of a process and all its descendants. */
const CLK_TCK = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100
function treeCpuSeconds(rootPid) {
  const stats = new Map()
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue
    try {
      const raw = readFileSync(`/proc/${name}/stat`, 'utf8')
      const rest = raw.slice(raw.lastIndexOf(')') + 2).split(' ')
      // rest[0] = state (field 3); ppid = field 4; utime = field 14; stime = field 15
      stats.set(Number(name), { ppid: Number(rest[1]), ticks: Number(rest[11]) + Number(rest[12]) })
    } catch {}
  }
  let ticks = 0
  const queue = [rootPid]
  const seen = new Set()
  while (queue.length) {
    const pid = queue.shift()
    if (seen.has(pid)) continue
    seen.add(pid)
    const s = stats.get(pid)
    if (s) ticks += s.ticks
    for (const [p, st] of stats) if (st.ppid === pid) queue.push(p)
  }
  return { seconds: ticks / CLK_TCK, pids: [...seen].filter((p) => stats.has(p)) }
}

/** CPU seconds the whole machine spent busy (all cores; /proc/stat user+nice+system+irq+softirq). */
function machineBusySeconds() {
  const [user, nice, system, , , irq = 0, softirq = 0] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number)
  return (user + nice + system + irq + softirq) / CLK_TCK
}
/** CPU seconds used by this process (incl. autocannon, which runs in it) and every server it started. */
function ownCpuSeconds() {
  const me = process.cpuUsage()
  return (me.user + me.system) / 1e6 + children.reduce((a, { child }) => a + (child.exitCode === null ? treeCpuSeconds(child.pid).seconds : 0), 0)
}

// ---------------------------------------------------------------- build if stale (as scripts/e2e.mjs)
const SOURCES = ['app', 'lib', 'components', 'public', 'middleware.ts', 'instrumentation.ts', 'instrumentation-node.ts', 'next.config.mjs', 'package-lock.json', 'postcss.config.mjs']
function newest(path) {
  if (!existsSync(path)) return 0
  const stat = statSync(path)
  if (!stat.isDirectory()) return stat.mtimeMs
  return Math.max(0, ...readdirSync(path).map((name) => newest(join(path, name))))
}
function buildIfStale() {
  const buildId = join(ROOT, '.next', 'BUILD_ID')
  const stale = !existsSync(buildId) || Math.max(...SOURCES.map((s) => newest(join(ROOT, s)))) > statSync(buildId).mtimeMs
  if (!stale || process.env.BENCH_SKIP_BUILD === '1') {
    log(stale ? 'build is stale but BENCH_SKIP_BUILD=1: reusing .next' : 'reusing the existing production build (.next)')
    return { built: false, seconds: 0 }
  }
  log('production build is stale: next build')
  const t0 = performance.now()
  const r = spawnSync(process.execPath, [join(ROOT, 'node_modules/next/dist/bin/next'), 'build'], {
    cwd: ROOT,
    stdio: 'inherit',
    env: { ...process.env, NODE_ENV: 'production', NEXT_TELEMETRY_DISABLED: '1' },
  })
  if (r.status !== 0) throw new Error(`next build failed (exit ${r.status})`)
  return { built: true, seconds: r1((performance.now() - t0) / 1000) }
}

// ---------------------------------------------------------------- HTTP client (cookie jar per origin, no redirects followed)
class CookieJar {
  constructor() {
    this.m = new Map()
  }
  store(setCookies) {
    for (const sc of setCookies || []) {
      const [nv, ...attrs] = sc.split(';').map((s) => s.trim())
      const i = nv.indexOf('=')
      const name = nv.slice(0, i)
      const value = nv.slice(i + 1)
      let expired = value === ''
      for (const a of attrs) {
        const [k, v = ''] = a.split('=')
        if (/^max-age$/i.test(k) && Number(v) <= 0) expired = true
        if (/^expires$/i.test(k) && Date.parse(v) < Date.now()) expired = true
      }
      if (expired) this.m.delete(name)
      else this.m.set(name, value)
    }
  }
  header(filter = () => true) {
    return [...this.m].filter(([n]) => filter(n)).map(([n, v]) => `${n}=${v}`).join('; ')
  }
}

const BROWSER_HEADERS = { accept: 'text/html,application/xhtml+xml', 'sec-fetch-dest': 'document', 'sec-fetch-mode': 'navigate', 'user-agent': 'myclinic-bench' }

function newClient() {
  const agent = new Agent({ connect: { rejectUnauthorized: false }, keepAliveTimeout: 10_000, maxHeaderSize: 64 * 1024 })
  const jars = new Map() // origin → jar (cookies kept per origin, a strict client)
  async function go(url, { method = 'GET', form, headers = {} } = {}) {
    const u = new URL(url)
    if (!jars.has(u.origin)) jars.set(u.origin, new CookieJar())
    const jar = jars.get(u.origin)
    const h = { ...BROWSER_HEADERS, ...headers }
    const cookie = jar.header()
    if (cookie) h.cookie = cookie
    let body
    if (form) {
      body = new URLSearchParams(form).toString()
      h['content-type'] = 'application/x-www-form-urlencoded'
    }
    const t0 = performance.now()
    const res = await request(u, { method, headers: h, body, dispatcher: agent })
    const text = await res.body.text()
    const ms = performance.now() - t0
    const raw = res.headers['set-cookie']
    const setCookies = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw]
    jar.store(setCookies)
    const location = res.headers.location ? new URL(res.headers.location, u).href : undefined
    return { status: res.statusCode, headers: res.headers, text, location, setCookies, ms, t0: performance.timeOrigin + t0 }
  }
  return { agent, jars, go, close: () => agent.close() }
}

async function json(method, path, body) {
  const res = await request(`${IS}${path}`, {
    method,
    headers: body ? { 'content-type': 'application/json' } : {},
    body: body ? JSON.stringify(body) : undefined,
    dispatcher: controlAgent,
  })
  const text = await res.body.text()
  if (res.statusCode >= 300) throw new Error(`${method} ${path} → ${res.statusCode} ${text.slice(0, 200)}`)
  return text ? JSON.parse(text) : undefined
}
const controlAgent = new Agent({ connect: { rejectUnauthorized: false } })

function parseForm(html, id) {
  const re = id ? new RegExp(`<form[^>]*id="${id}"[^>]*>([\\s\\S]*?)</form>`) : /<form[^>]*>([\s\S]*?)<\/form>/
  const m = re.exec(html)
  if (!m) throw new Error(`form ${id} not found in ${html.slice(0, 300)}`)
  const unescape = (s) => s.replace(/&#(\d+);/g, (_, n) => String.fromCharCode(Number(n))).replace(/&amp;/g, '&')
  const action = unescape(/action="([^"]*)"/.exec(m[0])?.[1] ?? '')
  const fields = {}
  for (const im of m[1].matchAll(/<input([^>]*)>/g)) {
    const name = /name="([^"]*)"/.exec(im[1])?.[1]
    const value = /value="([^"]*)"/.exec(im[1])?.[1] ?? ''
    if (name) fields[name] = unescape(value)
  }
  return { action, fields }
}

/**
 * One full login over HTTP as a fresh browser: GET /login → IS authorize → login form → POST
 * /commonauth (→ consent if shown) → app callback. Returns the callback timing and the session cookies.
 */
async function login({ username = 'admin', password = 'admin' } = {}) {
  const c = newClient()
  try {
    const hops = { app: 0, is: 0 }
    const tStart = performance.now()
    let r = await c.go(`${APP}/login`)
    hops.app++
    if (r.status !== 302 && r.status !== 303) throw new Error(`GET /login → ${r.status}`)
    const loginStartMs = r.ms
    let form = null
    let consentShown = false
    for (let i = 0; i < 20; i++) {
      if (r.location && r.location.startsWith(IS)) {
        r = await c.go(r.location)
        hops.is++
        continue
      }
      if (r.status === 200 && r.text.includes('id="loginForm"') && !form) {
        form = parseForm(r.text, 'loginForm')
        r = await c.go(new URL(form.action, IS).href, { method: 'POST', form: { ...form.fields, usernameUserInput: username, username, password } })
        hops.is++
        continue
      }
      if (r.status === 200 && r.text.includes('wants to access your account')) {
        consentShown = true
        const f = parseForm(r.text, 'profile')
        r = await c.go(new URL(f.action, IS).href, { method: 'POST', form: { ...f.fields, consent: 'approveAlways' } })
        hops.is++
        continue
      }
      break
    }
    if (!r.location || !r.location.startsWith(`${APP}/login?`)) throw new Error(`login did not come back to the app: ${r.status} ${r.location ?? r.text.slice(0, 200)}`)
    const callbackUrl = r.location
    const code = new URL(callbackUrl).searchParams.get('code')
    const cb = await c.go(callbackUrl)
    hops.app++
    if (cb.status !== 303 || cb.location !== `${APP}/`) throw new Error(`callback → ${cb.status} ${cb.location} ${cb.text.slice(0, 300)}`)
    const sessionSetCookies = cb.setCookies.filter((s) => s.startsWith(COOKIE_NAME))
    const appJar = c.jars.get(APP)
    const cookieHeader = appJar.header((n) => n.startsWith(COOKIE_NAME))
    const totalMs = performance.now() - tStart
    return { code, callbackMs: cb.ms, callbackStart: cb.t0, callbackEnd: cb.t0 + cb.ms, loginStartMs, totalMs, hops, consentShown, sessionSetCookies, cookieHeader }
  } finally {
    await c.close()
  }
}

// ---------------------------------------------------------------- session micro-benchmark (what evaluateGuard does per request)
/** FNV-1a as lib/auth/config.ts secretId(): the iron password id. */
function secretId(secret) {
  let hash = 0x811c9dc5
  for (let i = 0; i < secret.length; i++) {
    hash ^= secret.charCodeAt(i)
    hash = Math.imul(hash, 0x01000193) >>> 0
  }
  return String(hash + 1)
}
const PASSWORDS = { [secretId(SESSION_SECRET)]: SESSION_SECRET }
const SEAL_TTL = 8 * 60 * 60 + 60 // config.maxAge + 60, defaults

function parseCookies(header) {
  const result = new Map()
  const seen = new Set()
  for (const part of header.split(';')) {
    const i = part.indexOf('=')
    if (i < 0) continue
    const name = part.slice(0, i).trim()
    const value = part.slice(i + 1).trim()
    if (seen.has(name)) {
      result.delete(name)
      continue
    }
    seen.add(name)
    result.set(name, value)
  }
  return result
}
function readSeal(cookies) {
  const plain = cookies.get(COOKIE_NAME)
  if (plain) return plain
  const parts = []
  for (let i = 0; i < 6; i++) {
    const p = cookies.get(`${COOKIE_NAME}.${i}`)
    if (!p) break
    parts.push(p)
  }
  return parts.join('')
}

/** Serial unseals of a real session cookie: cookie parse + chunk join + unsealData + shape check. */
async function microUnseal(cookieHeader, n = MICRO_N) {
  const once = async () => {
    const seal = readSeal(parseCookies(cookieHeader))
    const data = await unsealData(seal, { password: PASSWORDS, ttl: SEAL_TTL })
    if (!data || data.v !== 1 || typeof data.sub !== 'string') throw new Error('unseal of the real cookie failed: secret mismatch?')
    return data
  }
  const data = await once()
  for (let i = 0; i < 200; i++) await once()
  // serial: latency of one unseal (WebCrypto work runs partly on libuv's thread pool)
  const c0 = process.cpuUsage()
  const t0 = performance.now()
  for (let i = 0; i < n; i++) await once()
  const unsealUs = ((performance.now() - t0) * 1000) / n
  const c1 = process.cpuUsage(c0)
  const unsealCpuUs = (c1.user + c1.system) / n // CPU of all threads of this process per unseal
  // 16 in flight, as under load: wall time per unseal when they overlap
  const t2 = performance.now()
  let left = n
  await Promise.all(Array.from({ length: 16 }, async () => {
    while (left-- > 0) await once()
  }))
  const unsealConcurrentUs = ((performance.now() - t2) * 1000) / n
  // Seal: what the guard's touch() (once a minute per session) and the callback pay.
  for (let i = 0; i < 50; i++) await sealData(data, { password: { [secretId(SESSION_SECRET)]: SESSION_SECRET }, ttl: SEAL_TTL })
  const m = Math.max(200, Math.floor(n / 4))
  const t1 = performance.now()
  for (let i = 0; i < m; i++) await sealData(data, { password: { [secretId(SESSION_SECRET)]: SESSION_SECRET }, ttl: SEAL_TTL })
  const sealUs = ((performance.now() - t1) * 1000) / m
  return { unsealUs: r1(unsealUs), unsealCpuUs: r1(unsealCpuUs), unsealConcurrentUs: r1(unsealConcurrentUs), sealUs: r1(sealUs), n, sealN: m, sessionJsonBytes: JSON.stringify(data).length, accessTokenBytes: data.accessToken.length, idTokenBytes: data.idToken.length }
}

/** lib/auth/session.ts's SEAL_PATTERN, read from the source so the micro-benchmark stays in step with it. */
function sealPattern() {
  const m = /SEAL_PATTERN = \/(.+)\/\s*$/m.exec(readFileSync(join(ROOT, 'lib/auth/session.ts'), 'utf8'))
  return m ? new RegExp(m[1]) : /^Fe26\.2\*\d+\*[0-9a-f]+\*[A-Za-z0-9_-]+\*[A-Za-z0-9_-]+\*\d*\*[0-9a-f]+\*[A-Za-z0-9_-]+~2$/
}

/**
 * The memoised path of lib/auth/session.ts unsealSession(): successful unseals are remembered for
 * 60 s keyed by the whole seal, so a repeated cookie costs cookie parse + chunk join + SEAL_PATTERN
 * test + Map lookup (+ an await). One miss (a real unseal) first, then n hits.
 */
async function microUnsealMemo(cookieHeader, n = 200_000) {
  const pattern = sealPattern()
  const cache = new Map()
  const once = async () => {
    const seal = readSeal(parseCookies(cookieHeader))
    if (!seal || seal.length > 3800 * 6 || !pattern.test(seal)) throw new Error('the real cookie does not match SEAL_PATTERN')
    const hit = cache.get(seal)
    if (hit && hit.until > Date.now() && hit.passwords === PASSWORDS) return hit.data
    const data = await unsealData(seal, { password: PASSWORDS, ttl: SEAL_TTL })
    if (!data || data.v !== 1 || typeof data.sub !== 'string') throw new Error('unseal of the real cookie failed: secret mismatch?')
    cache.set(seal, { data, until: Date.now() + 60_000, passwords: PASSWORDS })
    return data
  }
  const tMiss = performance.now()
  await once()
  const missUs = (performance.now() - tMiss) * 1000 // first call: includes one-off warm-up, indicative only
  for (let i = 0; i < 5000; i++) await once()
  const c0 = process.cpuUsage()
  const t0 = performance.now()
  for (let i = 0; i < n; i++) await once()
  const hitUs = ((performance.now() - t0) * 1000) / n
  const c1 = process.cpuUsage(c0)
  // the pattern test alone, the largest part of a hit for a ~3 KB seal
  const seal = readSeal(parseCookies(cookieHeader))
  const t1 = performance.now()
  let matched = 0
  for (let i = 0; i < n; i++) if (pattern.test(seal)) matched++
  const patternUs = ((performance.now() - t1) * 1000) / n
  if (matched !== n) throw new Error('SEAL_PATTERN mismatch')
  return { n, firstCallUs: r1(missUs), hitUs: r2(hitUs), hitCpuUs: r2((c1.user + c1.system) / n), patternUs: r2(patternUs), sealBytes: seal.length }
}

function cookieStats(l) {
  return {
    chunks: l.sessionSetCookies.length,
    setCookieBytes: l.sessionSetCookies.reduce((a, s) => a + Buffer.byteLength(s), 0),
    cookieHeaderBytes: Buffer.byteLength(l.cookieHeader),
    sealBytes: l.sessionSetCookies.reduce((a, s) => a + (s.split(';')[0].length - s.indexOf('=') - 1), 0),
  }
}

// ---------------------------------------------------------------- autocannon
let appPid = 0
/**
 * One autocannon run. appCores = CPU of the target server's process tree / wall time; otherCores =
 * CPU the rest of the machine used meanwhile (other users' builds and tests share these cores).
 */
async function cannon(path, headers, duration = DURATION, { origin = APP, pid = appPid } = {}) {
  const cpu0 = pid ? treeCpuSeconds(pid).seconds : 0
  const busy0 = machineBusySeconds()
  const own0 = ownCpuSeconds()
  const w0 = performance.now()
  const result = await autocannon({
    url: `${origin}${path}`,
    connections: CONNECTIONS,
    duration,
    headers: { ...BROWSER_HEADERS, ...headers },
  })
  const wall = (performance.now() - w0) / 1000
  const appCores = pid ? (treeCpuSeconds(pid).seconds - cpu0) / wall : NaN
  const otherCores = Math.max(0, machineBusySeconds() - busy0 - (ownCpuSeconds() - own0)) / wall
  return {
    origin,
    path,
    duration,
    appCores: r2(appCores),
    appCpuMsPerRequest: r2((appCores * wall * 1000) / Math.max(1, result.requests.total)),
    otherCores: r2(otherCores),
    connections: CONNECTIONS,
    rps: r1(result.requests.average),
    p50: result.latency.p50,
    p99: result.latency.p99,
    mean: r2(result.latency.average),
    total: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    statusCodes: Object.fromEntries(Object.entries(result.statusCodeStats || {}).map(([k, v]) => [k, v.count])),
  }
}

async function probe(path, cookie, origin = APP) {
  const c = newClient()
  try {
    const r = await c.go(`${origin}${path}`, { headers: cookie ? { cookie } : {} })
    return { status: r.status, bytes: Buffer.byteLength(r.text), setCookie: r.setCookies.length, location: r.location, text: r.text, cacheControl: r.headers['cache-control'] }
  } finally {
    await c.close()
  }
}

// ---------------------------------------------------------------- middleware size
function middlewareSize(dir) {
  const manifest = JSON.parse(readFileSync(join(dir, '.next/server/middleware-manifest.json'), 'utf8'))
  const entries = Object.values(manifest.middleware || {})
  if (!entries.length) throw new Error(`no middleware in ${dir}/.next/server/middleware-manifest.json`)
  const files = [...new Set(entries.flatMap((e) => [...e.files, ...(e.wasm || []).map((w) => w.filePath), ...(e.assets || []).map((a) => a.filePath)]))]
  const bufs = files.map((f) => readFileSync(join(dir, '.next', f)))
  const raw = bufs.reduce((a, b) => a + b.length, 0)
  const gzipPerFile = bufs.reduce((a, b) => a + gzipSync(b, { level: 9 }).length, 0)
  const gzipConcat = gzipSync(Buffer.concat(bufs), { level: 9 }).length
  const matchers = entries[0].matchers ?? []
  return { files: files.length, raw, gzipPerFile, gzipConcat, matcher: matchers[0]?.originalSource, matchers: matchers.map((m) => m.originalSource), matcherRegexps: matchers.map((m) => m.regexp) }
}

function baselineMiddleware(matcher) {
  const dir = mkdtempSync(join(os.tmpdir(), 'myclinic-mw-baseline-'))
  try {
    for (const f of ['package.json', 'tsconfig.json']) writeFileSync(join(dir, f), readFileSync(join(ROOT, f)))
    symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'))
    // The project's next.config plus turbopack.root '/': Turbopack refuses a node_modules symlink that leaves its root.
    writeFileSync(join(dir, 'next.config.mjs'), `import base from ${JSON.stringify(join(ROOT, 'next.config.mjs'))}\nexport default { ...base, turbopack: { ...(base.turbopack || {}), root: '/' } }\n`)
    writeFileSync(join(dir, 'middleware.ts'), `export function middleware() {}\n\nexport const config = { matcher: [${JSON.stringify(matcher)}] }\n`)
    mkdirSync(join(dir, 'app'))
    writeFileSync(join(dir, 'app/layout.tsx'), 'export default function RootLayout({ children }: { children: React.ReactNode }) {\n  return (<html lang="en"><body>{children}</body></html>)\n}\n')
    writeFileSync(join(dir, 'app/page.tsx'), 'export default function Page() {\n  return <p>baseline</p>\n}\n')
    const r = spawnSync(process.execPath, [join(ROOT, 'node_modules/next/dist/bin/next'), 'build'], {
      cwd: dir,
      encoding: 'utf8',
      env: { ...process.env, NODE_ENV: 'production', NEXT_TELEMETRY_DISABLED: '1' },
    })
    if (r.status !== 0) throw new Error(`baseline next build failed:\n${r.stdout}\n${r.stderr}`)
    return middlewareSize(dir)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

/**
 * A second build of the whole app whose middleware.ts is a pass-through (`NextResponse.next()`) with
 * the app's own matcher: the same pages, layout, lib/auth, components, config and env, so `/` with a
 * session renders exactly as in the app — only without the guard. Built in a temp dir under
 * os.tmpdir() (removed at the end): sources copied (*.test.ts left out: they import tests/, which is
 * not part of the app, and would fail the build's type check), node_modules and certs/ symlinked,
 * next.config.mjs copied and wrapped with turbopack.root '/' (Turbopack refuses a node_modules
 * symlink that leaves its root). Started later with `node scripts/start.mjs` from that dir.
 */
const COPY_ENTRIES = ['app', 'lib', 'components', 'public', 'instrumentation.ts', 'instrumentation-node.ts', 'tsconfig.json', 'package.json', 'postcss.config.mjs']
const COPY_SCRIPTS = ['start.mjs', 'certs.mjs', 'env.mjs']
function buildUnguardedCopy(matchers) {
  const dir = mkdtempSync(join(os.tmpdir(), 'myclinic-unguarded-'))
  tempDirs.push(dir)
  for (const entry of COPY_ENTRIES) {
    if (!existsSync(join(ROOT, entry))) continue
    cpSync(join(ROOT, entry), join(dir, entry), { recursive: true, filter: (src) => !/\.test\.tsx?$/.test(src) })
  }
  mkdirSync(join(dir, 'scripts'))
  for (const f of COPY_SCRIPTS) cpSync(join(ROOT, 'scripts', f), join(dir, 'scripts', f))
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'))
  symlinkSync(join(ROOT, 'certs'), join(dir, 'certs')) // app.key, app.crt, local-is.crt: read in place, never copied
  cpSync(join(ROOT, 'next.config.mjs'), join(dir, 'next.config.base.mjs'))
  writeFileSync(join(dir, 'next.config.mjs'), `import base from './next.config.base.mjs'\nexport default { ...base, turbopack: { ...(base.turbopack || {}), root: '/' } }\n`)
  writeFileSync(
    join(dir, 'middleware.ts'),
    `import { NextResponse } from 'next/server'\n\n/** Bench: the app without its guard. Same matcher, so the middleware still runs on the same requests. */\nexport function middleware() {\n  return NextResponse.next()\n}\n\nexport const config = { matcher: ${JSON.stringify(matchers)} }\n`,
  )
  const t0 = performance.now()
  const r = spawnSync(process.execPath, [join(ROOT, 'node_modules/next/dist/bin/next'), 'build'], {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, NODE_ENV: 'production', NEXT_TELEMETRY_DISABLED: '1' },
  })
  if (r.status !== 0) throw new Error(`next build of the unguarded copy in ${dir} failed (exit ${r.status}):\n${r.stdout.slice(-4000)}\n${r.stderr.slice(-4000)}`)
  return { dir, seconds: r1((performance.now() - t0) / 1000), middleware: middlewareSize(dir) }
}

// ---------------------------------------------------------------- main
async function waitFor(url, proc, timeoutMs = 90_000) {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    if (proc.child.exitCode !== null) throw new Error(`${proc.name} exited (${proc.child.exitCode}):\n${proc.output()}`)
    try {
      const res = await request(url, { dispatcher: controlAgent, headersTimeout: 2000, bodyTimeout: 2000 })
      await res.body.text()
      if (res.statusCode === 200) return
    } catch {}
    if (Date.now() > deadline) throw new Error(`${proc.name} did not answer ${url}:\n${proc.output()}`)
    await sleep(250)
  }
}

function classify(path) {
  if (path.endsWith('/.well-known/openid-configuration')) return 'discovery'
  if (path.endsWith('/oauth2/token')) return 'token'
  if (path.endsWith('/oauth2/userinfo')) return 'userinfo'
  if (path.endsWith('/oauth2/jwks')) return 'jwks'
  if (path.endsWith('/oauth2/revoke')) return 'revoke'
  if (path.endsWith('/oauth2/introspect')) return 'introspect'
  return 'front-channel'
}
const BACKCHANNEL = ['token', 'userinfo', 'jwks', 'discovery', 'revoke', 'introspect']

async function configureClient() {
  await json('PUT', `/__test/client/${CLIENT_ID}`, { callback_url: `regexp=(${APP}/login|${APP}/signin)`, skip_login_consent: true })
}

/** The IS's own latency for token + userinfo, measured by this script acting as the client. */
async function directIsLatency(n = 20) {
  const agent = new Agent({ connect: { rejectUnauthorized: false } })
  const basic = `Basic ${Buffer.from(`${encodeURIComponent(CLIENT_ID)}:${encodeURIComponent(CLIENT_SECRET)}`).toString('base64')}`
  const token = []
  const userinfo = []
  try {
    for (let i = 0; i < n + 3; i++) {
      const c = newClient()
      const verifier = randomBytes(32).toString('base64url')
      const q = new URLSearchParams({
        client_id: CLIENT_ID, redirect_uri: `${APP}/login`, response_type: 'code', scope: 'openid profile email',
        state: randomUUID(), nonce: randomUUID(), code_challenge: createHash('sha256').update(verifier).digest('base64url'), code_challenge_method: 'S256',
      })
      let r = await c.go(`${IS}/oauth2/authorize?${q}`)
      for (let k = 0; k < 20; k++) {
        if (r.location && r.location.startsWith(IS)) r = await c.go(r.location)
        else if (r.status === 200 && r.text.includes('id="loginForm"')) {
          const f = parseForm(r.text, 'loginForm')
          r = await c.go(new URL(f.action, IS).href, { method: 'POST', form: { ...f.fields, usernameUserInput: 'admin', username: 'admin', password: 'admin' } })
        } else break
      }
      await c.close()
      const code = new URL(r.location).searchParams.get('code')
      // keep-alive agent, as the app's own fetch
      let t0 = performance.now()
      const tr = await request(`${IS}/oauth2/token`, {
        method: 'POST', dispatcher: agent,
        headers: { authorization: basic, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: `${APP}/login`, code_verifier: verifier }).toString(),
      })
      const tj = await tr.body.json()
      const tokenMs = performance.now() - t0
      if (tr.statusCode !== 200) throw new Error(`direct token → ${tr.statusCode} ${JSON.stringify(tj)}`)
      t0 = performance.now()
      const ur = await request(`${IS}/oauth2/userinfo`, { dispatcher: agent, headers: { authorization: `Bearer ${tj.access_token}`, accept: 'application/json' } })
      await ur.body.json()
      const userinfoMs = performance.now() - t0
      if (i >= 3) {
        token.push(tokenMs)
        userinfo.push(userinfoMs)
      }
    }
  } finally {
    await agent.close()
  }
  return { n, tokenP50: r2(median(token)), userinfoP50: r2(median(userinfo)), tokenP90: r2(quantile(token, 0.9)), userinfoP90: r2(quantile(userinfo, 0.9)) }
}

async function main() {
  const startedAt = new Date()
  const results = { machine: {}, notes: [] }
  const cpus = os.cpus()
  results.machine = {
    cpu: cpus[0]?.model ?? 'unknown',
    cores: cpus.length,
    ramGiB: r1(os.totalmem() / 1024 ** 3),
    node: process.version,
    os: `${os.type()} ${os.release()}`,
    date: startedAt.toISOString(),
    command: 'npm run bench',
    next: JSON.parse(readFileSync(join(ROOT, 'node_modules/next/package.json'), 'utf8')).version,
    gitHead: (() => {
      try {
        const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim()
        const dirty = execFileSync('git', ['status', '--porcelain', '--', 'app', 'lib', 'middleware.ts'], { cwd: ROOT, encoding: 'utf8' }).trim()
        return dirty ? `${head} (+ uncommitted changes in app/ lib/ middleware.ts)` : head
      } catch {
        return 'unknown'
      }
    })(),
  }

  if (DURATION >= 50) throw new Error(`BENCH_DURATION=${DURATION}: runs must stay well below the guard's 60 s re-seal interval (autocannon does not store cookies, so every request after it would re-seal)`)
  for (const port of [IS_PORT, APP_PORT, UNGUARDED_PORT]) if (portInUse(port)) throw new Error(`port ${port} is already in use: stop whatever listens there first`)

  results.build = buildIfStale()

  // 4. middleware size first: no servers needed, and nothing else competes for the CPU during the baseline build
  log('4. edge middleware size (and an empty-middleware baseline build in /tmp)')
  const app = middlewareSize(ROOT)
  const base = baselineMiddleware(app.matcher)
  results.middlewareSize = {
    app,
    empty: base,
    addedRaw: app.raw - base.raw,
    addedGzipConcat: app.gzipConcat - base.gzipConcat,
    addedGzipPerFile: app.gzipPerFile - base.gzipPerFile,
    targetAddedGzip: 20 * 1024,
  }

  // the unguarded copy for section 1, built now while no server competes for the CPU
  log(`1. (prep) building the unguarded copy of the app (pass-through middleware, same matcher) in ${os.tmpdir()}`)
  const copy = buildUnguardedCopy(app.matchers)
  log(`   built in ${copy.seconds} s: ${copy.dir}`)
  if (JSON.stringify(copy.middleware.matcherRegexps) !== JSON.stringify(app.matcherRegexps)) throw new Error(`the unguarded copy's middleware matcher differs from the app's: ${JSON.stringify(copy.middleware.matcherRegexps)} vs ${JSON.stringify(app.matcherRegexps)}`)

  log('starting the local IS on', IS_PORT, 'and the app on', APP_PORT)
  const isProc = startProcess('local-is', ['tests/local-is/server.mjs'], { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', LOCAL_IS_PORT: String(IS_PORT), LOCAL_IS_TEST_CONTROL: '1' })
  await waitFor(`${IS}/oauth2/token/.well-known/openid-configuration`, isProc)
  const appEnv = (port, host) => ({
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    NODE_ENV: 'production',
    NEXT_TELEMETRY_DISABLED: '1',
    PORT: String(port),
    AUTH_SERVER_ORIGIN: IS,
    AUTH_CLIENT_HOST: host,
    AUTH_CLIENT_ID: CLIENT_ID,
    AUTH_CLIENT_SECRET: CLIENT_SECRET,
    AUTH_CERTIFICATE_PATH: 'certs/local-is.crt',
    AUTH_SESSION_SECRET: SESSION_SECRET,
  })
  const appProc = startProcess('app', ['scripts/start.mjs'], appEnv(APP_PORT, APP))
  await waitFor(`${APP}/signin`, appProc)
  appPid = appProc.child.pid
  // Same env, same secret: a session cookie minted by :5443 is valid on :5444 (cookies are not port-bound).
  log('starting the unguarded copy on', UNGUARDED_PORT)
  const unguardedProc = startProcess('app-unguarded', ['scripts/start.mjs'], appEnv(UNGUARDED_PORT, UNGUARDED), copy.dir)
  await waitFor(`${UNGUARDED}/signin`, unguardedProc)
  await json('DELETE', '/__test/reset')
  await configureClient()

  // warm-up: JIT, route bundles, discovery + JWKS caches
  log('warm-up logins')
  for (let i = 0; i < 3; i++) await login()

  // ---------- 2. cost per login (sequential)
  log(`2. ${SEQ_LOGINS} sequential logins`)
  await json('DELETE', '/__test/log')
  const seq = []
  for (let i = 0; i < SEQ_LOGINS; i++) seq.push(await login())
  const isLog = await json('GET', '/__test/log')
  const counts = {}
  for (const e of isLog) counts[classify(e.path)] = (counts[classify(e.path)] || 0) + 1
  const perLogin = Object.fromEntries(BACKCHANNEL.map((k) => [k, r2((counts[k] || 0) / SEQ_LOGINS)]))
  const backchannelPerLogin = r2(BACKCHANNEL.reduce((a, k) => a + (counts[k] || 0), 0) / SEQ_LOGINS)
  // timeline of each callback from the IS log (ms timestamps; same clock)
  const tl = { beforeToken: [], tokenToUserinfo: [], afterUserinfo: [] }
  for (const l of seq) {
    const ti = isLog.findIndex((e) => classify(e.path) === 'token' && e.body?.code === l.code)
    if (ti < 0) continue
    const ui = isLog.findIndex((e, i) => i > ti && classify(e.path) === 'userinfo')
    if (ui < 0) continue
    const tToken = Date.parse(isLog[ti].t)
    const tUser = Date.parse(isLog[ui].t)
    tl.beforeToken.push(tToken - l.callbackStart)
    tl.tokenToUserinfo.push(tUser - tToken)
    tl.afterUserinfo.push(l.callbackEnd - tUser)
  }
  const direct = await directIsLatency(20)
  // Cold back-channel: after > 5 s idle the app's keep-alive connection to the IS is gone (undici
  // keepAliveTimeout 4 s, Node server 5 s), so the callback opens a new TLS connection.
  log('   cold callbacks (6 s idle before each)')
  const cold = []
  for (let i = 0; i < 4; i++) {
    await sleep(6000)
    cold.push((await login()).callbackMs)
  }
  const { createSecureContext, rootCertificates } = await import('node:tls')
  const isPem = readFileSync(join(ROOT, 'certs/local-is.crt'), 'utf8')
  const ctxMs = (ca) => {
    for (let i = 0; i < 3; i++) createSecureContext({ ca })
    const t = performance.now()
    for (let i = 0; i < 20; i++) createSecureContext({ ca })
    return r2((performance.now() - t) / 20)
  }
  const secureContext = { caCount: rootCertificates.length + 1, msAllRootsPlusIs: ctxMs([...rootCertificates, isPem]), msIsOnly: ctxMs([isPem]) }
  const cbP50 = median(seq.map((l) => l.callbackMs))
  results.loginCost = {
    logins: SEQ_LOGINS,
    callbackP50: r2(cbP50),
    callbackP90: r2(quantile(seq.map((l) => l.callbackMs), 0.9)),
    callbackP99: r2(quantile(seq.map((l) => l.callbackMs), 0.99)),
    loginStartP50: r2(median(seq.map((l) => l.loginStartMs))),
    fullLoginP50: r2(median(seq.map((l) => l.totalMs))),
    hops: seq[0].hops,
    consentShown: seq.some((l) => l.consentShown),
    timeline: { n: tl.beforeToken.length, beforeTokenP50: r1(median(tl.beforeToken)), tokenToUserinfoP50: r1(median(tl.tokenToUserinfo)), afterUserinfoP50: r1(median(tl.afterUserinfo)) },
    isDirect: direct,
    coldCallbacks: cold.map(r2),
    coldCallbackP50: r2(median(cold)),
    secureContext,
    appOwnEstimateP50: r2(cbP50 - direct.tokenP50 - direct.userinfoP50),
    isRequestCounts: counts,
    backchannelPerLogin,
    perLogin,
  }
  if (backchannelPerLogin !== 2) results.notes.push(`back-channel calls per login = ${backchannelPerLogin} (target 2): ${JSON.stringify(perLogin)}`)

  // ---------- 1. guard overhead: the app vs its unguarded copy, same page, same session, same run
  log(`1. guard overhead: / on the app (:${APP_PORT}) vs the unguarded copy (:${UNGUARDED_PORT})`)
  const fresh = async () => (await login()).cookieHeader // minted just before each run: no run reaches the 60 s re-seal (TOUCH_INTERVAL)
  const U_TARGET = { origin: UNGUARDED, pid: unguardedProc.child.pid }
  let cookie = await fresh()
  const checkA = await probe('/', cookie)
  const checkU = await probe('/', cookie, UNGUARDED)
  const checkC = await probe('/')
  const checkUC = await probe('/', undefined, UNGUARDED)
  for (const [name, c] of [['the app', checkA], ['the unguarded copy', checkU]]) {
    if (c.status !== 200 || !c.text.includes('data-testid="greeting"')) throw new Error(`GET / with a session on ${name} → ${c.status} ${c.location ?? ''}`)
  }
  if (checkA.setCookie || checkU.setCookie) results.notes.push(`GET / with a fresh session set cookies (app ${checkA.setCookie}, copy ${checkU.setCookie}): unexpected re-seal`)
  log('   warm-up runs')
  // two alternating rounds: with one, the first measured run (always A) came out low in most runs
  for (let i = 0; i < 2; i++) {
    if (i) cookie = await fresh() // keep every cookie well below the 60 s re-seal
    await cannon('/', { cookie }, GUARD_WARMUP)
    await cannon('/', { cookie }, GUARD_WARMUP, U_TARGET)
  }
  // A U U A A U U A: alternated and counterbalanced, so a slow drift (other load on the shared cores) hits both alike
  const order = []
  for (let i = 0; i < GUARD_RUNS; i++) order.push(...(i % 2 ? ['U', 'A'] : ['A', 'U']))
  const runsA = []
  const runsU = []
  const sequence = []
  for (const v of order) {
    cookie = await fresh()
    const run = await cannon('/', { cookie }, DURATION, v === 'A' ? {} : U_TARGET)
    ;(v === 'A' ? runsA : runsU).push(run)
    sequence.push({ variant: v, rps: run.rps, p50: run.p50, p99: run.p99, cpuMs: run.appCpuMsPerRequest })
    log(`  ${v === 'A' ? 'A guarded  ' : 'U unguarded'} ${run.rps} req/s p50 ${run.p50} ms p99 ${run.p99} ms, app ${run.appCores} cores (${run.appCpuMsPerRequest} ms CPU/req), other ${run.otherCores} cores, non2xx ${run.non2xx}`)
  }
  // Adjacent pairs (A,U) (U,A) ...: the ratio within each pair. The machine's speed can drift by tens of
  // per cent over a minute (a shared VM: both servers' CPU ms/request move together while no other
  // process shows in /proc/stat), and runs next to each other in time are the least exposed to that.
  const pairRatios = []
  const pairCpuRatios = []
  for (let i = 0; i + 1 < sequence.length; i += 2) {
    const a = sequence[i].variant === 'A' ? sequence[i] : sequence[i + 1]
    const u = sequence[i].variant === 'U' ? sequence[i] : sequence[i + 1]
    pairRatios.push(Number((a.rps / u.rps).toFixed(3)))
    pairCpuRatios.push(Number((a.cpuMs / u.cpuMs).toFixed(3)))
  }
  const runC = await cannon('/', {})
  log(`  C / (no cookie → middleware 307): ${runC.rps} req/s p50 ${runC.p50} ms`)
  const defaultCookie = await login()
  const microDefault = await microUnseal(defaultCookie.cookieHeader)
  const microMemo = await microUnsealMemo(defaultCookie.cookieHeader)
  const aggr = (runs) => ({
    rps: r1(median(runs.map((r) => r.rps))),
    p50: r1(median(runs.map((r) => r.p50))),
    p99: r1(median(runs.map((r) => r.p99))),
    // half the range of the runs, relative to the median: differences below it are not resolved
    rpsSpreadPct: r1((50 * (Math.max(...runs.map((r) => r.rps)) - Math.min(...runs.map((r) => r.rps)))) / median(runs.map((r) => r.rps))),
    appCores: r2(median(runs.map((r) => r.appCores))),
    appCpuMsPerRequest: r2(median(runs.map((r) => r.appCpuMsPerRequest))),
    otherCores: r2(median(runs.map((r) => r.otherCores))),
  })
  const A = aggr(runsA)
  const U = aggr(runsU)
  // Worst case from the micro-benchmark: a raw unseal in the guard on every request (the memo never hit)
  const guardCoreFraction = (microDefault.unsealCpuUs * A.rps) / 1e6
  const guardShareOfApp = guardCoreFraction / A.appCores
  const memoShareOfApp = (microMemo.hitCpuUs * A.rps) / 1e6 / A.appCores
  results.guard = {
    A: { ...A, label: `/ with a valid session on the app (:${APP_PORT}): guard in the middleware + page`, bytes: checkA.bytes, setCookie: checkA.setCookie, cacheControl: checkA.cacheControl },
    U: { ...U, label: `/ with the same kind of session on the unguarded copy (:${UNGUARDED_PORT}): pass-through middleware + the same page`, bytes: checkU.bytes, setCookie: checkU.setCookie, cacheControl: checkU.cacheControl },
    C: { rps: runC.rps, p50: runC.p50, p99: runC.p99, appCores: runC.appCores, otherCores: runC.otherCores, label: '/ without a cookie on the app: 307 from the middleware, no page', status: checkC.status, location: checkC.location },
    ratio: Number((A.rps / U.rps).toFixed(3)),
    pairRatios,
    pairRatioMedian: Number(median(pairRatios).toFixed(3)),
    pairCpuRatios,
    pairCpuRatioMedian: Number(median(pairCpuRatios).toFixed(3)),
    p50Ratio: Number((A.p50 / U.p50).toFixed(3)),
    p99Ratio: Number((A.p99 / U.p99).toFixed(3)),
    cpuPerRequestRatio: Number((A.appCpuMsPerRequest / U.appCpuMsPerRequest).toFixed(3)),
    target: 0.97,
    order: order.join(' '),
    runsA,
    runsU,
    runC,
    unguardedCopy: {
      buildSeconds: copy.seconds,
      middlewareMatchers: copy.middleware.matchers,
      middlewareRawBytes: copy.middleware.raw,
      appMiddlewareRawBytes: app.raw,
      noCookie: { app: { status: checkC.status, location: checkC.location, bytes: checkC.bytes }, copy: { status: checkUC.status, location: checkUC.location, bytes: checkUC.bytes } },
    },
    unsealUs: microDefault.unsealUs,
    unsealCpuUs: microDefault.unsealCpuUs,
    unsealConcurrentUs: microDefault.unsealConcurrentUs,
    memo: microMemo,
    rawUnsealCoreFraction: Number(guardCoreFraction.toFixed(4)),
    rawUnsealShareOfAppCpu: Number(guardShareOfApp.toFixed(4)),
    rawUnsealWorstCaseRatio: Number((1 - guardShareOfApp).toFixed(4)),
    memoHitShareOfAppCpu: Number(memoShareOfApp.toFixed(5)),
  }
  if (runsA.concat(runsU, [runC]).some((r) => (r !== runC && r.non2xx) || r.errors || r.timeouts)) results.notes.push('some autocannon runs of section 1 had non-2xx responses, errors or timeouts: see guard.runs* in results.json')
  if (Math.max(A.otherCores, U.otherCores) > 0.1) results.notes.push(`other processes on the machine used a median ${A.otherCores} (A) / ${U.otherCores} (U) cores during the section 1 runs: the cores were shared, treat small differences as noise`)

  // ---------- 5. login throughput
  log(`5. ${CONC_LOGINS} logins with ${CONC_CLIENTS} concurrent clients`)
  await json('DELETE', '/__test/log')
  const appCpu0 = treeCpuSeconds(appProc.child.pid)
  const isCpu0 = treeCpuSeconds(isProc.child.pid)
  const me0 = process.cpuUsage()
  let next = 0
  let failures = 0
  const conc = []
  const errors = []
  const t0 = performance.now()
  await Promise.all(
    Array.from({ length: CONC_CLIENTS }, async () => {
      while (next < CONC_LOGINS) {
        next++
        try {
          conc.push(await login())
        } catch (e) {
          failures++
          errors.push(String(e.message).slice(0, 200))
        }
      }
    }),
  )
  const wall = (performance.now() - t0) / 1000
  const appCpu1 = treeCpuSeconds(appProc.child.pid)
  const isCpu1 = treeCpuSeconds(isProc.child.pid)
  const me1 = process.cpuUsage(me0)
  const appCpu = appCpu1.seconds - appCpu0.seconds
  const isCpu = isCpu1.seconds - isCpu0.seconds
  const benchCpu = (me1.user + me1.system) / 1e6
  const concLog = await json('GET', '/__test/log')
  const concCounts = {}
  for (const e of concLog) concCounts[classify(e.path)] = (concCounts[classify(e.path)] || 0) + 1
  results.throughput = {
    logins: conc.length,
    failures,
    errors: errors.slice(0, 5),
    clients: CONC_CLIENTS,
    wallSeconds: r2(wall),
    loginsPerSecond: r2(conc.length / wall),
    loginP50: r1(median(conc.map((l) => l.totalMs))),
    loginP99: r1(quantile(conc.map((l) => l.totalMs), 0.99)),
    callbackP50: r1(median(conc.map((l) => l.callbackMs))),
    callbackP99: r1(quantile(conc.map((l) => l.callbackMs), 0.99)),
    cpuSeconds: { app: r2(appCpu), is: r2(isCpu), benchClient: r2(benchCpu) },
    cpuMsPerLogin: { app: r1((appCpu * 1000) / conc.length), is: r1((isCpu * 1000) / conc.length) },
    appShareOfAppPlusIs: r2(appCpu / (appCpu + isCpu)),
    pids: { app: appCpu1.pids, is: isCpu1.pids },
    backchannelPerLogin: r2(BACKCHANNEL.reduce((a, k) => a + (concCounts[k] || 0), 0) / Math.max(1, conc.length)),
    isRequestCounts: concCounts,
  }

  // ---------- 3. session cost (default vs ~10 KB token set)
  log('3. session cost: default and ~10 KB token set')
  const extra = {}
  for (let i = 0; i < 120; i++) extra[`bench_claim_${String(i).padStart(3, '0')}`] = `value-${i}-`.padEnd(48, 'x')
  const claimChars = r1(JSON.stringify(extra).length / 120)
  await json('PUT', `/__test/client/${CLIENT_ID}`, { access_token_type: 'jwt', extra_access_token_claims: extra })
  await json('DELETE', '/__test/log')
  const big = await login()
  const bigLog = await json('GET', '/__test/log')
  const bearer = bigLog.find((e) => classify(e.path) === 'userinfo')?.authorization?.token ?? ''
  const microBig = await microUnseal(big.cookieHeader)
  const checkBig = await probe('/', big.cookieHeader)
  let runBig = null
  if (checkBig.status === 200) {
    runBig = await cannon('/', { cookie: big.cookieHeader })
    log(`  / with the 10 KB session: ${runBig.rps} req/s p50 ${runBig.p50} ms p99 ${runBig.p99} ms`)
  } else results.notes.push(`GET / with the 10 KB session → ${checkBig.status}`)
  await json('DELETE', `/__test/client/${CLIENT_ID}`)
  await configureClient()
  results.session = {
    default: { ...cookieStats(defaultCookie), unsealUs: microDefault.unsealUs, unsealCpuUs: microDefault.unsealCpuUs, sealUs: microDefault.sealUs, sessionJsonBytes: microDefault.sessionJsonBytes, accessTokenBytes: microDefault.accessTokenBytes, idTokenBytes: microDefault.idTokenBytes },
    large: { ...cookieStats(big), unsealUs: microBig.unsealUs, unsealCpuUs: microBig.unsealCpuUs, sealUs: microBig.sealUs, sessionJsonBytes: microBig.sessionJsonBytes, accessTokenBytes: microBig.accessTokenBytes, idTokenBytes: microBig.idTokenBytes, jwtFromIsLog: bearer.length, extraClaims: 120, charsPerClaim: claimChars },
    largePage: runBig ? { rps: runBig.rps, p50: runBig.p50, p99: runBig.p99, non2xx: runBig.non2xx } : null,
    microN: MICRO_N,
  }

  // stop the servers before writing, so their CPU is not shared with anything else afterwards
  await stopAllAndWait()
  removeTempDirs()
  for (const proc of [appProc, unguardedProc]) {
    const warnings = proc.output().split('\n').filter((l) => /\[auth\]|error|warn/i.test(l)).slice(0, 10)
    if (warnings.length) results.notes.push(`${proc.name} log lines mentioning auth/error/warn: ${JSON.stringify(warnings)}`)
  }
  results.finishedAt = new Date().toISOString()
  return results
}

function fmtKB(b) {
  return `${(b / 1024).toFixed(1)} KB`
}

function report(r) {
  const m = r.machine
  const g = r.guard
  const lc = r.loginCost
  const s = r.session
  const ms = r.middlewareSize
  const t = r.throughput
  const ok = (cond) => (cond ? 'met' : '**NOT met**')
  const lines = []
  lines.push('# myclinic auth benchmark')
  lines.push('')
  lines.push(`Command: \`${m.command}\` (bench/run.mjs) · ${m.date} · git ${m.gitHead}`)
  lines.push('')
  lines.push(`Machine: ${m.cpu}, ${m.cores} cores, ${m.ramGiB} GiB RAM, Node ${m.node}, Next ${m.next}, ${m.os}.`)
  lines.push(`App (\`node scripts/start.mjs\`, production build, HTTPS) on :${APP_PORT}, local IS on :${IS_PORT}, load generator: all three on the same ${m.cores} cores.`)
  lines.push(`Build: ${r.build.built ? `rebuilt (${r.build.seconds} s)` : 'reused .next (not stale)'}.`)
  lines.push('')
  lines.push('## 1. Guard overhead')
  lines.push('')
  const uc = g.unguardedCopy
  lines.push(`Same page, same kind of session, same run: \`/\` (the dashboard) with a valid session cookie against **A** = the app on :${APP_PORT} (guard in middleware.ts) and **U** = a second production build of the whole app on :${UNGUARDED_PORT} whose middleware.ts is a pass-through (\`NextResponse.next()\`) with the same matcher (${uc.middlewareMatchers.map((x) => `\`${x}\``).join(', ')}). U is built by this script from a copy of app/, lib/, components/, public/, instrumentation*, tsconfig, package.json, postcss and next.config (+ turbopack.root '/') in a temp dir (${uc.buildSeconds} s, removed afterwards), started with \`node scripts/start.mjs\` with the same env and session secret, so a cookie minted on :${APP_PORT} is valid on :${UNGUARDED_PORT}. Two Node processes (Next middleware cannot be switched off inside one), measured alternately in one run.`)
  lines.push('')
  lines.push(`autocannon, ${CONNECTIONS} connections, ${DURATION} s per run, ${g.runsA.length} runs each in the order ${g.order} after warm-ups of 2 × ${GUARD_WARMUP} s on each (A U A U); medians shown. A fresh session is minted (a login on :${APP_PORT}) before every run, so no run reaches the guard's 60 s re-seal (TOUCH_INTERVAL).`)
  lines.push('')
  lines.push('| | server | req/s | p50 ms | p99 ms | app CPU (cores) | app CPU ms/request | other processes (cores) | body bytes |')
  lines.push('|---|---|---|---|---|---|---|---|---|')
  lines.push(`| A | ${g.A.label} | ${g.A.rps} | ${g.A.p50} | ${g.A.p99} | ${g.A.appCores} | ${g.A.appCpuMsPerRequest} | ${g.A.otherCores} | ${g.A.bytes} |`)
  lines.push(`| U | ${g.U.label} | ${g.U.rps} | ${g.U.p50} | ${g.U.p99} | ${g.U.appCores} | ${g.U.appCpuMsPerRequest} | ${g.U.otherCores} | ${g.U.bytes} |`)
  lines.push(`| C | ${g.C.label} (1 run) | ${g.C.rps} | ${g.C.p50} | ${g.C.p99} | ${g.C.appCores} | – | ${g.C.otherCores} | – |`)
  lines.push('')
  const verdict = g.ratio >= g.target && g.pairRatioMedian >= g.target ? 'met' : g.ratio < g.target && g.pairRatioMedian < g.target ? '**NOT met**' : '**inconclusive** (the two estimates disagree: run-to-run noise)'
  lines.push(`**Guarded / unguarded throughput: ${g.ratio}** (ratio of the medians) · **${g.pairRatioMedian}** (median of the ratios within adjacent A/U pairs: ${g.pairRatios.join(' / ')}) — target ≥ ${g.target}: ${verdict}. Latency guarded/unguarded (medians): p50 ${g.p50Ratio}, p99 ${g.p99Ratio}. App CPU per request guarded/unguarded: ${g.cpuPerRequestRatio} (medians), ${g.pairCpuRatioMedian} (median within pairs: ${g.pairCpuRatios.join(' / ')}).`)
  lines.push('')
  lines.push(`Run-to-run spread of req/s (half the range, relative to the median): A ±${g.A.rpsSpreadPct} %, U ±${g.U.rpsSpreadPct} %. ${Math.max(g.A.rpsSpreadPct, g.U.rpsSpreadPct) > 5 ? 'That is larger than the 3 % the target is about, so one bench run does not settle it; the pair ratios, taken from runs next to each other in time, are the less drift-exposed estimate. More runs: BENCH_GUARD_RUNS.' : ''}`)
  lines.push('')
  lines.push(`Per-run req/s: A ${g.runsA.map((x) => x.rps).join(' / ')}, U ${g.runsU.map((x) => x.rps).join(' / ')}; other processes (cores): A ${g.runsA.map((x) => x.otherCores).join(' / ')}, U ${g.runsU.map((x) => x.otherCores).join(' / ')}. "Other processes" = machine CPU (/proc/stat) minus this script (incl. autocannon) and the servers it started: other users' builds and tests on the same ${m.cores} cores.`)
  lines.push('')
  lines.push(`What A − U contains: the guard's own work per request in the edge sandbox (config, cookie parse, SEAL_PATTERN test, the memoised unseal — the middleware sandbox keeps its own memo —, idle/absolute timeout checks, the no-store header) and the larger middleware bundle (${uc.appMiddlewareRawBytes} vs ${uc.middlewareRawBytes} raw bytes). Both pay the middleware invocation itself (U's pass-through runs on the same matcher) and the page's own getSession (memoised unseal + revocation check) and render. Without a cookie, A's middleware answers ${uc.noCookie.app.status} → ${uc.noCookie.app.location} (${uc.noCookie.app.bytes} bytes) while U's page redirects itself: ${uc.noCookie.copy.status} → ${uc.noCookie.copy.location} (${uc.noCookie.copy.bytes} bytes). Remaining differences between A and U: U is built with turbopack.root '/' (module ids/chunk names only) and its response lacks the guard's \`cache-control: no-store\` (A: \`${g.A.cacheControl}\`, U: \`${g.U.cacheControl}\`).`)
  lines.push('')
  lines.push(`Unseal micro-benchmarks (in this Node process, not in the app):`)
  lines.push(`- Raw unseal, **no memoisation** (what a request with a cookie not seen in the last 60 s pays, once in the middleware and once in the page): cookie parse + chunk join + iron-session unsealData + shape check of the real session cookie, N=${MICRO_N}: **${g.unsealUs} µs/op wall** serial, ${g.unsealCpuUs} µs CPU/op (all threads; WebCrypto runs on libuv's pool), ${g.unsealConcurrentUs} µs/op wall with 16 in flight. If every request missed the memo, the guard's unseal alone would cost ${(g.rawUnsealCoreFraction * 100).toFixed(2)} % of a core at A's ${g.A.rps} req/s = ${(g.rawUnsealShareOfAppCpu * 100).toFixed(1)} % of the ${g.A.appCores} cores the app used → a throughput ratio of about ${g.rawUnsealWorstCaseRatio} (an estimate, not measured).`)
  lines.push(`- **Memoised** path, as lib/auth/session.ts unsealSession() now does (successful unseals kept 60 s keyed by the whole seal; one miss, then ${g.memo.n} hits): cookie parse + chunk join + SEAL_PATTERN test + Map lookup + await = **${g.memo.hitUs} µs/op** wall (${g.memo.hitCpuUs} µs CPU), of which the SEAL_PATTERN test of the ${g.memo.sealBytes}-byte seal ${g.memo.patternUs} µs; ${(g.memoHitShareOfAppCpu * 100).toFixed(3)} % of the app's CPU at A's rate. With autocannon's constant cookie every request after the first of a run takes this path in both A and U.`)
  lines.push(`- Row C bounds the middleware's invocation cost from above: a request answered by the middleware alone (no page) runs at ${g.C.rps} req/s, i.e. ≤ ${(1000 / g.C.rps).toFixed(2)} ms of server time per request including TLS/HTTP.`)
  lines.push('')
  lines.push('## 2. Cost per login')
  lines.push('')
  lines.push(`${lc.logins} sequential full logins over HTTP (fresh client each: GET /login → IS authorize → login.do → POST /commonauth → callback), after 3 warm-up logins; consent skipped (skip_login_consent).`)
  lines.push('')
  lines.push(`- Callback (\`GET /login?code=..\`) wall time: p50 **${lc.callbackP50} ms**, p90 ${lc.callbackP90} ms, p99 ${lc.callbackP99} ms. Includes: transaction unseal, token request (TLS to IS, IS work), ID token checks + RS256 signature verification, userinfo request, session seal, response.`)
  lines.push(`- IS's own latency, measured directly by this script with a keep-alive connection (N=${lc.isDirect.n}): token p50 ${lc.isDirect.tokenP50} ms, userinfo p50 ${lc.isDirect.userinfoP50} ms → app's own share of the callback ≈ **${lc.appOwnEstimateP50} ms** (p50 difference).`)
  lines.push(`- Timeline from the IS request log (arrival times, ms resolution, n=${lc.timeline.n}): callback start → token request arrives ${lc.timeline.beforeTokenP50} ms; token → userinfo arrives ${lc.timeline.tokenToUserinfoP50} ms (IS token work + app ID token validation); userinfo arrives → callback response received ${lc.timeline.afterUserinfoP50} ms.`)
  lines.push(`- Callback after 6 s idle: ${lc.coldCallbacks.join(' / ')} ms, p50 **${lc.coldCallbackP50} ms** vs warm p50 ${lc.callbackP50} ms. lib/auth/http.ts keeps connections to the IS alive for 30 s and builds its TLS SecureContext once per process: building one from ca = [...rootCertificates, IS cert] (${lc.secureContext.caCount} CAs) costs ${lc.secureContext.msAllRootsPlusIs} ms CPU here (vs ${lc.secureContext.msIsOnly} ms for the IS cert alone), which earlier versions paid on every new connection.`)
  lines.push(`- GET /login (start) p50 ${lc.loginStartP50} ms; whole login p50 ${lc.fullLoginP50} ms. Requests per login: ${lc.hops.app} to the app, ${lc.hops.is} to the IS (front channel).`)
  lines.push(`- Back-channel calls per login after warm-up: **${lc.backchannelPerLogin}** (target exactly 2: ${ok(lc.backchannelPerLogin === 2)}) — ${Object.entries(lc.perLogin).map(([k, v]) => `${k} ${v}`).join(', ')}.`)
  lines.push('')
  lines.push('## 3. Session cost')
  lines.push('')
  lines.push('| token set | access token bytes | session JSON bytes | cookies | Set-Cookie bytes | Cookie header bytes per request | unseal µs wall | unseal µs CPU | seal µs wall |')
  lines.push('|---|---|---|---|---|---|---|---|---|')
  lines.push(`| default (opaque access token) | ${s.default.accessTokenBytes} | ${s.default.sessionJsonBytes} | ${s.default.chunks} | ${s.default.setCookieBytes} | ${s.default.cookieHeaderBytes} | ${s.default.unsealUs} | ${s.default.unsealCpuUs} | ${s.default.sealUs} |`)
  lines.push(`| JWT access token + ${s.large.extraClaims} claims of ~${s.large.charsPerClaim} chars | ${s.large.accessTokenBytes} | ${s.large.sessionJsonBytes} | ${s.large.chunks} | ${s.large.setCookieBytes} | ${s.large.cookieHeaderBytes} | ${s.large.unsealUs} | ${s.large.unsealCpuUs} | ${s.large.sealUs} |`)
  lines.push('')
  lines.push(`Set-Cookie bytes = sum of the full \`${COOKIE_NAME}*\` Set-Cookie header values of the callback response. Unseal/seal: N=${s.microN} / ${Math.max(200, Math.floor(s.microN / 4))} serial iterations.` + (s.largePage ? ` \`/\` with the large session: ${s.largePage.rps} req/s, p50 ${s.largePage.p50} ms, p99 ${s.largePage.p99} ms (one ${DURATION} s run; compare A).` : ''))
  lines.push('')
  lines.push('## 4. Edge middleware size')
  lines.push('')
  lines.push('| build | files | raw bytes | gzip -9 (concatenated) | gzip -9 (sum per file) |')
  lines.push('|---|---|---|---|---|')
  lines.push(`| app middleware.ts (guard) | ${ms.app.files} | ${ms.app.raw} | ${ms.app.gzipConcat} | ${ms.app.gzipPerFile} |`)
  lines.push(`| empty \`export function middleware() {}\`, same matcher | ${ms.empty.files} | ${ms.empty.raw} | ${ms.empty.gzipConcat} | ${ms.empty.gzipPerFile} |`)
  lines.push(`| **added by the guard** | | ${ms.addedRaw} (${fmtKB(ms.addedRaw)}) | **${ms.addedGzipConcat} (${fmtKB(ms.addedGzipConcat)})** | ${ms.addedGzipPerFile} (${fmtKB(ms.addedGzipPerFile)}) |`)
  lines.push('')
  lines.push(`Files from .next/server/middleware-manifest.json (files + wasm + assets). The baseline is a throw-away project in /tmp with the app's package.json, tsconfig and next.config (plus turbopack.root '/' so the symlinked node_modules resolves), built with the same next. Target ≤ 20 KB gzip added: ${ok(ms.addedGzipConcat <= 20 * 1024)}.`)
  lines.push('')
  lines.push('## 5. Login throughput')
  lines.push('')
  lines.push(`${t.logins} full logins (${t.failures} failed) by ${t.clients} concurrent clients in ${t.wallSeconds} s: **${t.loginsPerSecond} logins/s**; login p50 ${t.loginP50} ms, p99 ${t.loginP99} ms; callback p50 ${t.callbackP50} ms, p99 ${t.callbackP99} ms.`)
  lines.push('')
  lines.push(`CPU (utime+stime from /proc/<pid>/stat, process trees): app ${t.cpuSeconds.app} s (${t.cpuMsPerLogin.app} ms/login), local IS ${t.cpuSeconds.is} s (${t.cpuMsPerLogin.is} ms/login), load generator ${t.cpuSeconds.benchClient} s. App share of app+IS: **${(t.appShareOfAppPlusIs * 100).toFixed(0)} %**. Back-channel calls per login under load: ${t.backchannelPerLogin}.`)
  lines.push('')
  if (r.notes.length) {
    lines.push('## Notes')
    lines.push('')
    for (const n of r.notes) lines.push(`- ${n}`)
    lines.push('')
  }
  return lines.join('\n')
}

let exitCode = 0
try {
  const results = await main()
  writeFileSync(join(BENCH, 'results.json'), JSON.stringify(results, null, 2) + '\n')
  const md = report(results)
  writeFileSync(join(BENCH, 'results.md'), md + '\n')
  console.log('\n' + md)
  log('wrote bench/results.md and bench/results.json')
} catch (error) {
  console.error('[bench] failed:', error?.stack || error)
  for (const c of children) console.error(`--- ${c.name} output (tail) ---\n${c.output().slice(-3000)}`)
  exitCode = 1
} finally {
  await stopAllAndWait()
  removeTempDirs()
  await controlAgent.close().catch(() => {})
}
process.exit(exitCode)
