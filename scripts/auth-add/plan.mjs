/**
 * The file plan: every file auth:add wants in the target, with what would happen to it (create,
 * same, update, conflict, remove, or manual for a next.config it cannot patch). Reads only.
 */
import { existsSync, readFileSync } from 'node:fs'
import { join, posix } from 'node:path'
import { detectTarget, readIfExists } from './detect.mjs'
import { AuthAddError } from './errors.mjs'
import { dependencies, LIB_AUTH, libAuthFiles } from './libauth.mjs'
import { patchNextConfig } from './next-config.mjs'
import { addDependencies } from './package-json.mjs'
import { authFile, guardFile, routeFile, ROUTES, serverFile, signInPageFile } from './templates.mjs'
import { addAlias } from './tsconfig.mjs'

/**
 * @typedef {object} Change
 * @property {string} path - Relative to the target, `/` separators.
 * @property {'create' | 'same' | 'update' | 'conflict' | 'remove' | 'manual'} action
 * @property {string | Buffer} [content] - What to write.
 * @property {boolean} [lib] - One of the copied lib/auth files.
 * @property {string} [note]
 */

/**
 * @typedef {object} Plan
 * @property {import('./detect.mjs').Target} target
 * @property {Change[]} changes
 * @property {string} authImport - How a page imports auth.ts, e.g. `@/auth`.
 * @property {string[]} extraLibFiles - Files in the target's lib/auth that this lib/auth does not have.
 * @property {{ added: string[], differing: string[] }} deps
 */

/**
 * @param {string} root @param {string} path @param {string | Buffer} content @param {boolean} force
 * @param {Partial<Change>} [extra]
 * @returns {Change}
 */
function fileChange(root, path, content, force, extra = {}) {
  const existing = readIfExists(root, path)
  if (!existing) return { path, action: 'create', content, ...extra }
  if (existing.equals(Buffer.from(content))) return { path, action: 'same', ...extra }
  return { path, action: force ? 'update' : 'conflict', content, ...extra }
}

/** @param {string} path @param {string} before @param {string} after @param {string} note @returns {Change} */
function patchChange(path, before, after, note) {
  return before === after ? { path, action: 'same' } : { path, action: 'update', content: after, note }
}

/**
 * A function that gives the specifier of a module (relative to the source root, without extension) from a file.
 *
 * @param {string} srcDir
 * @param {string | null} prefix - The alias prefix, or null for relative imports.
 */
function specifiers(srcDir, prefix) {
  return (fromFile, module) => {
    if (prefix) return prefix + module
    const rel = posix.relative(posix.dirname(fromFile), posix.join(srcDir || '.', module))
    return rel.startsWith('.') ? rel : `./${rel}`
  }
}

/** The other guard file, when the target has one: removed if auth:add wrote it, else an error. */
function otherGuard(target, srcDir, guard, spec) {
  const other = guard === 'proxy' ? 'middleware' : 'proxy'
  for (const ext of ['ts', 'js', 'mjs', 'tsx', 'jsx']) {
    const path = posix.join(srcDir || '.', `${other}.${ext}`)
    const existing = readIfExists(target.root, path)
    if (!existing) continue
    if (ext === 'ts' && existing.toString() === guardFile(other, spec(path, 'auth'))) return [{ path, action: 'remove', note: `replaced by ${guard}.ts` }]
    throw new AuthAddError('guard_exists', `${path} exists: Next.js runs one of middleware.ts and proxy.ts, and this one has its own code`, {
      hint: `Remove it or merge it into ${guard}.ts by hand (docs/lib-auth.md, "The guard"), then run auth:add again.${guard === 'proxy' ? '' : ' Or keep it and use --proxy.'}`,
    })
  }
  return []
}

