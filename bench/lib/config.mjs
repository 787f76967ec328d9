/**
 * The bench's fixed settings and its environment variables, read once. Ports are the bench's own
 * (the e2e tests use 9443 and 5000-5005, the soak 9643 and 5643-5646).
 */
import { randomBytes } from 'node:crypto'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
export const BENCH_DIR = join(ROOT, 'bench')

/**
 * A numeric environment variable.
 * @param {string} name
 * @param {number} fallback
 */
export function numberEnv(name, fallback) {
  const raw = process.env[name]
  if (raw === undefined || raw === '') return fallback
  const value = Number(raw)
  if (!Number.isFinite(value) || value < 0) throw new Error(`${name}=${raw}: expected a non-negative number`)
  return value
}

const SMOKE = process.env.BENCH_SMOKE === '1'

/** Ports and origins of everything the bench starts. */
export const PORTS = { is: 9543, app: 5443, unguarded: 5444, noUserinfo: 5447, authjs: 5545, auth0: 5546 }
export const IS = `https://localhost:${PORTS.is}`
export const ISSUER = `${IS}/oauth2/token`
export const APP = `https://localhost:${PORTS.app}`
export const UNGUARDED = `https://localhost:${PORTS.unguarded}`

/** The stand-in's seeded clients: myclinic uses `myclinic`, the peers `myclinic-skip` (both without consent). */
export const CLIENTS = {
  myclinic: { id: 'u4SHfHP772VBYhSffz7hDrX7QiQa', secret: 'EU_tx0VLEfzTattupXFbeZqO3_0a' },
  peers: { id: 'myclinicSkipConsentClient01', secret: 'myclinic-skip-secret-0123456789' },
}

/** A high-entropy session secret per run (as `openssl rand -base64 32`). */
export const SESSION_SECRET = randomBytes(32).toString('base64')

/** Sections `BENCH_SECTIONS` can name (comma-separated; default all). */
export const ALL_SECTIONS = ['middleware', 'login', 'profile', 'guard', 'throughput', 'session', 'peers']

/** Every tunable, from the environment (BENCH_SMOKE=1 shrinks all counts to a quick check that the bench still works). */
export const SETTINGS = {
  smoke: SMOKE,
  sections: (process.env.BENCH_SECTIONS || ALL_SECTIONS.join(',')).split(',').map((s) => s.trim()).filter(Boolean),
  peers: (process.env.BENCH_PEERS ?? 'authjs,auth0').split(',').map((s) => s.trim()).filter(Boolean),
  skipBuild: process.env.BENCH_SKIP_BUILD === '1',
  /** Seconds per run of an alternating pair (guard and peer page comparisons). */
  pairSeconds: numberEnv('BENCH_PAIR_SECONDS', SMOKE ? 1 : 2),
  /** Alternating pairs per comparison. */
  pairs: numberEnv('BENCH_PAIRS', SMOKE ? 2 : 20),
  /** Connections of the closed-loop load (each keeps one request in flight). */
  connections: numberEnv('BENCH_CONNECTIONS', 8),
  /** Sequential logins per library in the login comparisons. */
  logins: numberEnv('BENCH_LOGINS', SMOKE ? 4 : 60),
  /** Logins recorded by the CPU profile of the callback. */
  profileLogins: numberEnv('BENCH_PROFILE_LOGINS', SMOKE ? 4 : 100),
  /** Logins and clients of the login throughput section. */
  concurrentLogins: numberEnv('BENCH_CONCURRENT_LOGINS', SMOKE ? 10 : 100),
  concurrentClients: numberEnv('BENCH_CONCURRENT_CLIENTS', SMOKE ? 4 : 20),
  /** Serial iterations of the unseal micro-benchmark. */
  microN: numberEnv('BENCH_MICRO_N', SMOKE ? 100 : 2000),
  /** Keep the callback's .cpuprofile in this directory (default: a temp dir, removed). */
  profileDir: process.env.BENCH_PROFILE_DIR || '',
  /** Where results.md and results.json go (default bench/; the smoke writes to a temp dir). */
  outDir: process.env.BENCH_OUT_DIR || '',
}

/** Request path that every middleware matcher covers and no app defines: middleware + the static 404. */
export const PROBE_PATH = '/__bench-probe'
