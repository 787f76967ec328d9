/**
 * Step-by-step progress of `npm run setup`: a numbered heading per step, indented details, and marks for what
 * happened (✓ done or unchanged, + created, ~ changed, ! warning).
 */

/**
 * @typedef {object} Reporter
 * @property {(title: string) => void} step starts the next step
 * @property {(label: string, value: string) => void} field an aligned `label value` line
 * @property {(text: string) => void} ok
 * @property {(text: string) => void} created
 * @property {(text: string) => void} changed
 * @property {(text: string) => void} warn
 * @property {(text: string) => void} line a plain indented line
 * @property {(text?: string) => void} raw an unindented line
 * @property {() => number} changes how many created/changed marks were reported
 */

/**
 * @param {NodeJS.WritableStream} out
 * @param {number} total number of steps
 * @returns {Reporter}
 */
export function createReporter(out, total) {
  let n = 0;
  let changes = 0;
  const write = (/** @type {string} */ s) => { out.write(`${s}\n`); };
  const mark = (/** @type {string} */ m) => (/** @type {string} */ text) => write(`      ${m} ${text}`);
  return {
    step(title) { n += 1; write(`\n[${n}/${total}] ${title}`); },
    field(label, value) { write(`      ${label.padEnd(12)} ${value}`); },
    ok: mark('✓'),
    created: (text) => { changes += 1; mark('+')(text); },
    changed: (text) => { changes += 1; mark('~')(text); },
    warn: mark('!'),
    line(text) { write(`        ${text}`); },
    raw(text = '') { write(text); },
    changes: () => changes,
  };
}
