/**
 * Best-effort micro-benchmark of unsealing a real session cookie in this process: what a request
 * pays when a guard cannot use a memoised result. It knows iron-session's seal format only: the
 * password id is read from the seal (`Fe26.2*<id>*...`) and paired with the bench's session
 * secret. When the app derives its iron password differently, the unseal fails and the section
 * says so instead of guessing.
 */
import { performance } from 'node:perf_hooks'
import { sealData, unsealData } from 'iron-session'
import { SESSION_SECRET } from '../lib/config.mjs'
import { r1 } from '../lib/stats.mjs'

/** The joined seal of `__Host-myclinic-session` (plain or `.0`, `.1`, ... chunks) in a Cookie header. */
function sealOf(cookieHeader) {
  const cookies = new Map(cookieHeader.split(';').map((p) => p.trim().split(/=(.*)/s).slice(0, 2)))
  if (cookies.has('__Host-myclinic-session')) return cookies.get('__Host-myclinic-session')
  const parts = []
  for (let i = 0; cookies.has(`__Host-myclinic-session.${i}`); i++) parts.push(cookies.get(`__Host-myclinic-session.${i}`))
  return parts.join('')
}

/** Mean µs per call of n serial awaits of fn, wall and this process's CPU. */
async function timeSerial(fn, n) {
  for (let i = 0; i < Math.min(200, n); i++) await fn()
  const c0 = process.cpuUsage()
  const t0 = performance.now()
  for (let i = 0; i < n; i++) await fn()
  const c1 = process.cpuUsage(c0)
  return { wallUs: r1(((performance.now() - t0) * 1000) / n), cpuUs: r1((c1.user + c1.system) / n) }
}

/**
 * @param {string} cookieHeader the session cookies of a fresh login
 * @param {number} n iterations
 * @returns {Promise<object>} { ok: false, reason } when the seal is not one it can open
 */
export async function unsealCost(cookieHeader, n) {
  const seal = sealOf(cookieHeader)
  const id = /^Fe26\.2\*([^*]*)\*/.exec(seal)?.[1]
  if (!id) return { ok: false, reason: 'the session cookie is not an iron-session seal' }
  const password = { [id]: SESSION_SECRET }
  const ttl = 9 * 3600
  let data
  try {
    data = await unsealData(seal, { password, ttl })
  } catch (e) {
    return { ok: false, reason: `unsealData failed (${e.message}): the app derives its iron password from the secret` }
  }
  if (!data || !Object.keys(data).length) return { ok: false, reason: 'the seal did not open with the session secret as its password (the app derives its iron password)' }
  const unseal = await timeSerial(() => unsealData(seal, { password, ttl }), n)
  const seal2 = await timeSerial(() => sealData(data, { password, ttl }), Math.max(100, Math.floor(n / 4)))
  return { ok: true, n, sealBytes: seal.length, jsonBytes: JSON.stringify(data).length, unsealUs: unseal.wallUs, unsealCpuUs: unseal.cpuUs, sealUs: seal2.wallUs }
}
