/**
 * Process control for the bench and the soak: child servers in their own process groups, port
 * checks, readiness polling, temp dirs, and cleanup on exit, error and Ctrl-C. Only processes
 * started here are ever signalled, each by its own process group id.
 */
import { spawn, spawnSync } from 'node:child_process'
import { rmSync } from 'node:fs'
import { Agent, request } from 'undici'

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * @typedef {object} Child
 * @property {string} name
 * @property {import('node:child_process').ChildProcess} child
 * @property {() => string} output the last 20,000 characters of stdout + stderr
 * @property {() => boolean} running
 */

/** Every child started through {@link startChild} and not yet stopped. */
const children = new Set()
/** Temp dirs to remove at the end. */
const tempDirs = []
const probeAgent = new Agent({ connect: { rejectUnauthorized: false } })

/**
 * Starts a server in its own process group (so stopping it also stops anything it spawned).
 * @param {string} name for logs and errors
 * @param {string} command an executable; `process.execPath` for Node scripts
 * @param {string[]} args
 * @param {{ env?: Record<string, string>, cwd?: string }} [options] env replaces the environment
 * @returns {Child}
 */
export function startChild(name, command, args, { env = {}, cwd } = {}) {
  const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true })
  let output = ''
  const keep = (d) => (output = (output + d).slice(-20000))
  child.stdout.on('data', keep)
  child.stderr.on('data', keep)
  child.on('error', (e) => keep(`\n[spawn error] ${e.message}\n`))
  const entry = { name, child, output: () => output, running: () => child.exitCode === null && child.signalCode === null }
  children.add(entry)
  child.on('exit', () => children.delete(entry))
  return entry
}

/** Starts a Node script as a child server (see {@link startChild}). */
export function startNode(name, args, options) {
  return startChild(name, process.execPath, args, options)
}

/** Sends a signal to a child's process group; ignores a group that is already gone. */
function signalGroup(entry, signal) {
  try {
    process.kill(-entry.child.pid, signal)
  } catch {}
}

/**
 * Stops one child: SIGTERM to its group, SIGKILL after `graceMs`.
 * @param {Child} entry
 * @param {{ graceMs?: number, signal?: NodeJS.Signals }} [options]
 * @returns {Promise<void>} resolves when it has exited
 */
export async function stopChild(entry, { graceMs = 5000, signal = 'SIGTERM' } = {}) {
  if (!entry.running()) return
  const exited = new Promise((resolve) => entry.child.once('exit', resolve))
  signalGroup(entry, signal)
  const timer = setTimeout(() => signalGroup(entry, 'SIGKILL'), graceMs)
  await exited
  clearTimeout(timer)
}

/** Stops every child still running, in parallel. */
export async function stopAll() {
  await Promise.all([...children].map((entry) => stopChild(entry)))
}

/** The output tails of the children still running (for a failure report). */
export function childOutputs() {
  return [...children].map((c) => `--- ${c.name} (tail) ---\n${c.output().slice(-3000)}`).join('\n')
}

/** Synchronous last resort for `exit` handlers: SIGTERM to every child group. */
function killAllNow() {
  for (const entry of children) if (entry.running()) signalGroup(entry, 'SIGTERM')
}

/** Registers a temp dir for removal at the end (also on error and Ctrl-C). */
export function registerTempDir(dir) {
  tempDirs.push(dir)
  return dir
}

/** Removes the registered temp dirs (symlinks inside are removed, not followed). */
export function removeTempDirs() {
  while (tempDirs.length) {
    const dir = tempDirs.pop()
    try {
      rmSync(dir, { recursive: true, force: true })
    } catch (e) {
      console.error(`could not remove ${dir}: ${e.message}`)
    }
  }
}

/**
 * Installs the cleanup: children stopped and temp dirs removed on exit, SIGINT and SIGTERM.
 * @param {string} tag log prefix
 */
export function installCleanup(tag) {
  process.on('exit', () => {
    killAllNow()
    removeTempDirs()
  })
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.on(signal, () => {
      console.error(`[${tag}] ${signal}: stopping the servers`)
      killAllNow()
      removeTempDirs()
      process.exit(130)
    })
  }
}

/** Whether something listens on a TCP port (ss). */
export function portInUse(port) {
  const r = spawnSync('ss', ['-ltnH', `sport = :${port}`], { encoding: 'utf8' })
  return r.status === 0 && r.stdout.trim().length > 0
}

/** Throws naming the first port that is taken. */
export function requireFreePorts(ports) {
  for (const port of ports) if (portInUse(port)) throw new Error(`port ${port} is already in use: stop whatever listens there first, or choose other ports`)
}

/**
 * Polls a URL until it answers as expected (any TLS certificate accepted), the child exits, or the timeout.
 * @param {string} url
 * @param {Child} entry
 * @param {{ timeoutMs?: number, ok?: (status: number) => boolean }} [options] ok: 200 by default
 */
export async function waitForHttp(url, entry, { timeoutMs = 90_000, ok = (status) => status === 200 } = {}) {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    if (!entry.running()) throw new Error(`${entry.name} exited (${entry.child.exitCode ?? entry.child.signalCode}):\n${entry.output()}`)
    try {
      const res = await request(url, { dispatcher: probeAgent, headersTimeout: 2000, bodyTimeout: 2000 })
      await res.body.text()
      if (ok(res.statusCode)) return
    } catch {}
    if (Date.now() > deadline) throw new Error(`${entry.name} did not answer ${url} within ${timeoutMs} ms:\n${entry.output()}`)
    await sleep(100)
  }
}

/** Closes the shared probe agent (at the very end). */
export async function closeProbes() {
  await probeAgent.close().catch(() => {})
}
