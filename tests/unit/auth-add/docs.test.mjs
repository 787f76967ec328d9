/**
 * docs/lib-auth.md's manual path is what `npm run auth:add` writes: every code block named after a
 * file equals the file the command generates for create-next-app's layout.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { dependencies, importedPackages } from '../../../scripts/auth-add/libauth.mjs'
import { CNA_NEXT_CONFIG, docsBlock, makeApp, read, remove, ROOT, run } from './helpers.mjs'

describe('docs/lib-auth.md matches auth:add', () => {
  let plain
  let full
  beforeAll(() => {
    plain = makeApp()
    full = makeApp()
    expect(run([plain]).status).toBe(0)
    expect(run([full, '--proxy', '--signin-page', '--server']).status).toBe(0)
  })
  afterAll(() => {
    remove(plain)
    remove(full)
  })

  for (const file of ['auth.ts', 'app/login/route.ts', 'app/login/refresh/route.ts', 'app/logout/route.ts', 'app/logout/backchannel/route.ts', 'app/api/auth/session/route.ts', 'middleware.ts', 'next.config.ts']) {
    it(`${file} (no options)`, () => expect(docsBlock(file)).toBe(read(plain, file)))
  }
  for (const file of ['proxy.ts', 'app/signin/page.tsx', 'server.mjs']) {
    it(`${file} (--proxy --signin-page --server)`, () => expect(docsBlock(file)).toBe(read(full, file)))
  }
  it('auth.ts with a sign-in page', () => expect(docsBlock('auth.ts with a sign-in page')).toBe(read(full, 'auth.ts')))

  it('the manual next.config.ts is create-next-app\'s, wrapped', () => {
    expect(CNA_NEXT_CONFIG).toBe(docsBlock('next.config.ts').replace('import { withAuth } from "./lib/auth/next-config.cjs";\n', '').replace('withAuth(nextConfig)', 'nextConfig'))
  })

  it('the npm install line installs exactly what lib/auth imports, with the versions auth:add writes', () => {
    const docs = readFileSync(join(ROOT, 'docs', 'lib-auth.md'), 'utf8')
    const line = Object.entries(dependencies({ redis: false })).map(([name, range]) => `${name}@${range}`).join(' ')
    expect(docs).toContain(`npm install ${line}\n`)
    expect(importedPackages()).toEqual(['fflate', 'iron-session', 'jose', 'oauth4webapi', 'server-only', 'undici'])
    expect(JSON.parse(read(plain, 'package.json')).dependencies).toMatchObject(dependencies({ redis: false }))
  })

  it('the quick start page is the one the e2e test builds', () => {
    expect(docsBlock('app/page.tsx')).toContain("const session = await auth.requireSession()")
  })
})
