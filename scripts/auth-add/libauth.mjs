/**
 * This repository's lib/auth: the files to copy (everything but tests) and the npm packages they
 * import, with the versions from this repository's package.json.
 */
import { builtinModules } from 'node:module'
import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join, relative, sep } from 'node:path'
import { fileURLToPath } from 'node:url'

/** The myclinic repository. */
export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
/** lib/auth in it. */
export const LIB_AUTH = join(REPO_ROOT, 'lib', 'auth')

/** Test files and folders, never copied. */
const TEST = /(^|\/)(__tests__|__mocks__)(\/|$)|\.(test|spec)\.[cm]?[jt]sx?$/
/** Packages the target app has already (Next.js itself). */
const PROVIDED = new Set(['next', 'react', 'react-dom'])

/**
 * The files of lib/auth, relative to it, with `/` separators.
 *
 * @param {string} [dir]
 * @returns {string[]}
 */
export function libAuthFiles(dir = LIB_AUTH) {
  /** @type {string[]} */
  const files = []
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue
    const rel = relative(dir, join(entry.parentPath ?? entry.path, entry.name)).split(sep).join('/')
    if (!TEST.test(rel)) files.push(rel)
  }
  return files.sort()
}

/** @param {string} specifier @returns {string | null} The npm package, or null for relative and built-in imports. */
function packageOf(specifier) {
  if (specifier.startsWith('.') || specifier.startsWith('/') || specifier.startsWith('node:') || specifier.startsWith('@/')) return null
  const parts = specifier.split('/')
  const name = specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]
  return builtinModules.includes(name) ? null : name
}

/**
 * The npm packages one source file imports: static, side-effect and literal dynamic imports. A
 * dynamic import the bundler is told to ignore (`turbopackIgnore`, as for `redis`) is loaded only
 * when configured, and is not a dependency.
 *
 * @param {string} source
 * @returns {string[]}
 */
export function packagesIn(source) {
  const names = []
  for (const match of source.matchAll(/import\s*\(((?:\s*\/\*[\s\S]*?\*\/)*)\s*['"]([^'"]+)['"]/g)) {
    if (!/(turbopack|webpack)Ignore:\s*true/.test(match[1])) names.push(match[2])
  }
  const code = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '')
  for (const match of code.matchAll(/(?:\bfrom\s*|^\s*import\s+)['"]([^'"]+)['"]/gm)) names.push(match[1])
  return names.map(packageOf).filter((name) => name !== null && !PROVIDED.has(name))
}

/**
 * The npm packages lib/auth needs, without Next.js and React.
 *
 * @param {string} [dir]
 * @returns {string[]}
 */
export function importedPackages(dir = LIB_AUTH) {
  const found = new Set()
  for (const file of libAuthFiles(dir)) {
    if (!/\.[cm]?[jt]sx?$/.test(file) || /\.d\.[cm]?ts$/.test(file)) continue
    for (const name of packagesIn(readFileSync(join(dir, file), 'utf8'))) found.add(name)
  }
  return [...found].sort()
}

/**
 * The dependencies to add: each imported package with this repository's version range.
 *
 * @param {{ redis: boolean }} options
 * @returns {Record<string, string>}
 */
export function dependencies({ redis }) {
  const own = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8'))
  const ranges = { ...own.devDependencies, ...own.dependencies }
  const names = [...importedPackages(), ...(redis ? ['redis'] : [])]
  /** @type {Record<string, string>} */
  const deps = {}
  for (const name of names) {
    if (!ranges[name]) throw new Error(`lib/auth imports ${name}, which this repository's package.json does not list`)
    deps[name] = ranges[name]
  }
  return deps
}
