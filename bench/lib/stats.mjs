/**
 * Small statistics for the bench and the soak: quantiles, rounding, spreads and bootstrap
 * confidence intervals. Pure functions, no I/O.
 */

/**
 * Linear-interpolated quantile (the same definition as numpy's default).
 * @param {number[]} xs
 * @param {number} q between 0 and 1
 * @returns {number} NaN for an empty list
 */
export function quantile(xs, q) {
  if (!xs.length) return NaN
  const s = [...xs].sort((a, b) => a - b)
  const pos = (s.length - 1) * q
  const lo = Math.floor(pos)
  const hi = Math.ceil(pos)
  return s[lo] + (s[hi] - s[lo]) * (pos - lo)
}

/** @param {number[]} xs */
export const median = (xs) => quantile(xs, 0.5)

/** @param {number[]} xs */
export const mean = (xs) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN)

/** Round to 1, 2 or 3 decimals (NaN stays NaN). */
export const r0 = (x) => Math.round(x)
export const r1 = (x) => Math.round(x * 10) / 10
export const r2 = (x) => Math.round(x * 100) / 100
export const r3 = (x) => Math.round(x * 1000) / 1000

/**
 * Half the range of xs relative to its median, in per cent: differences smaller than this are not
 * resolved by comparing single runs.
 * @param {number[]} xs
 */
export function spreadPct(xs) {
  if (!xs.length) return NaN
  return (50 * (Math.max(...xs) - Math.min(...xs))) / median(xs)
}

/**
 * A deterministic pseudo-random generator (mulberry32), so that a report's bootstrap intervals do
 * not change when it is re-rendered from results.json.
 * @param {number} seed
 * @returns {() => number} uniform in [0, 1)
 */
export function seededRandom(seed = 1) {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/**
 * Percentile bootstrap confidence interval of a statistic of one sample.
 * @param {number[]} xs the sample (e.g. per-pair ratios)
 * @param {(sample: number[]) => number} statistic e.g. median
 * @param {{ reps?: number, level?: number, seed?: number }} [options] level 0.95 by default
 * @returns {{ estimate: number, lo: number, hi: number, n: number, level: number }}
 */
export function bootstrapCi(xs, statistic = median, { reps = 2000, level = 0.95, seed = 1 } = {}) {
  const n = xs.length
  const estimate = statistic(xs)
  if (n < 2) return { estimate, lo: NaN, hi: NaN, n, level }
  const random = seededRandom(seed)
  const stats = new Array(reps)
  const sample = new Array(n)
  for (let r = 0; r < reps; r++) {
    for (let i = 0; i < n; i++) sample[i] = xs[Math.floor(random() * n)]
    stats[r] = statistic(sample)
  }
  const alpha = (1 - level) / 2
  return { estimate, lo: quantile(stats, alpha), hi: quantile(stats, 1 - alpha), n, level }
}

/**
 * Bootstrap interval of a ratio of two statistics from two independent samples (e.g. median CPU
 * per login of two apps, logins interleaved in time): both samples are resampled independently.
 * @param {number[]} xs numerator sample
 * @param {number[]} ys denominator sample
 * @param {(sample: number[]) => number} statistic
 */
export function bootstrapRatioCi(xs, ys, statistic = median, { reps = 2000, level = 0.95, seed = 7 } = {}) {
  const estimate = statistic(xs) / statistic(ys)
  if (xs.length < 2 || ys.length < 2) return { estimate, lo: NaN, hi: NaN, n: Math.min(xs.length, ys.length), level }
  const random = seededRandom(seed)
  const draw = (s) => Array.from(s, () => s[Math.floor(random() * s.length)])
  const ratios = []
  for (let r = 0; r < reps; r++) ratios.push(statistic(draw(xs)) / statistic(draw(ys)))
  const alpha = (1 - level) / 2
  return { estimate, lo: quantile(ratios, alpha), hi: quantile(ratios, 1 - alpha), n: Math.min(xs.length, ys.length), level }
}

/**
 * Student-t 95 % interval of the mean (two-sided), for comparison with the bootstrap.
 * @param {number[]} xs
 */
export function tCi95(xs) {
  const n = xs.length
  const m = mean(xs)
  if (n < 2) return { estimate: m, lo: NaN, hi: NaN, n }
  const sd = Math.sqrt(xs.reduce((a, x) => a + (x - m) ** 2, 0) / (n - 1))
  const half = tQuantile975(n - 1) * (sd / Math.sqrt(n))
  return { estimate: m, lo: m - half, hi: m + half, n, sd }
}

/** The 97.5 % quantile of Student's t with df degrees of freedom (table, then the normal limit). */
function tQuantile975(df) {
  const table = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11, 2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042]
  if (df <= table.length) return table[df - 1]
  if (df <= 60) return 2.0
  return 1.98
}

/**
 * Formats an interval as "1.02 [0.98, 1.06]".
 * @param {{ estimate: number, lo: number, hi: number }} ci
 * @param {(x: number) => number} round
 */
export function fmtCi(ci, round = r3) {
  if (!ci) return '–'
  if (!Number.isFinite(ci.lo)) return `${round(ci.estimate)}`
  return `${round(ci.estimate)} [${round(ci.lo)}, ${round(ci.hi)}]`
}
