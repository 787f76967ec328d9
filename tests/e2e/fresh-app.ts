/**
 * A minimal Next.js 16 app in a temp folder, with no myclinic code, taken through
 * docs/lib-auth.md the way a user would: `npm run auth:add`, the printed `.env.local`, the page
 * from the docs, `next build`, then `next start` (or the `server.mjs` auth:add writes).
 *
 * node_modules is a hard-link copy of this repository's (about a second, no disk cost; Turbopack
 * refuses a symlinked node_modules outside its root) without `redis` and `@redis/*`, which proves
 * that lib/auth builds and runs without them.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { cpSync, existsSync, linkSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { request } from '@playwright/test'

export const ROOT = fileURLToPath(new URL('../..', import.meta.url))

/** package.json of the fresh app: Next.js and React with this repository's versions. */
function packageJson(): string {
  const own = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'))
  const dependencies = { next: own.dependencies.next, react: own.dependencies.react, 'react-dom': own.dependencies['react-dom'] }
  return `${JSON.stringify({ name: 'fresh-app', version: '0.1.0', private: true, scripts: { dev: 'next dev', build: 'next build', start: 'next start' }, dependencies }, null, 2)}\n`
}

/** tsconfig.json and next.config.ts as create-next-app 16 writes them. */
const TSCONFIG = `{
  "compilerOptions": {
    "target": "ES2017",
    "lib": ["dom", "dom.iterable", "esnext"],
    "allowJs": true,
    "skipLibCheck": true,
    "strict": true,
    "noEmit": true,
    "esModuleInterop": true,
    "module": "esnext",
    "moduleResolution": "bundler",
    "resolveJsonModule": true,
    "isolatedModules": true,
    "jsx": "react-jsx",
    "incremental": true,
    "plugins": [
      {
        "name": "next"
      }
    ],
    "paths": {
      "@/*": ["./*"]
    }
  },
  "include": ["next-env.d.ts", "**/*.ts", "**/*.tsx", ".next/types/**/*.ts", ".next/dev/types/**/*.ts", "**/*.mts"],
  "exclude": ["node_modules"]
}
`
const NEXT_CONFIG = `import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  /* config options here */
};

export default nextConfig;
`
const LAYOUT = `export default function RootLayout({ children }: Readonly<{ children: React.ReactNode }>) {
  return (
    <html lang="en">
      <body>{children}</body>
    </html>
  )
}
`

/** Hard-links every file of `from` into `to`, skipping the top-level entries in `skip`. */
function linkTree(from: string, to: string, skip: Set<string> = new Set()) {
  mkdirSync(to, { recursive: true })
  for (const entry of readdirSync(from, { withFileTypes: true })) {
    if (skip.has(entry.name)) continue
    const source = join(from, entry.name)
    const target = join(to, entry.name)
    if (entry.isDirectory()) linkTree(source, target)
    else if (entry.isSymbolicLink()) cpSync(source, target, { verbatimSymlinks: true })
    else linkSync(source, target)
  }
}

/** Writes the minimal app (package.json, tsconfig.json, next.config.ts, app/layout.tsx) and its node_modules. */
export function scaffold(): string {
  const dir = mkdtempSync(join(tmpdir(), 'myclinic-fresh-app-'))
  writeFileSync(join(dir, 'package.json'), packageJson())
  writeFileSync(join(dir, 'tsconfig.json'), TSCONFIG)
  writeFileSync(join(dir, 'next.config.ts'), NEXT_CONFIG)
  mkdirSync(join(dir, 'app'))
  writeFileSync(join(dir, 'app', 'layout.tsx'), LAYOUT)
  linkTree(join(ROOT, 'node_modules'), join(dir, 'node_modules'), new Set(['redis', '@redis', '.cache']))
  return dir
}

/** `npm run auth:add -- <dir> ...args`, as docs/lib-auth.md runs it; its output. */
export function authAdd(dir: string, args: string[]): string {
  const result = spawnSync('npm', ['run', '--silent', 'auth:add', '--', dir, ...args], { cwd: ROOT, encoding: 'utf8' })
  if (result.status !== 0) throw new Error(`auth:add failed (${result.status}):\n${result.stdout}\n${result.stderr}`)
  return result.stdout
}

/** The `.env.local` auth:add printed (between its marker lines). */
export function printedEnv(output: string): string {
  const match = /^----- \.env\.local -----\n([\s\S]*?)\n-{23}$/m.exec(output)
  if (!match) throw new Error(`no .env.local in the output:\n${output}`)
  return `${match[1]}\n`
}

/** The JSON body of the test-control command auth:add printed for the local IS, if any. */
export function printedRegistration(output: string): { path: string; body: unknown } | null {
  const match = /curl -sk -X PUT https:\/\/localhost:\d+(\/__test\/client\/\S+) .* -d '(.*)'$/m.exec(output)
  return match ? { path: match[1], body: JSON.parse(match[2]) } : null
}

/** The code block of docs/lib-auth.md whose first line is `// <file>`. */
export function docsBlock(file: string): string {
  const docs = readFileSync(join(ROOT, 'docs', 'lib-auth.md'), 'utf8')
  const block = [...docs.matchAll(/```\w*\n([\s\S]*?)```/g)].map((m) => m[1]).find((b) => b.startsWith(`// ${file}\n`))
  if (!block) throw new Error(`docs/lib-auth.md has no code block starting with // ${file}`)
  return block.slice(`// ${file}\n`.length)
}

/** The environment of the fresh app's processes: nothing from this shell but PATH and HOME. */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', NEXT_TELEMETRY_DISABLED: '1', NODE_ENV: 'production', ...extra }
}

/** `next build` in the app; the build log. Throws with the log when it fails. */
export function build(dir: string): string {
  const result = spawnSync(process.execPath, [join(dir, 'node_modules/next/dist/bin/next'), 'build'], { cwd: dir, encoding: 'utf8', env: cleanEnv() })
  const log = `${result.stdout}\n${result.stderr}`
  if (result.status !== 0) throw new Error(`next build failed (${result.status}):\n${log}`)
  return log
}

/** A free TCP port on localhost. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
  })
}

export interface RunningApp {
  stop(): Promise<void>
  output(): string
}

/** Starts the app (`command` in its folder) and waits until `url` answers. */
export async function start(dir: string, command: string[], url: string, env: Record<string, string>): Promise<RunningApp> {
  let output = ''
  const child: ChildProcess = spawn(process.execPath, command, { cwd: dir, env: cleanEnv(env), stdio: ['ignore', 'pipe', 'pipe'] })
  child.stdout!.on('data', (d) => (output += d))
  child.stderr!.on('data', (d) => (output += d))
  const ctx = await request.newContext({ ignoreHTTPSErrors: true })
  const deadline = Date.now() + 60_000
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`the fresh app exited: ${output}`)
      try {
        await ctx.get(url, { timeout: 2000, maxRedirects: 0 })
        break
      } catch {}
      if (Date.now() > deadline) throw new Error(`the fresh app did not start: ${output}`)
      await new Promise((r) => setTimeout(r, 200))
    }
  } finally {
    await ctx.dispose()
  }
  return {
    output: () => output,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve()
        child.once('exit', () => resolve())
        child.kill('SIGTERM')
      }),
  }
}

/** Removes the temp app unless E2E_KEEP_FRESH_APP=1. */
export function cleanUp(dir: string | undefined) {
  if (dir && existsSync(dir) && process.env.E2E_KEEP_FRESH_APP !== '1') rmSync(dir, { recursive: true, force: true })
}
