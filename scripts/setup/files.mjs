/**
 * The files setup writes, all at the end and atomically: every file is first written to a temporary file next
 * to it (and flushed), and only when all of them are written are they renamed into place. A file whose
 * content would not change is not touched.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';

import { SetupError } from './errors.mjs';

/**
 * @typedef {{ path: string, content: string, mode: number }} PlannedFile
 */

/** The current text of a file, or undefined when it does not exist. @param {string} file */
export async function readIfExists(file) {
  try { return await fs.readFile(file, 'utf8'); } catch (err) {
    if (/** @type {any} */ (err).code === 'ENOENT') return undefined;
    throw new SetupError('setup_write_failed', `Cannot read ${file}: ${/** @type {Error} */ (err).message}.`, { cause: err });
  }
}

/** @param {string} file @param {string} content @param {number} mode */
async function writeTemp(file, content, mode) {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.setup-${process.pid}-${crypto.randomBytes(4).toString('hex')}.tmp`);
  const fh = await fs.open(tmp, 'wx', mode);
  try {
    await fh.writeFile(content, 'utf8');
    await fh.sync();
  } finally {
    await fh.close();
  }
  return tmp;
}

/**
 * Writes the planned files that differ from what is on disk, atomically (temp file + rename).
 * @param {PlannedFile[]} plan
 * @returns {Promise<string[]>} the paths written
 */
export async function commitFiles(plan) {
  const todo = [];
  for (const f of plan) if ((await readIfExists(f.path)) !== f.content) todo.push(f);
  /** @type {[string, string][]} */ const temps = [];
  try {
    for (const f of todo) {
      await fs.mkdir(path.dirname(f.path), { recursive: true });
      temps.push([await writeTemp(f.path, f.content, f.mode), f.path]);
    }
  } catch (err) {
    await Promise.all(temps.map(([tmp]) => fs.rm(tmp, { force: true })));
    throw new SetupError('setup_write_failed', `Cannot write ${todo[temps.length]?.path ?? 'the files'}: ${/** @type {Error} */ (err).message}.`, { cause: err });
  }
  for (const [tmp, file] of temps) {
    try { await fs.rename(tmp, file); } catch (err) {
      throw new SetupError('setup_write_failed', `Cannot move ${tmp} to ${file}: ${/** @type {Error} */ (err).message}.`, { cause: err });
    }
  }
  return todo.map((f) => f.path);
}
