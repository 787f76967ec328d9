/**
 * The peer apps under bench/peers/: each is its own Next.js project with its own package.json and
 * lock file, installed here (`npm ci`, skipped while node_modules matches the lock file) and built
 * here (skipped while .next is newer than its sources). Never part of the app's dependencies.
 */
import { spawnSync } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { BENCH_DIR, CLIENTS, ISSUER, PORTS, ROOT } from './config.mjs'
import { isStale, middlewareSize, nextBuild } from './build.mjs'
import { startNode, waitForHttp } from './procs.mjs'
import { treeSampler } from './proc-stats.mjs'

/**
 * @typedef {object} PeerDef
 * @property {string} id
 * @property {string} label
 * @property {string} dir
 * @property {number} port
 * @property {keyof import('./login.mjs').FLOWS} flow
 * @property {string} callbackPath
 * @property {(origin: string) => Record<string, string>} env library-specific configuration
 */

/** @type {Record<string, PeerDef>} */
export const PEERS = {
  authjs: {
    id: 'authjs',
    label: 'Auth.js (next-auth 5.0.0-beta.32)',
    dir: join(BENCH_DIR, 'peers/authjs'),
    port: PORTS.authjs,
    flow: 'authjs',
    callbackPath: '/api/auth/callback/wso2',
    env: (origin) => ({ AUTH_SECRET: randomBytes(32).toString('base64'), AUTH_URL: origin }),
  },
  auth0: {
    id: 'auth0',
    label: 'nextjs-auth0 4.30.0',
    dir: join(BENCH_DIR, 'peers/auth0'),
    port: PORTS.auth0,
    flow: 'auth0',
    callbackPath: '/auth/callback',
    env: (origin) => ({ PEER_SECRET: randomBytes(32).toString('hex'), PEER_BASE_URL: origin }),
  },
}

const PEER_SOURCES = ['app', 'lib', 'auth.js', 'middleware.js', 'next.config.mjs', 'package-lock.json']

/** The version of a package installed in a peer. */
export function installedVersion(peer, pkg) {
  try {
    return JSON.parse(readFileSync(join(peer.dir, 'node_modules', pkg, 'package.json'), 'utf8')).version
  } catch {
    return undefined
  }
}

/**
 * `npm ci` in the peer's folder unless node_modules was installed from this very lock file (a
 * stamp with the lock file's SHA-256, written after a successful install).
 * @param {PeerDef} peer
 * @param {(s: string) => void} log
 */
export function installPeer(peer, log) {
  const stamp = join(peer.dir, 'node_modules/.bench-installed')
  const lockHash = createHash('sha256').update(readFileSync(join(peer.dir, 'package-lock.json'))).digest('hex')
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === lockHash) return { installed: false }
  log(`installing ${peer.label} in ${peer.dir} (npm ci)`)
  const r = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: peer.dir, stdio: 'inherit', env: process.env })
  if (r.status !== 0) throw new Error(`npm ci in ${peer.dir} failed (exit ${r.status})`)
  writeFileSync(stamp, lockHash)
  return { installed: true }
}

/** The environment a peer runs (and builds) with. */
function peerEnv(peer) {
  const origin = `https://localhost:${peer.port}`
  return {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    NODE_ENV: 'production',
    NEXT_TELEMETRY_DISABLED: '1',
    PORT: String(peer.port),
    PEER_DIR: peer.dir,
    PEER_TLS_KEY: join(ROOT, 'certs/app.key'),
    PEER_TLS_CERT: join(ROOT, 'certs/app.crt'),
    // The back channel (discovery, token, userinfo, JWKS) trusts the stand-in's certificate.
    NODE_EXTRA_CA_CERTS: join(ROOT, 'certs/local-is.crt'),
    PEER_ISSUER: ISSUER,
    PEER_CLIENT_ID: CLIENTS.peers.id,
    PEER_CLIENT_SECRET: CLIENTS.peers.secret,
    ...peer.env(origin),
  }
}

/**
 * Installs and builds a peer when needed.
 * @param {PeerDef} peer
 * @param {(s: string) => void} log
 */
export function preparePeer(peer, log) {
  const install = installPeer(peer, log)
  let buildSeconds = 0
  if (install.installed || isStale(peer.dir, PEER_SOURCES)) {
    log(`building ${peer.label}`)
    buildSeconds = nextBuild(peer.dir, { env: peerEnv(peer) })
  }
  return { ...install, buildSeconds, middleware: middlewareSize(peer.dir), versions: { next: installedVersion(peer, 'next'), library: installedVersion(peer, peer.id === 'authjs' ? 'next-auth' : '@auth0/nextjs-auth0') } }
}

/**
 * Starts a built peer over HTTPS (bench/peers/authjs/server.mjs) and waits until it answers.
 * @param {PeerDef} peer
 */
export async function startPeer(peer) {
  const origin = `https://localhost:${peer.port}`
  const proc = startNode(`peer-${peer.id}`, [join(BENCH_DIR, 'peers/authjs/server.mjs')], { env: peerEnv(peer), cwd: peer.dir })
  // without a session, / answers the library's redirect to its sign-in: up
  await waitForHttp(`${origin}/`, proc, { timeoutMs: 60_000, ok: (status) => status >= 300 && status < 400 })
  return { peer, origin, proc, sampler: treeSampler(proc.child.pid) }
}
