/** Facts about the machine and the checkout, for the report's head. */
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import os from 'node:os'
import { join } from 'node:path'
import { r1 } from './stats.mjs'

/** git HEAD, marked when app/, lib/ or middleware.ts have uncommitted changes. */
function gitHead(root) {
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim()
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'app', 'lib', 'middleware.ts'], { cwd: root, encoding: 'utf8' }).trim()
    return dirty ? `${head} (+ uncommitted changes in app/ lib/ middleware.ts)` : head
  } catch {
    return 'unknown'
  }
}

/**
 * @param {string} root
 * @param {string} command how the run was started
 */
export function machineInfo(root, command) {
  const cpus = os.cpus()
  return {
    cpu: cpus[0]?.model ?? 'unknown',
    cores: cpus.length,
    ramGiB: r1(os.totalmem() / 1024 ** 3),
    node: process.version,
    os: `${os.type()} ${os.release()}`,
    date: new Date().toISOString(),
    command,
    next: JSON.parse(readFileSync(join(root, 'node_modules/next/package.json'), 'utf8')).version,
    gitHead: gitHead(root),
  }
}
