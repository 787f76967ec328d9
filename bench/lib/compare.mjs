/**
 * Turns alternating pairs and interleaved samples into ratios with their spread: the estimate,
 * a 95 % bootstrap interval and the per-pair values, so a report can say whether a difference is
 * resolved (the interval excludes 1, or 0 for a difference) or not.
 */
import { bootstrapCi, bootstrapRatioCi, median, quantile, r1, r3, spreadPct, tCi95 } from './stats.mjs'

/**
 * Ratios and differences of A over B from alternating pairs.
 * @param {{ a: import('./load.mjs').Run, b: import('./load.mjs').Run }[]} pairs
 */
export function comparePairs(pairs) {
  const rpsRatios = pairs.map((p) => p.a.rps / p.b.rps)
  const cpuRatios = pairs.map((p) => p.a.cpuUsPerRequest / p.b.cpuUsPerRequest)
  const cpuDiffs = pairs.map((p) => p.a.cpuUsPerRequest - p.b.cpuUsPerRequest)
  const side = (runs) => ({
    rps: r1(median(runs.map((r) => r.rps))),
    rpsSpreadPct: r1(spreadPct(runs.map((r) => r.rps))),
    cpuUsPerRequest: r1(median(runs.map((r) => r.cpuUsPerRequest))),
    cpuSpreadPct: r1(spreadPct(runs.map((r) => r.cpuUsPerRequest))),
    p50: r1(median(runs.map((r) => r.p50))),
    p99: r1(median(runs.map((r) => r.p99))),
    serverCores: r3(median(runs.map((r) => r.serverCores))),
    otherCores: r3(median(runs.map((r) => r.otherCores))),
    otherCoresMax: r3(Math.max(...runs.map((r) => r.otherCores))),
    requests: runs.reduce((s, r) => s + r.requests, 0),
    unexpected: runs.reduce((s, r) => s + r.unexpected, 0),
    errors: runs.reduce((s, r) => s + r.errors, 0),
  })
  return {
    pairs: pairs.length,
    a: side(pairs.map((p) => p.a)),
    b: side(pairs.map((p) => p.b)),
    rpsRatio: bootstrapCi(rpsRatios, median),
    cpuRatio: bootstrapCi(cpuRatios, median),
    cpuDiffUs: bootstrapCi(cpuDiffs, median),
    cpuDiffMeanUs: tCi95(cpuDiffs),
    perPair: pairs.map((p, i) => ({ i, rpsRatio: r3(rpsRatios[i]), cpuRatio: r3(cpuRatios[i]), cpuDiffUs: r1(cpuDiffs[i]) })),
  }
}

/**
 * Ratio of medians of two interleaved samples (e.g. CPU per login of two apps, logins alternated).
 * @param {number[]} xs A
 * @param {number[]} ys B
 */
export function compareSamples(xs, ys) {
  return {
    n: [xs.length, ys.length],
    a: describe(xs),
    b: describe(ys),
    ratio: bootstrapRatioCi(xs, ys, median),
  }
}

/** Median, quartiles, p90 and the bootstrap interval of the median. */
export function describe(xs) {
  return {
    n: xs.length,
    median: median(xs),
    p25: quantile(xs, 0.25),
    p75: quantile(xs, 0.75),
    p90: quantile(xs, 0.9),
    p99: quantile(xs, 0.99),
    medianCi: bootstrapCi(xs, median),
  }
}

/**
 * "resolved" when the 95 % interval excludes `neutral` (1 for a ratio, 0 for a difference).
 * @param {{ lo: number, hi: number }} ci
 */
export function resolved(ci, neutral = 1) {
  return Number.isFinite(ci.lo) && (ci.lo > neutral || ci.hi < neutral)
}
