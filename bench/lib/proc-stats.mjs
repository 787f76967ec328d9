/**
 * CPU and memory counters of processes, read from /proc (Linux only). Nothing here asks the
 * measured process anything: the app is measured from the outside, as a process.
 *
 * Two CPU clocks:
 * - `schedstat` (`/proc/<pid>/task/<tid>/schedstat`, first field): nanoseconds on a CPU per
 *   thread. Summed over every thread of every process in the tree, it resolves the CPU of a
 *   single request. Threads that exited are no longer counted (Node keeps its threads for life).
 * - `stat` utime + stime: clock ticks (10 ms at CLK_TCK 100) per process, including exited
 *   threads; used for long windows and as a cross-check.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { spawnSync } from 'node:child_process'

/** Clock ticks per second of /proc/<pid>/stat. */
export const CLK_TCK = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout?.trim()) || 100

/**
 * Parent of every running process.
 * @returns {Map<number, number>} pid → ppid
 */
function parentsByPid() {
  const parents = new Map()
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue
    try {
      const raw = readFileSync(`/proc/${name}/stat`, 'utf8')
      parents.set(Number(name), Number(raw.slice(raw.lastIndexOf(')') + 2).split(' ')[1]))
    } catch {}
  }
  return parents
}

/**
 * A process and all its descendants.
 * @param {number} rootPid
 * @returns {number[]} pids, root first
 */
export function processTree(rootPid) {
  const parents = parentsByPid()
  if (!parents.has(rootPid)) return []
  const tree = [rootPid]
  for (let i = 0; i < tree.length; i++) for (const [pid, ppid] of parents) if (ppid === tree[i]) tree.push(pid)
  return tree
}

/** Sum of the threads' schedstat run time of one process, in ns (0 if it is gone). */
function processRunNs(pid) {
  let ns = 0
  let tids
  try {
    tids = readdirSync(`/proc/${pid}/task`)
  } catch {
    return 0
  }
  for (const tid of tids) {
    try {
      ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0])
    } catch {}
  }
  return ns
}

/** utime + stime of one process in seconds (0 if it is gone). */
function processTickSeconds(pid) {
  try {
    const raw = readFileSync(`/proc/${pid}/stat`, 'utf8')
    const rest = raw.slice(raw.lastIndexOf(')') + 2).split(' ')
    return (Number(rest[11]) + Number(rest[12])) / CLK_TCK
  } catch {
    return 0
  }
}

/** Resident set size of one process in bytes (VmRSS; 0 if it is gone). */
function processRssBytes(pid) {
  try {
    const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
    return m ? Number(m[1]) * 1024 : 0
  } catch {
    return 0
  }
}

/**
 * A cheap reader of one process tree's counters. The tree's pids are looked up once and again at
 * most every `refreshMs` (scanning /proc costs about a millisecond), so it can be sampled around
 * every single request.
 * @param {number} rootPid
 * @param {{ refreshMs?: number }} [options]
 */
export function treeSampler(rootPid, { refreshMs = 5000 } = {}) {
  let pids = []
  let at = 0
  const current = () => {
    if (!pids.length || Date.now() - at > refreshMs) {
      pids = processTree(rootPid)
      at = Date.now()
    }
    return pids
  }
  return {
    /** CPU of the tree in ns (schedstat, all threads). */
    cpuNs: () => current().reduce((a, pid) => a + processRunNs(pid), 0),
    /** CPU of the tree in seconds (utime + stime, tick resolution). */
    cpuTickSeconds: () => current().reduce((a, pid) => a + processTickSeconds(pid), 0),
    /** RSS of the tree in bytes. */
    rssBytes: () => current().reduce((a, pid) => a + processRssBytes(pid), 0),
    pids: () => [...current()],
  }
}

/** CPU seconds the whole machine spent busy (all cores; /proc/stat user+nice+system+irq+softirq+steal excluded). */
export function machineBusySeconds() {
  const [user, nice, system, , , irq = 0, softirq = 0] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number)
  return (user + nice + system + irq + softirq) / CLK_TCK
}

/** CPU seconds of this Node process (all threads). */
export function selfCpuSeconds() {
  const u = process.cpuUsage()
  return (u.user + u.system) / 1e6
}
