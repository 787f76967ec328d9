/**
 * Carries out a plan: refuses it whole when a file differs (nothing is written), else writes,
 * updates and removes files. `--dry-run` stops before the first write.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { AuthAddError } from './errors.mjs'

/**
 * @param {import('./plan.mjs').Plan} plan
 * @param {{ dryRun: boolean }} options
 * @returns {import('./plan.mjs').Change[]} The changes that were (or, with dryRun, would be) made.
 */
export function applyPlan(plan, { dryRun }) {
  const conflicts = plan.changes.filter((c) => c.action === 'conflict')
  if (conflicts.length) {
    const list = conflicts.map((c) => `  ${c.path}${c.note ? ` (${c.note})` : ''}`).join('\n')
    throw new AuthAddError('conflict', `${conflicts.length === 1 ? 'a file differs' : `${conflicts.length} files differ`} from what auth:add writes; nothing was written:\n${list}`, {
      hint: 'Keep your changes and leave these files out by hand, or run again with --force to overwrite them\n(see what would change with --dry-run --force).',
    })
  }
  const done = plan.changes.filter((c) => c.action === 'create' || c.action === 'update' || c.action === 'remove')
  if (dryRun) return done
  for (const change of done) {
    const path = join(plan.target.root, change.path)
    try {
      if (change.action === 'remove') rmSync(path)
      else {
        mkdirSync(dirname(path), { recursive: true })
        writeFileSync(path, /** @type {string | Buffer} */ (change.content))
      }
    } catch (error) {
      throw new AuthAddError('write_failed', `${change.path}: ${/** @type {Error} */ (error).message}`, { cause: error })
    }
  }
  return done
}
