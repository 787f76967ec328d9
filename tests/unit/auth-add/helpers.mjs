/** Shared by the auth:add unit tests: a minimal app in a temp folder and a captured run of the command. */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { main } from '../../../scripts/auth-add/index.mjs'

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..')

/** create-next-app 16's next.config.ts. */
export const CNA_NEXT_CONFIG = `import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  /* config options here */
};

export default nextConfig;
`

const TSCONFIG = (alias) => `{
  "compilerOptions": {
    "strict": true,
    "jsx": "react-jsx"${alias ? `,\n    "paths": {\n      "@/*": ["${alias}"]\n    }` : ''}
  }
}
`

/**
 * A minimal app (package.json, tsconfig.json, next.config.ts, app/layout.tsx) in a temp folder.
 *
 * @param {{ src?: boolean, alias?: string | null, files?: Record<string, string> }} [options]
 */
export function makeApp(options = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'auth-add-test-'))
  const app = options.src ? 'src/app' : 'app'
  const alias = options.alias === undefined ? (options.src ? './src/*' : './*') : options.alias
  const files = {
    'package.json': `${JSON.stringify({ name: 'my-app', private: true, dependencies: { next: '^16.4.6', react: '^19.3.1', 'react-dom': '^19.3.1' } }, null, 2)}\n`,
    'tsconfig.json': TSCONFIG(alias),
    'next.config.ts': CNA_NEXT_CONFIG,
    [`${app}/layout.tsx`]: 'export default function RootLayout({ children }) { return children }\n',
    ...options.files,
  }
  for (const [path, text] of Object.entries(files)) write(dir, path, text)
  return dir
}

/** @param {string} dir @param {string} path @param {string} text */
export function write(dir, path, text) {
  mkdirSync(dirname(join(dir, path)), { recursive: true })
  writeFileSync(join(dir, path), text)
}

/** @param {string} dir @param {string} path */
export const read = (dir, path) => readFileSync(join(dir, path), 'utf8')

/** Runs auth:add; its status and output. @param {string[]} args */
export function run(args) {
  let out = ''
  let err = ''
  const status = main(args, { cwd: ROOT, out: { write: (s) => (out += s) }, err: { write: (s) => (err += s) } })
  return { status, out, err }
}

/** @param {string} dir */
export const remove = (dir) => rmSync(dir, { recursive: true, force: true })

/** The code block of docs/lib-auth.md whose first line is `// <name>`, without that line. */
export function docsBlock(name) {
  const docs = readFileSync(join(ROOT, 'docs', 'lib-auth.md'), 'utf8')
  const block = [...docs.matchAll(/```\w*\n([\s\S]*?)```/g)].map((m) => m[1]).find((b) => b.startsWith(`// ${name}\n`))
  if (!block) throw new Error(`docs/lib-auth.md has no block starting with // ${name}`)
  return block.slice(`// ${name}\n`.length)
}
