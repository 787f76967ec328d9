/**
 * Production builds: the app's own (when stale), the unguarded copy of the app (section 1), the
 * empty-middleware baseline (section 4), and the size of a build's edge middleware.
 */
import { spawnSync } from 'node:child_process'
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { gzipSync } from 'node:zlib'
import { registerTempDir } from './procs.mjs'
import { r1 } from './stats.mjs'

/**
 * Top-level entries of the app that are not part of its build: tooling, tests, docs, outputs.
 * Everything else (app/, lib/, components/, public/, auth.ts, instrumentation*, configs, …) is.
 */
const NOT_APP = new Set(['node_modules', '.next', 'bench', 'tests', 'docs', 'certs', 'test-results', 'playwright-report', 'playwright.config.ts', 'vitest.config.mjs', 'README.md'])

/** The app's own top-level entries (dotfiles such as .env* and *.tsbuildinfo left out). */
function appEntries(root) {
  return readdirSync(root).filter((n) => !n.startsWith('.') && !NOT_APP.has(n) && !n.endsWith('.tsbuildinfo'))
}

/** Newest mtime under a path (0 when it does not exist); node_modules and .next are skipped. */
export function newest(path) {
  if (!existsSync(path)) return 0
  const stat = statSync(path)
  if (!stat.isDirectory()) return stat.mtimeMs
  return Math.max(0, ...readdirSync(path).filter((n) => n !== 'node_modules' && n !== '.next').map((name) => newest(join(path, name))))
}

/** Whether dir/.next is missing or older than any of the sources. */
export function isStale(dir, sources) {
  const buildId = join(dir, '.next', 'BUILD_ID')
  return !existsSync(buildId) || Math.max(...sources.map((s) => newest(join(dir, s)))) > statSync(buildId).mtimeMs
}

/**
 * `next build` in a directory with that directory's own next (or the given one).
 * @param {string} dir
 * @param {{ nextBin?: string, env?: Record<string, string>, inherit?: boolean }} [options]
 * @returns {number} seconds
 */
export function nextBuild(dir, { nextBin = join(dir, 'node_modules/next/dist/bin/next'), env = {}, inherit = false } = {}) {
  const t0 = performance.now()
  const r = spawnSync(process.execPath, [nextBin, 'build'], {
    cwd: dir,
    encoding: 'utf8',
    stdio: inherit ? 'inherit' : 'pipe',
    env: { ...process.env, NODE_ENV: 'production', NEXT_TELEMETRY_DISABLED: '1', ...env },
  })
  if (r.status !== 0) throw new Error(`next build in ${dir} failed (exit ${r.status}):\n${(r.stdout ?? '').slice(-4000)}\n${(r.stderr ?? '').slice(-4000)}`)
  return r1((performance.now() - t0) / 1000)
}

/**
 * Builds the app when .next is stale (or not at all with skip).
 * @param {string} root
 * @param {{ skip?: boolean, log: (s: string) => void }} options
 */
export function buildAppIfStale(root, { skip = false, log }) {
  const stale = isStale(root, appEntries(root).filter((n) => n !== 'scripts'))
  if (!stale || skip) {
    log(stale ? 'build is stale but BENCH_SKIP_BUILD=1: reusing .next' : 'reusing the existing production build (.next)')
    return { built: false, seconds: 0 }
  }
  log('production build is stale: next build')
  return { built: true, seconds: nextBuild(root, { inherit: true }) }
}

/**
 * Size of a build's edge middleware: the files, wasm and assets its middleware-manifest lists.
 * @param {string} dir a Next.js project with a build
 */
export function middlewareSize(dir) {
  const manifest = JSON.parse(readFileSync(join(dir, '.next/server/middleware-manifest.json'), 'utf8'))
  const entries = Object.values(manifest.middleware || {})
  if (!entries.length) throw new Error(`no edge middleware in ${dir}/.next/server/middleware-manifest.json`)
  const files = [...new Set(entries.flatMap((e) => [...e.files, ...(e.wasm || []).map((w) => w.filePath), ...(e.assets || []).map((a) => a.filePath)]))]
  const bufs = files.map((f) => readFileSync(join(dir, '.next', f)))
  const matchers = entries[0].matchers ?? []
  return {
    files: files.length,
    raw: bufs.reduce((a, b) => a + b.length, 0),
    gzipConcat: gzipSync(Buffer.concat(bufs), { level: 9 }).length,
    gzipPerFile: bufs.reduce((a, b) => a + gzipSync(b, { level: 9 }).length, 0),
    matcher: matchers[0]?.originalSource,
    matchers: matchers.map((m) => m.originalSource),
    matcherRegexps: matchers.map((m) => m.regexp),
  }
}

