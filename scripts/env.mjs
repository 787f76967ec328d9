/**
 * Shared start-up helpers for scripts/dev.mjs and scripts/start.mjs: .env loading (the same files
 * and order as Next.js) and the banner.
 */
import nextEnv from '@next/env'
import { ROOT } from './certs.mjs'

export function loadEnv(dev) {
  nextEnv.loadEnvConfig(ROOT, dev, { info: () => {}, error: console.error })
}

export function banner(lines) {
  const width = Math.max(...lines.map((l) => l.length)) + 4
  const bar = '─'.repeat(width)
  console.log(`\n┌${bar}┐`)
  for (const line of lines) console.log(`│  ${line.padEnd(width - 2)}│`)
  console.log(`└${bar}┘\n`)
}
