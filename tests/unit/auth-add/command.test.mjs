/**
 * `npm run auth:add` on minimal apps: what it writes for each layout, that a second run changes
 * nothing, that a differing file is refused without --force, and the errors for targets that are
 * not Next.js App Router apps.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { libAuthFiles } from '../../../scripts/auth-add/libauth.mjs'
import { makeApp, read, remove, ROOT, run, write } from './helpers.mjs'

const made = []
const app = (options) => {
  const dir = makeApp(options)
  made.push(dir)
  return dir
}
afterEach(() => made.splice(0).forEach(remove))

/** Every file under dir with its contents and mtime. */
function snapshot(dir) {
  const files = {}
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue
    const path = join(entry.parentPath ?? entry.path, entry.name)
    files[relative(dir, path)] = `${statSync(path).mtimeMs}:${readFileSync(path, 'base64')}`
  }
  return files
}

describe('auth:add', () => {
  it('writes lib/auth, auth.ts, the routes and middleware.ts, and patches next.config and package.json', () => {
    const dir = app()
    const { status, out } = run([dir])
    expect(status).toBe(0)
    for (const file of libAuthFiles()) expect(read(dir, `lib/auth/${file}`)).toBe(readFileSync(join(ROOT, 'lib/auth', file), 'utf8'))
    for (const file of ['auth.ts', 'app/login/route.ts', 'app/login/refresh/route.ts', 'app/logout/route.ts', 'app/logout/backchannel/route.ts', 'app/api/auth/session/route.ts', 'middleware.ts']) {
      expect(existsSync(join(dir, file)), file).toBe(true)
    }
    expect(existsSync(join(dir, 'proxy.ts'))).toBe(false)
    expect(existsSync(join(dir, 'app/signin/page.tsx'))).toBe(false)
    expect(read(dir, 'auth.ts')).toContain("createAuth({ appName: 'my-app' })")
    expect(read(dir, 'next.config.ts')).toContain('export default withAuth(nextConfig);')
    expect(Object.keys(JSON.parse(read(dir, 'package.json')).dependencies)).toEqual(['fflate', 'iron-session', 'jose', 'next', 'oauth4webapi', 'react', 'react-dom', 'server-only', 'undici'])
    expect(out).toMatch(/^AUTH_SESSION_SECRET=[A-Za-z0-9+/]{43}=$/m)
    expect(out).toContain('AUTH_CLIENT_HOST=http://localhost:3000')
    expect(out).toContain(`AUTH_CERTIFICATE_PATH=${join(ROOT, 'certs', 'local-is.crt')}`)
    expect(out).toContain('regexp=(http://localhost:3000/login|http://localhost:3000/logout)')
    expect(out).not.toContain('__test/client') // the stand-in knows http://localhost:3000
  })

  it('a second run changes nothing', () => {
    const dir = app()
    expect(run([dir, '--proxy', '--signin-page', '--server']).status).toBe(0)
    const before = snapshot(dir)
    const again = run([dir, '--proxy', '--signin-page', '--server'])
    expect(again.status).toBe(0)
    expect(again.out).toContain('Nothing to do')
    expect(again.out).not.toMatch(/^ {2}(created|updated|removed) /m)
    expect(snapshot(dir)).toEqual(before)
  })

  it('refuses a file that differs, writes nothing, and overwrites it with --force', () => {
    const dir = app()
    expect(run([dir]).status).toBe(0)
    write(dir, 'auth.ts', '// mine\n')
    write(dir, 'lib/auth/index.ts', '// edited\n')
    const before = snapshot(dir)
    const refused = run([dir, '--signin-page'])
    expect(refused.status).toBe(1)
    expect(refused.err).toContain('conflict: 2 files differ')
    expect(refused.err).toContain('auth.ts')
    expect(refused.err).toContain('lib/auth/index.ts')
    expect(snapshot(dir)).toEqual(before)
    expect(run([dir, '--signin-page', '--force']).status).toBe(0)
    expect(read(dir, 'auth.ts')).toContain("routes: { signIn: '/signin' }")
    expect(read(dir, 'lib/auth/index.ts')).toBe(readFileSync(join(ROOT, 'lib/auth/index.ts'), 'utf8'))
  })

  it('switches from middleware.ts to proxy.ts, but never removes a guard of the app\'s own', () => {
    const dir = app()
    expect(run([dir]).status).toBe(0)
    expect(run([dir, '--proxy']).status).toBe(0)
    expect(existsSync(join(dir, 'middleware.ts'))).toBe(false)
    expect(read(dir, 'proxy.ts')).toContain('export const proxy = auth.proxy')
    const own = app({ files: { 'middleware.ts': 'export function middleware() {}\n' } })
    const { status, err } = run([own, '--proxy'])
    expect(status).toBe(1)
    expect(err).toContain('guard_exists')
    expect(existsSync(join(own, 'proxy.ts'))).toBe(false)
  })

  it('a dependency with another range is a conflict', () => {
    const dir = app()
    const pkg = JSON.parse(read(dir, 'package.json'))
    write(dir, 'package.json', JSON.stringify({ ...pkg, dependencies: { ...pkg.dependencies, jose: '^5.0.0' } }, null, 2))
    const { status, err } = run([dir])
    expect(status).toBe(1)
    expect(err).toMatch(/package\.json \(dependency ranges differ: jose: \^5\.0\.0 → \^6/)
  })

  it('--redis adds redis', () => {
    const dir = app()
    expect(run([dir, '--redis']).status).toBe(0)
    expect(JSON.parse(read(dir, 'package.json')).dependencies.redis).toMatch(/^\^5/)
  })

  it('src/ layout: everything under src/, imported by the alias', () => {
    const dir = app({ src: true })
    expect(run([dir]).status).toBe(0)
    expect(read(dir, 'src/auth.ts')).toContain("from '@/lib/auth'")
    expect(read(dir, 'src/app/login/route.ts')).toContain("from '@/auth'")
    expect(read(dir, 'src/middleware.ts')).toContain("from '@/auth'")
    expect(existsSync(join(dir, 'src/lib/auth/index.ts'))).toBe(true)
    expect(read(dir, 'next.config.ts')).toContain('"./src/lib/auth/next-config.cjs"')
  })

  it('adds the @/* alias when tsconfig.json has none', () => {
    const dir = app({ src: true, alias: null })
    const { out } = run([dir])
    expect(JSON.parse(read(dir, 'tsconfig.json')).compilerOptions.paths).toEqual({ '@/*': ['./src/*'] })
    expect(out).toContain('added the @/* path alias')
  })

  it('imports by relative paths when @/* means something else', () => {
    const dir = app({ alias: './components/*' })
    expect(run([dir]).status).toBe(0)
    expect(read(dir, 'auth.ts')).toContain("from './lib/auth'")
    expect(read(dir, 'app/logout/backchannel/route.ts')).toContain("from '../../../auth'")
    expect(read(dir, 'middleware.ts')).toContain("from './auth'")
    expect(JSON.parse(read(dir, 'tsconfig.json')).compilerOptions.paths).toEqual({ '@/*': ['./components/*'] })
  })

  it('patches next.config.mjs and a CommonJS next.config.js, and creates next.config.ts when there is none', () => {
    const mjs = app({ files: { 'next.config.ts': '' } })
    remove(join(mjs, 'next.config.ts'))
    write(mjs, 'next.config.mjs', "/** @type {import('next').NextConfig} */\nconst nextConfig = {\n  /* config options here */\n};\n\nexport default nextConfig;\n")
    expect(run([mjs]).status).toBe(0)
    expect(read(mjs, 'next.config.mjs')).toMatch(/^import \{ withAuth \} from '\.\/lib\/auth\/next-config\.cjs';\n[\s\S]*export default withAuth\(nextConfig\);\n$/)
    const cjs = app()
    remove(join(cjs, 'next.config.ts'))
    write(cjs, 'next.config.js', 'const nextConfig = { reactStrictMode: true }\n\nmodule.exports = nextConfig\n')
    expect(run([cjs]).status).toBe(0)
    expect(read(cjs, 'next.config.js')).toBe("const { withAuth } = require('./lib/auth/next-config.cjs')\n\nconst nextConfig = { reactStrictMode: true }\n\nmodule.exports = withAuth(nextConfig)\n")
    const none = app()
    remove(join(none, 'next.config.ts'))
    expect(run([none]).status).toBe(0)
    expect(read(none, 'next.config.ts')).toContain('export default withAuth(nextConfig)')
  })

  it('leaves a next.config it cannot patch to the user, with the lines to add', () => {
    const dir = app({ files: { 'next.config.ts': 'export default function config() {\n  return {}\n}\n' } })
    const { status, out } = run([dir])
    expect(status).toBe(0)
    expect(out).toContain('next.config.ts was not patched')
    expect(out).toContain("import { withAuth } from './lib/auth/next-config.cjs'")
    expect(read(dir, 'next.config.ts')).toBe('export default function config() {\n  return {}\n}\n')
  })

  it('--host: the printed env and URLs, and the stand-in registration for an unknown origin', () => {
    const dir = app()
    const { out } = run([dir, '--signin-page', '--host', 'https://app.example.com'])
    expect(out).toContain('AUTH_CLIENT_HOST=https://app.example.com')
    expect(out).toContain('regexp=(https://app\\.example\\.com/login|https://app\\.example\\.com/signin)')
    expect(out).toContain('back-channel logout URL     https://app.example.com/logout/backchannel')
    expect(out).toContain('/__test/client/')
  })

  it('--dry-run writes nothing', () => {
    const dir = app()
    const before = snapshot(dir)
    const { status, out } = run([dir, '--dry-run'])
    expect(status).toBe(0)
    expect(out).toContain('nothing written')
    expect(snapshot(dir)).toEqual(before)
  })
})

describe('auth:add errors', () => {
  it('a target without app/ is not an App Router app', () => {
    const dir = app()
    remove(join(dir, 'app'))
    write(dir, 'pages/index.tsx', 'export default function Home() { return null }\n')
    const before = snapshot(dir)
    const { status, err } = run([dir])
    expect(status).toBe(1)
    expect(err).toMatch(/^✖ no_app_router: .* has no app\/ or src\/app\/ folder \(it uses the Pages Router\): lib\/auth needs the App Router/)
    expect(snapshot(dir)).toEqual(before)
  })

  it('no package.json, no next, no tsconfig.json, no folder, no target', () => {
    const dir = app()
    write(dir, 'package.json', '{"name":"x","dependencies":{}}')
    expect(run([dir]).err).toContain('not_next_app')
    remove(join(dir, 'package.json'))
    expect(run([dir]).err).toContain('not_next_app')
    const noTs = app()
    remove(join(noTs, 'tsconfig.json'))
    expect(run([noTs]).err).toContain('no_typescript')
    expect(run([join(dir, 'missing')]).err).toContain('not_found')
    const usage = run([])
    expect(usage.status).toBe(2)
    expect(usage.err).toContain('usage: the path of the Next.js app is missing')
    expect(run(['--help']).out).toContain('npm run auth:add -- <path-to-next-app>')
  })
})
