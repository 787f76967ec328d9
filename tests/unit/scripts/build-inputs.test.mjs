import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { buildFingerprint } from '../../../scripts/build-inputs.mjs'

let dir
afterEach(() => rmSync(dir, { recursive: true, force: true }))

function project() {
  dir = mkdtempSync(join(tmpdir(), 'build-inputs-'))
  for (const [path, text] of [['app/page.tsx', 'a'], ['components/x.tsx', 'b'], ['lib/auth/index.ts', 'c'], ['tests/e2e/a.spec.ts', 't'], ['docs/a.md', 'd'], ['auth.ts', 'e']]) {
    mkdirSync(join(dir, path, '..'), { recursive: true })
    writeFileSync(join(dir, path), text)
  }
  return dir
}

describe('buildFingerprint (when npm run test:e2e rebuilds)', () => {
  it.each(['components/x.tsx', 'app/page.tsx', 'lib/auth/index.ts', 'auth.ts', 'proxy.ts', 'newfolder/y.ts'])('changes when %s changes or appears', (path) => {
    const root = project()
    const before = buildFingerprint(root)
    mkdirSync(join(root, path, '..'), { recursive: true })
    writeFileSync(join(root, path), 'changed')
    expect(buildFingerprint(root)).not.toBe(before)
  })

  it.each(['tests/e2e/a.spec.ts', 'docs/a.md', '.next/cache.bin'])('ignores %s, which the build does not read', (path) => {
    const root = project()
    const before = buildFingerprint(root)
    mkdirSync(join(root, path, '..'), { recursive: true })
    writeFileSync(join(root, path), 'changed')
    expect(buildFingerprint(root)).toBe(before)
  })
})
