/**
 * The soak's settings and environment variables. Ports are its own (the bench uses 9543 and
 * 5443-5546, the e2e tests 9443 and 5000-5005).
 */
import { numberEnv } from '../lib/config.mjs'

export const SOAK_PORTS = { is: 9643, proxy: 5643, apps: [5644, 5645], redis: 5646 }
export const PROXY_ORIGIN = `https://localhost:${SOAK_PORTS.proxy}`
export const IS_ORIGIN = `https://localhost:${SOAK_PORTS.is}`

const seconds = numberEnv('BENCH_SOAK_SECONDS', 60)

/** Every tunable (see bench/README.md, "Soak"). */
export const SOAK = {
  /** The measured phase: load plus one IS and one Redis restart. */
  seconds,
  /** Warm-up with the same load before it (RSS "after warm-up" is read at its end). */
  warmUpSeconds: numberEnv('BENCH_SOAK_WARMUP_SECONDS', Math.min(30, Math.max(3, Math.round(seconds / 2)))),
  sessions: numberEnv('BENCH_SOAK_SESSIONS', 200),
  /** Dashboard reads per second over all sessions (each session reads every sessions/rate seconds). */
  readsPerSecond: numberEnv('BENCH_SOAK_READS_PER_SECOND', 60),
  loginsPerSecond: numberEnv('BENCH_SOAK_LOGINS_PER_SECOND', 20),
  /** The IS is restarted at this fraction of the measured phase, Redis at the second. */
  isRestartAt: 1 / 3,
  redisRestartAt: 2 / 3,
  /** A 502/503 counts as "during the outage" when its request overlaps the outage window widened by this. */
  graceMs: numberEnv('BENCH_SOAK_GRACE_MS', 2000),
  /** The whole soak (setup, load, checks) stops itself after this. */
  hardLimitSeconds: 300,
  /** Allowed RSS growth from the end of the warm-up to the end. */
  maxRssGrowth: 0.1,
  outDir: process.env.BENCH_OUT_DIR || '',
  /**
   * Node flags of the app instances. By default a heap budget, as a production deployment sets
   * one (a 256 MiB container: 192 MiB of old space): without it V8 on a large machine lets the
   * heap grow by hundreds of MiB before it collects, and RSS says nothing about leaks. With it a
   * leak cannot hide: the instance runs out of memory and its requests fail. Empty for none.
   */
  appNodeArgs: (process.env.BENCH_SOAK_NODE_ARGS ?? '--max-old-space-size=192').split(/\s+/).filter(Boolean),
}
