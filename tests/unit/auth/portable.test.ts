/**
 * lib/auth is a folder people copy into their own app unedited: nothing in it may name this app,
 * reach outside the folder, or grow past the size a reader can hold in mind; the edge-safe modules
 * may import only Web APIs and edge-safe packages.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import { describe, expect, it } from 'vitest'

const ROOT = join(__dirname, '../../../lib/auth')

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    return statSync(path).isDirectory() ? files(path) : [path]
  })
}

const sources = files(ROOT).map((path) => ({ path: relative(ROOT, path), text: readFileSync(path, 'utf8') }))
const code = (text: string) => text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '')
/** Static imports and re-exports (dynamic `import()` is how the edge-safe entry reaches Node code lazily). */
const imports = (text: string) => [...code(text).matchAll(/^[ \t]*(?:import|export)(?!\s+type\b)\b[^'";()=]*?(?:from\s*)?['"]([^'"]+)['"]/gm)].map((m) => m[1])

describe('lib/auth as a copyable folder', () => {
  it('names no app, brand or path of this project', () => {
    for (const { path, text } of sources) expect(text, path).not.toMatch(/myclinic|@\/components|tests\/|bench\//i)
  })

  it('keeps every file under 300 lines and holds no test files', () => {
    for (const { path, text } of sources) {
      expect(text.split('\n').length, path).toBeLessThanOrEqual(300)
      expect(path).not.toMatch(/\.test\.|\.spec\./)
    }
  })

  it('imports only its own files and packages (no app alias, nothing above the folder)', () => {
    for (const { path, text } of sources) {
      for (const spec of imports(text)) {
        if (spec.startsWith('.')) expect(join(ROOT, path, '..', spec).startsWith(ROOT), `${path} imports ${spec}`).toBe(true)
        else expect(spec, path).not.toMatch(/^@\//)
      }
    }
  })

  it('keeps Node built-ins, server-only and redis out of the edge-safe top level', () => {
    for (const { path, text } of sources) {
      if (path.includes('/') || !/\.tsx?$/.test(path)) continue
      for (const spec of imports(text)) expect(spec, `${path} imports ${spec}`).not.toMatch(/^node:|^server-only$|^redis$|^undici$|^\.\/server\//)
    }
  })
})