/** The lib/auth copy, and the files in the target's lib/auth that are not in this one. */
function libChanges(root, libDir, force) {
  const files = libAuthFiles()
  const changes = files.map((file) => fileChange(root, posix.join(libDir, file), readFileSync(join(LIB_AUTH, file)), force, { lib: true }))
  const theirs = existsSync(join(root, libDir)) ? libAuthFiles(join(root, libDir)) : []
  return { changes, extra: theirs.filter((file) => !files.includes(file)).map((file) => posix.join(libDir, file)) }
}

/** The three patched files: tsconfig.json (alias), next.config, package.json. */
function patchChanges(target, options, helperSpec, aliasText) {
  const changes = [patchChange(target.tsconfig.path, target.tsconfig.text, aliasText, 'added the @/* path alias')]
  try {
    const after = patchNextConfig(target.nextConfig, helperSpec)
    changes.push(target.nextConfig.flavour === 'none' ? { path: target.nextConfig.path, action: 'create', content: after } : patchChange(target.nextConfig.path, target.nextConfig.text, after, 'wrapped in withAuth()'))
  } catch (error) {
    if (!(error instanceof AuthAddError)) throw error
    changes.push({ path: target.nextConfig.path, action: 'manual', note: `${error.message}. ${error.hint}` })
  }
  const deps = addDependencies(target.pkgText, dependencies(options), options.force)
  const depsChange = patchChange('package.json', target.pkgText, deps.text, `dependencies: ${deps.added.join(', ')}`)
  if (deps.differing.length && !options.force) depsChange.action = 'conflict'
  if (deps.differing.length) depsChange.note = `dependency ranges differ: ${deps.differing.join('; ')}`
  changes.push(depsChange)
  return { changes, deps }
}

/**
 * Builds the plan.
 *
 * @param {import('./args.mjs').Options} options
 * @returns {Plan}
 */
export function buildPlan(options) {
  const target = detectTarget(options.target)
  const { root, srcDir } = target
  let alias = target.alias
  const aliasText = alias?.added ? addAlias(target.tsconfig.text, srcDir) : target.tsconfig.text
  if (alias?.added && aliasText === target.tsconfig.text) alias = null
  const spec = specifiers(srcDir, alias?.prefix ?? null)
  const at = (path) => posix.join(srcDir || '.', path)
  const libDir = at('lib/auth')
  const appName = appNameOf(target.pkg.name)

  const files = [
    [at('auth.ts'), authFile({ lib: spec(at('auth.ts'), 'lib/auth'), appName, signInPage: options.signInPage })],
    ...ROUTES.map((route) => [at(`app/${route.path}`), routeFile(route, spec(at(`app/${route.path}`), 'auth'))]),
    [at(`${options.guard}.ts`), guardFile(options.guard, spec(at(`${options.guard}.ts`), 'auth'))],
    ...(options.signInPage ? [[at('app/signin/page.tsx'), signInPageFile(spec(at('app/signin/page.tsx'), 'auth'))]] : []),
    ...(options.server ? [['server.mjs', serverFile()]] : []),
  ]
  const lib = libChanges(root, libDir, options.force)
  const patches = patchChanges(target, options, `./${posix.join(libDir, 'next-config.cjs')}`, aliasText)
  const changes = [
    ...lib.changes,
    ...files.map(([path, content]) => fileChange(root, path, content, options.force)),
    ...otherGuard(target, srcDir, options.guard, spec),
    ...patches.changes,
  ]
  return { target, changes, authImport: spec(at('app/page.tsx'), 'auth'), extraLibFiles: lib.extra, deps: patches.deps }
}

/**
 * The `appName` for auth.ts: the package name in at most 31 letters, digits and `-` (it names
 * cookies, store keys and the built-in pages).
 *
 * @param {unknown} name
 */
export function appNameOf(name) {
  const clean = String(name ?? '').toLowerCase().replace(/[^a-z0-9-]+/g, '-').slice(0, 31).replace(/^-+|-+$/g, '')
  return clean || 'app'
}
