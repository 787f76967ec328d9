/**
 * Markdown helpers and the generated blocks of bench/results.md: each script owns the text
 * between its two markers (`<!-- bench:start -->` … `<!-- bench:end -->`, `soak:` likewise) and
 * leaves the rest of the file (the hand-kept "before" figures, notes) as it is.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { fmtCi, r1, r2, r3 } from '../lib/stats.mjs'

/**
 * A Markdown table.
 * @param {string[]} head
 * @param {(string | number)[][]} rows
 */
export function table(head, rows) {
  const cell = (c) => String(c ?? '–').replace(/\|/g, '\\|')
  return [`| ${head.map(cell).join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`)].join('\n')
}

/** "0.87 [0.84, 0.91]" for a ratio interval. */
export const ratio = (ci) => fmtCi(ci, r3)
/** The same with 1 decimal (µs, ms). */
export const ci1 = (ci) => fmtCi(ci, r1)
export const ci2 = (ci) => fmtCi(ci, r2)

/** "1.2 KB" */
export const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KB`

/**
 * Whether a 95 % interval excludes the neutral value, in words.
 * @param {{ lo: number, hi: number }} ci
 * @param {number} neutral
 */
export function resolvedWords(ci, neutral = 1) {
  if (!Number.isFinite(ci?.lo)) return 'not resolved (too few pairs)'
  if (ci.lo > neutral) return `resolved: above ${neutral}`
  if (ci.hi < neutral) return `resolved: below ${neutral}`
  return `not resolved: the interval contains ${neutral}`
}

/**
 * Replaces the block between `<!-- name:start -->` and `<!-- name:end -->` in a file (appends the
 * block, markers included, when the file has none).
 * @param {string} path
 * @param {string} name
 * @param {string} body
 */
export function writeBlock(path, name, body) {
  const start = `<!-- ${name}:start -->`
  const end = `<!-- ${name}:end -->`
  const block = `${start}\n${body.trim()}\n${end}`
  const old = existsSync(path) ? readFileSync(path, 'utf8') : ''
  const i = old.indexOf(start)
  const j = old.indexOf(end)
  const next = i >= 0 && j > i ? old.slice(0, i) + block + old.slice(j + end.length) : `${old.trimEnd()}${old ? '\n\n' : ''}${block}\n`
  writeFileSync(path, next.endsWith('\n') ? next : `${next}\n`)
}
