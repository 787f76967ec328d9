/**
 * Reads the target app's layout: package.json, where app/ lives (app/ or src/app/), the tsconfig
 * path alias, which next.config flavour it has and which guard file exists. Reads only; every
 * problem that stops the command is an {@link AuthAddError} before anything is written.
 */
import { existsSync, readFileSync, statSync } from 'node:fs'
import { isAbsolute, join, relative, resolve, sep } from 'node:path'
import { AuthAddError } from './errors.mjs'

/**
 * @typedef {object} Alias
 * @property {string} prefix - Import prefix that reaches the source root, e.g. `@/` or `@/src/`.
 * @property {boolean} added - Whether auth:add adds it to tsconfig.json.
 */

/**
 * @typedef {object} Target
 * @property {string} root - Absolute path of the app.
 * @property {any} pkg - package.json, parsed.
 * @property {string} pkgText - package.json as read.
 * @property {string} srcDir - `''` or `'src'`: the folder that holds app/ (and auth.ts, lib/, the guard).
 * @property {{ path: string, text: string }} tsconfig
 * @property {Alias | null} alias - null: generated files use relative imports.
 * @property {{ path: string, flavour: 'ts' | 'mjs' | 'js-esm' | 'js-cjs' | 'none', text: string }} nextConfig
 * @property {string | null} nextVersion - The declared `next` range.
 */

/** @param {string} path */
const isDir = (path) => existsSync(path) && statSync(path).isDirectory()
/** @param {string} path */
const read = (path) => readFileSync(path, 'utf8')

function readPackage(root) {
  const path = join(root, 'package.json')
  if (!existsSync(path)) throw new AuthAddError('not_next_app', `${root} has no package.json, so it is not a Next.js app`, { hint: 'Create one with `npx create-next-app@latest` (App Router), then run auth:add on it.' })
  const text = read(path)
  let pkg
  try {
    pkg = JSON.parse(text)
  } catch (error) {
    throw new AuthAddError('not_next_app', `${path} is not valid JSON`, { cause: error })
  }
  const nextVersion = pkg.dependencies?.next ?? pkg.devDependencies?.next ?? null
  if (!nextVersion) throw new AuthAddError('not_next_app', `${path} does not list next in its dependencies, so this is not a Next.js app`, { hint: 'auth:add works on Next.js 16 App Router apps (npx create-next-app@latest).' })
  return { pkg, pkgText: text, nextVersion }
}

function findAppDir(root) {
  // Next.js ignores src/app when app/ exists at the root.
  if (isDir(join(root, 'app'))) return ''
  if (isDir(join(root, 'src', 'app'))) return 'src'
  const pagesOnly = isDir(join(root, 'pages')) || isDir(join(root, 'src', 'pages'))
  throw new AuthAddError('no_app_router', `${root} has no app/ or src/app/ folder${pagesOnly ? ' (it uses the Pages Router)' : ''}: lib/auth needs the App Router`, {
    hint: 'Add an app/ folder with a layout.tsx (https://nextjs.org/docs/app/getting-started/installation), or start from `npx create-next-app@latest`.',
  })
}

/**
 * The next.config file and its module flavour.
 *
 * @param {string} root
 * @returns {Target['nextConfig']}
 */
export function findNextConfig(root) {
  for (const name of ['next.config.ts', 'next.config.mts', 'next.config.mjs', 'next.config.js', 'next.config.cjs']) {
    const path = join(root, name)
    if (!existsSync(path)) continue
    const text = read(path)
    if (name.endsWith('.ts') || name.endsWith('.mts')) return { path: name, flavour: 'ts', text }
    if (name.endsWith('.mjs')) return { path: name, flavour: 'mjs', text }
    if (name.endsWith('.cjs')) return { path: name, flavour: 'js-cjs', text }
    return { path: name, flavour: /^\s*export\s+default\b/m.test(text) ? 'js-esm' : 'js-cjs', text }
  }
  return { path: 'next.config.ts', flavour: 'none', text: '' }
}

/**
 * The import prefix that reaches `sourceRoot` through a `paths` entry of tsconfig.json, or how to
 * add `@/*` when there is none.
 *
 * @param {string} root
 * @param {string} srcDir
 * @param {string} text - tsconfig.json.
 * @returns {Alias | null}
 */
export function findAlias(root, srcDir, text) {
  let json
  try {
    json = JSON.parse(text)
  } catch {
    return null // JSON with comments: keep the file as it is and import by relative paths.
  }
  const options = json.compilerOptions ?? {}
  const base = resolve(root, options.baseUrl ?? '.')
  const sourceRoot = join(root, srcDir)
  for (const [key, targets] of Object.entries(options.paths ?? {})) {
    if (!key.endsWith('/*') || !Array.isArray(targets)) continue
    for (const target of targets) {
      if (typeof target !== 'string' || !target.endsWith('/*')) continue
      const dir = resolve(base, target.slice(0, -2))
      const rel = relative(dir, sourceRoot)
      if (rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel)) continue
      return { prefix: `${key.slice(0, -1)}${rel ? `${rel.split(sep).join('/')}/` : ''}`, added: false }
    }
  }
  // Adding `paths` would replace the ones an `extends` chain provides; `@/*` taken means another meaning.
  // A baseUrl would move where `./*` points.
  if (json.extends || options.baseUrl !== undefined || options.paths?.['@/*']) return null
  return { prefix: '@/', added: true }
}

/**
 * Inspects the target app.
 *
 * @param {string} root - Absolute path.
 * @returns {Target}
 */
export function detectTarget(root) {
  if (!isDir(root)) throw new AuthAddError('not_found', `${root} is not a folder`, { hint: 'Give the path of your Next.js app: npm run auth:add -- ../my-app' })
  const { pkg, pkgText, nextVersion } = readPackage(root)
  const srcDir = findAppDir(root)
  const tsPath = join(root, 'tsconfig.json')
  if (!existsSync(tsPath)) {
    throw new AuthAddError('no_typescript', `${root} has no tsconfig.json: lib/auth and the files auth:add writes are TypeScript`, {
      hint: 'Add TypeScript first: `npm install -D typescript @types/react @types/node`, then `npx next build` once\n(Next.js writes tsconfig.json), and run auth:add again.',
    })
  }
  const tsText = read(tsPath)
  return {
    root,
    pkg,
    pkgText,
    srcDir,
    tsconfig: { path: 'tsconfig.json', text: tsText },
    alias: findAlias(root, srcDir, tsText),
    nextConfig: findNextConfig(root),
    nextVersion,
  }
}

/** @param {string} root @param {string} file - Relative to root. */
export function readIfExists(root, file) {
  const path = join(root, file)
  return existsSync(path) ? readFileSync(path) : null
}
