/**
 * A real redis-server for the soak, loopback only, with persistence across a graceful restart:
 * append-only file on (`appendonly yes`, `appendfsync everysec`), RDB snapshots off. On SIGTERM
 * Redis flushes and fsyncs the AOF before it exits, and the next start on the same `--dir` loads
 * it, so tokens and revocations written before a restart are there after it. (`appendfsync
 * always` would also survive a crash, at an fsync per write; the soak restarts Redis the way an
 * operator does, with SIGTERM.)
 */
import { mkdtempSync } from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import { join } from 'node:path'
import { registerTempDir, sleep, startChild } from '../lib/procs.mjs'

/** The data dir, kept across the restart, removed at the end. */
export function redisDataDir() {
  return registerTempDir(mkdtempSync(join(os.tmpdir(), 'myclinic-soak-redis-')))
}

/** PING over a raw connection: true on +PONG (false while loading the AOF, or down). */
export function ping(port) {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port })
    const done = (ok) => {
      socket.destroy()
      resolve(ok)
    }
    socket.setTimeout(1000, () => done(false))
    socket.on('error', () => done(false))
    socket.on('connect', () => socket.write('PING\r\n'))
    socket.on('data', (d) => done(d.toString().startsWith('+PONG')))
  })
}

/**
 * Starts redis-server and waits until it answers PING.
 * @param {number} port
 * @param {string} dir
 */
export async function startRedis(port, dir) {
  const proc = startChild('redis', 'redis-server', [
    '--port', String(port), '--bind', '127.0.0.1', '--protected-mode', 'yes', '--dir', dir,
    '--appendonly', 'yes', '--appendfsync', 'everysec', '--save', '', '--daemonize', 'no', '--loglevel', 'warning',
  ], { env: { PATH: process.env.PATH ?? '' } })
  const deadline = Date.now() + 15_000
  while (!(await ping(port))) {
    if (!proc.running()) throw new Error(`redis-server exited:\n${proc.output()}`)
    if (Date.now() > deadline) throw new Error(`redis-server did not answer PING on ${port}:\n${proc.output()}`)
    await sleep(50)
  }
  return proc
}

/**
 * Number of keys (DBSIZE) — to show that the data survived the restart.
 * @param {number} port
 */
export function dbsize(port) {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port })
    socket.setTimeout(1000, () => (socket.destroy(), resolve(NaN)))
    socket.on('error', () => resolve(NaN))
    socket.on('connect', () => socket.write('DBSIZE\r\n'))
    socket.on('data', (d) => {
      socket.destroy()
      resolve(Number(/^:(\d+)/.exec(d.toString())?.[1] ?? NaN))
    })
  })
}
