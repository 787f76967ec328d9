/**
 * Questions on the terminal with Node's `readline` (no dependency): yes/no questions and hidden input for
 * passwords. Without a terminal, answers are read line by line from stdin (so scripts and tests can pipe them);
 * when stdin has no more lines, the question fails with `setup_needs_input` instead of hanging.
 */
import * as readline from 'node:readline';
import { Writable } from 'node:stream';

import { SetupError } from './errors.mjs';

/**
 * @typedef {object} Prompter
 * @property {(question: string, opts?: { hidden?: boolean }) => Promise<string>} ask
 * @property {(question: string) => Promise<boolean>} confirm yes/no, default no
 * @property {() => void} close
 */

/**
 * Reads lines from a non-terminal stream, one per question.
 * @param {NodeJS.ReadableStream} input
 */
function lineReader(input) {
  const rl = readline.createInterface({ input, terminal: false });
  /** @type {string[]} */ const queue = [];
  /** @type {((line: string | null) => void)[]} */ const waiters = [];
  let closed = false;
  rl.on('line', (line) => { const w = waiters.shift(); if (w) w(line); else queue.push(line); });
  rl.on('close', () => { closed = true; for (const w of waiters.splice(0)) w(null); });
  return {
    /** @returns {Promise<string | null>} */
    next: () => (queue.length ? Promise.resolve(/** @type {string} */ (queue.shift())) : closed ? Promise.resolve(null) : new Promise((ok) => { waiters.push(ok); })),
    close: () => rl.close(),
  };
}

/**
 * One question on a terminal; `hidden` echoes nothing (the typed characters go to a muted stream).
 * @param {NodeJS.ReadStream} input @param {NodeJS.WritableStream} output @param {string} question @param {boolean} hidden
 * @returns {Promise<string>}
 */
function askTerminal(input, output, question, hidden) {
  let muted = false;
  const sink = new Writable({ write(chunk, _enc, done) { if (!muted) output.write(chunk); done(); } });
  const rl = readline.createInterface({ input, output: sink, terminal: true });
  return new Promise((resolve, reject) => {
    rl.on('SIGINT', () => { rl.close(); output.write('\n'); reject(new SetupError('setup_cancelled', 'Stopped (Ctrl-C).')); });
    rl.question(question, (answer) => {
      muted = false;
      if (hidden) output.write('\n');
      rl.close();
      resolve(answer);
    });
    muted = hidden;
  });
}

/**
 * @param {{ input?: NodeJS.ReadStream, output?: NodeJS.WritableStream }} [io]
 * @returns {Prompter}
 */
export function createPrompter(io = {}) {
  const input = io.input ?? process.stdin;
  const output = io.output ?? process.stdout;
  const terminal = Boolean(input.isTTY);
  /** @type {ReturnType<typeof lineReader> | undefined} */
  let lines;
  async function ask(/** @type {string} */ question, { hidden = false } = {}) {
    if (terminal) return askTerminal(input, output, question, hidden);
    output.write(question);
    lines ??= lineReader(input);
    const line = await lines.next();
    if (line === null) {
      output.write('\n');
      throw new SetupError('setup_needs_input', `No answer to "${question.trim()}" (stdin is not a terminal and has no more lines).`, {
        hint: 'For scripts: --password-env / --m2m-client-secret-env, --trust-fingerprint and --yes.',
      });
    }
    output.write(hidden ? '\n' : `${line}\n`);
    return line;
  }
  return {
    ask,
    async confirm(question) {
      const answer = (await ask(`${question} [y/N] `)).trim().toLowerCase();
      return answer === 'y' || answer === 'yes';
    },
    close() { lines?.close(); },
  };
}