/** next.config.mjs that wraps the project's own one with turbopack.root '/' (Turbopack refuses a node_modules symlink that leaves its root). */
function wrappedNextConfig(baseImport) {
  return `import base from ${JSON.stringify(baseImport)}\nexport default { ...base, turbopack: { ...(base.turbopack || {}), root: '/' } }\n`
}

/**
 * An empty `export function middleware() {}` with the given matcher, built in a throw-away project
 * with the app's package.json, tsconfig and next.config: the size every middleware pays.
 * @param {string} root the app
 * @param {string} matcher
 */
export function baselineMiddleware(root, matcher) {
  const dir = mkdtempSync(join(os.tmpdir(), 'myclinic-mw-baseline-'))
  try {
    for (const f of ['package.json', 'tsconfig.json']) writeFileSync(join(dir, f), readFileSync(join(root, f)))
    symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'))
    writeFileSync(join(dir, 'next.config.mjs'), wrappedNextConfig(join(root, 'next.config.mjs')))
    writeFileSync(join(dir, 'middleware.ts'), `export function middleware() {}\n\nexport const config = { matcher: [${JSON.stringify(matcher)}] }\n`)
    mkdirSync(join(dir, 'app'))
    writeFileSync(join(dir, 'app/layout.tsx'), 'export default function RootLayout({ children }: { children: React.ReactNode }) {\n  return (<html lang="en"><body>{children}</body></html>)\n}\n')
    writeFileSync(join(dir, 'app/page.tsx'), 'export default function Page() {\n  return <p>baseline</p>\n}\n')
    nextBuild(dir, { nextBin: join(root, 'node_modules/next/dist/bin/next') })
    return middlewareSize(dir)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

/** Entries the unguarded copy makes itself instead of copying. */
const NOT_COPIED = new Set(['middleware.ts', 'proxy.ts', 'next.config.mjs', 'next-env.d.ts'])

/**
 * A second build of the whole app whose middleware.ts is a pass-through (`NextResponse.next()`)
 * with the app's own matcher: the same pages, lib/auth, components, config and env, so a page
 * with a session renders exactly as in the app, only without the guard. In a temp dir (removed at
 * the end): the app's own top-level entries copied (not tests, docs, bench, dotfiles; *.test.ts
 * left out: they import tests/), node_modules and certs/ symlinked, next.config.mjs wrapped with
 * turbopack.root '/'. Started with `node scripts/start.mjs`.
 * @param {string} root
 * @param {string[]} matchers the app's built matcher sources
 */
export function buildUnguardedCopy(root, matchers) {
  const dir = registerTempDir(mkdtempSync(join(os.tmpdir(), 'myclinic-unguarded-')))
  for (const entry of appEntries(root).filter((n) => !NOT_COPIED.has(n))) {
    cpSync(join(root, entry), join(dir, entry), { recursive: true, filter: (src) => !/\.test\.tsx?$/.test(src) })
  }
  symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'))
  symlinkSync(join(root, 'certs'), join(dir, 'certs'))
  cpSync(join(root, 'next.config.mjs'), join(dir, 'next.config.base.mjs'))
  writeFileSync(join(dir, 'next.config.mjs'), wrappedNextConfig('./next.config.base.mjs'))
  writeFileSync(
    join(dir, 'middleware.ts'),
    `import { NextResponse } from 'next/server'\n\n/** Bench: the app without its guard. Same matcher, so the middleware still runs on the same requests. */\nexport function middleware() {\n  return NextResponse.next()\n}\n\nexport const config = { matcher: ${JSON.stringify(matchers)} }\n`,
  )
  const seconds = nextBuild(dir, { nextBin: join(root, 'node_modules/next/dist/bin/next') })
  return { dir, seconds, middleware: middlewareSize(dir) }
}
