/**
 * Reading V8 CPU profiles (`node --cpu-prof`): self time per function inside a time window, the
 * top entries, and the same grouped by package. The window is given in the monotonic clock that
 * both V8's profiler and `process.hrtime` use (CLOCK_MONOTONIC on Linux), so the bench can record
 * "the logins ran from here to there" in its own process and cut the app's profile to it.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { SourceMap } from 'node:module'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

/** Monotonic now in µs, the clock of a profile's startTime and timeDeltas. */
export const monotonicUs = () => Number(process.hrtime.bigint() / 1000n)

/**
 * The only .cpuprofile in a directory.
 * @param {string} dir
 */
export function readProfile(dir) {
  const files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'))
  if (files.length !== 1) throw new Error(`expected one .cpuprofile in ${dir}, found ${files.length}`)
  return JSON.parse(readFileSync(join(dir, files[0]), 'utf8'))
}

/**
 * Maps a position in a built file to its original source with the build's source maps (Next
 * writes `.js.map` next to its server chunks): the original file and line, and a function name
 * read from the original text when the minified one says nothing.
 */
export function sourceMapper() {
  const maps = new Map()
  const load = (path) => {
    if (!maps.has(path)) {
      let map = null
      try {
        if (existsSync(`${path}.map`)) map = new SourceMap(JSON.parse(readFileSync(`${path}.map`, 'utf8')))
      } catch {}
      maps.set(path, map)
    }
    return maps.get(path)
  }
  /** @returns {{ source: string, line: number, name?: string } | null} */
  return (url, line, column) => {
    if (!url || url.startsWith('node:')) return null
    const path = url.startsWith('file://') ? fileURLToPath(url) : url
    const map = load(path)
    const e = map?.findEntry(line, column)
    if (!e?.originalSource) return null
    const source = e.originalSource.startsWith('file://') ? fileURLToPath(e.originalSource) : resolve(dirname(path), e.originalSource)
    return { source, line: e.originalLine + 1, name: e.name || nameAt(map, e) }
  }
}

/** The identifier a function starts with in the original text (`async function foo(`, `foo(`, `foo = (`, `get foo(`). */
function nameAt(map, entry) {
  const i = map.payload.sources.indexOf(entry.originalSource)
  const text = map.payload.sourcesContent?.[i]
  if (!text) return undefined
  const line = text.split('\n')[entry.originalLine] ?? ''
  const rest = line.slice(entry.originalColumn)
  const m = /^(?:export\s+)?(?:default\s+)?(?:async\s+)?(?:function\s*\*?\s*|get\s+|set\s+|static\s+)?([A-Za-z_$][\w$]*)/.exec(rest)
  if (m && !['function', 'async', 'return', 'new', 'await'].includes(m[1])) return m[1]
  const before = /([A-Za-z_$][\w$]*)\s*[:=]\s*(?:async\s*)?$/.exec(line.slice(0, entry.originalColumn))
  return before?.[1]
}

/**
 * A short name for a script: under node_modules the path from the package on (or only the
 * package, for grouping), Node's own modules as `node:…` (or `node`), else the path under the project.
 */
function where(url, root, { packageOnly = false } = {}) {
  if (!url) return '(native)'
  const path = url.replace(/^file:\/\//, '')
  const nm = path.lastIndexOf('node_modules/')
  if (nm >= 0) {
    const rest = path.slice(nm + 'node_modules/'.length)
    const parts = rest.split('/')
    const pkg = parts[0].startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]
    return packageOnly ? pkg : rest
  }
  if (path.startsWith('node:')) return packageOnly ? path.split('/').slice(0, 2).join('/') : path
  return root && path.startsWith(root) ? path.slice(root.length + 1) : path
}

/** Whether a group is Node itself or native code (charged to its caller by {@link chargedGroups}). */
const isRuntime = (group) => group.startsWith('node:') || group.startsWith('(')

/**
 * For every profile node: the group it is charged to — its own package, or for Node's internals
 * and native code the nearest caller that is not (so WebCrypto's work counts for the package that
 * called it). GC and idle stay themselves.
 */
