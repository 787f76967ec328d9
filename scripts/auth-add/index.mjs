#!/usr/bin/env node
/**
 * `npm run auth:add -- <path-to-next-app> [--proxy] [--signin-page] [--server] [--redis] [--force]`:
 * adds lib/auth to a Next.js 16 App Router app. `--help` lists the options; docs/lib-auth.md
 * explains what it writes. Errors print with their code and exit non-zero (2 for usage errors).
 */
import { pathToFileURL } from 'node:url'
import { parseCommandLine, USAGE } from './args.mjs'
import { exitCodeFor, formatError } from './errors.mjs'
import { buildPlan } from './plan.mjs'
import { summary } from './summary.mjs'
import { applyPlan } from './write.mjs'

/**
 * Runs the command.
 *
 * @param {string[]} argv
 * @param {{ cwd?: string, out?: NodeJS.WritableStream, err?: NodeJS.WritableStream }} [io]
 * @returns {number} The exit status.
 */
export function main(argv, io = {}) {
  const { out = process.stdout, err = process.stderr } = io
  // npm runs scripts in this repository; a relative target is relative to where npm was called.
  const cwd = io.cwd ?? process.env.INIT_CWD ?? process.cwd()
  try {
    const cmd = parseCommandLine(argv, cwd)
    if (cmd.help) {
      out.write(`${USAGE}\n`)
      return 0
    }
    const plan = buildPlan(cmd.options)
    applyPlan(plan, { dryRun: cmd.options.dryRun })
    out.write(`${summary(plan, cmd.options)}\n`)
    return 0
  } catch (error) {
    err.write(`${formatError(error).join('\n')}\n`)
    return exitCodeFor(error)
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) process.exitCode = main(process.argv.slice(2))