function chargedGroups(profile, mapped) {
  const parent = new Map()
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id)
  const out = new Map()
  const chargeOf = (id) => {
    if (out.has(id)) return out.get(id)
    const { group } = mapped.get(id)
    let charge = group
    if (isRuntime(group) && !['(garbage collector)', '(idle)', '(program)'].includes(group)) {
      charge = parent.has(id) ? chargeOf(parent.get(id)) : group
      if (charge === '(root)') charge = group
    }
    out.set(id, charge)
    return charge
  }
  for (const n of profile.nodes) chargeOf(n.id)
  return out
}

/** For every profile node: the distinct function keys on its stack (itself and its callers). */
function stackKeys(profile, mapped) {
  const parent = new Map()
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id)
  const out = new Map()
  const keysOf = (id) => {
    if (out.has(id)) return out.get(id)
    const up = parent.has(id) ? keysOf(parent.get(id)) : new Set()
    const mine = new Set(up)
    mine.add(mapped.get(id).key)
    out.set(id, mine)
    return mine
  }
  for (const n of profile.nodes) keysOf(n.id)
  return out
}

/**
 * For every profile node: the key of its function (name and original file:line when a source map
 * knows it) and its group (the package, or the project file).
 */
function originalFrames(profile, root) {
  const map = sourceMapper()
  const out = new Map()
  for (const node of profile.nodes) {
    const { functionName, url, lineNumber, columnNumber } = node.callFrame
    if (!url) {
      out.set(node.id, { key: `${functionName || '(anonymous)'} (native)`, group: functionName.startsWith('(') ? functionName : '(native)' })
      continue
    }
    const orig = map(url, lineNumber, columnNumber)
    const file = orig ? orig.source : url
    const name = (orig?.name && functionName.length <= 2 ? orig.name : functionName) || orig?.name || '(anonymous)'
    out.set(node.id, { key: `${name} ${where(file, root)}:${orig ? orig.line : lineNumber + 1}`, group: where(file, root, { packageOnly: true }) })
  }
  return out
}

/** Whether t lies in one of the sorted, non-overlapping windows; `state.i` walks forward with t. */
function inWindows(t, windows, state) {
  while (state.i < windows.length && windows[state.i][1] < t) state.i++
  return state.i < windows.length && windows[state.i][0] <= t
}

/**
 * Self time per function and per group of the samples inside the windows.
 * @param {{ nodes: any[], samples: number[], timeDeltas: number[], startTime: number }} profile
 * @param {{ windows?: [number, number][], root?: string }} [options] windows: [fromUs, toUs] in the monotonic clock, sorted; default the whole profile
 */
export function selfTimes(profile, { windows = [[-Infinity, Infinity]], root = '' } = {}) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]))
  const mapped = originalFrames(profile, root)
  const stacks = stackKeys(profile, mapped)
  const charged = chargedGroups(profile, mapped)
  const inclusive = new Map()
  const perCaller = new Map()
  const perFunction = new Map()
  const perGroup = new Map()
  let t = profile.startTime
  let totalUs = 0
  let idleUs = 0
  let samples = 0
  const state = { i: 0 }
  for (let i = 0; i < profile.samples.length; i++) {
    const dt = profile.timeDeltas[i] ?? 0
    t += dt
    if (!inWindows(t, windows, state)) continue
    samples++
    const next = profile.timeDeltas[i + 1] ?? dt // a sample stands for the interval up to the next one
    const node = byId.get(profile.samples[i])
    if (node.callFrame.functionName === '(idle)') {
      idleUs += next
      continue
    }
    totalUs += next
    const { key, group } = mapped.get(node.id)
    perFunction.set(key, (perFunction.get(key) ?? 0) + next)
    for (const k of stacks.get(node.id)) inclusive.set(k, (inclusive.get(k) ?? 0) + next)
    const c = charged.get(node.id)
    perCaller.set(c, (perCaller.get(c) ?? 0) + next)
    perGroup.set(group, (perGroup.get(group) ?? 0) + next)
  }
  return { totalUs, idleUs, samples, perFunction, perGroup, inclusive, perCaller }
}

/**
 * The n largest entries of a Map of µs, with their share of the total and their µs per unit (e.g. per login).
 * @param {Map<string, number>} map
 * @param {number} totalUs
 * @param {number} units
 * @param {number} n
 */
export function top(map, totalUs, units, n = 15) {
  return [...map]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([name, us]) => ({ name, pct: Math.round((1000 * us) / totalUs) / 10, msPerUnit: Math.round(us / units / 10) / 100 }))
}
