/**
 * Patches the target's next.config to `export default withAuth(<its config>)` with the import of
 * lib/auth's helper, for the shapes create-next-app writes: next.config.ts and next.config.mjs
 * (`export default nextConfig`) and a CommonJS next.config.js (`module.exports = nextConfig`).
 * Anything else is left to the user with the exact lines to add.
 */
import { AuthAddError } from './errors.mjs'
import { nextConfigFile } from './templates.mjs'

/**
 * Where the exported expression starts and ends, or null when it is not one expression at the
 * end of the file (a single line, or an object or call spanning to the end).
 *
 * @param {string} text
 * @param {RegExp} head - Matches up to the expression, e.g. `export default `.
 * @returns {{ start: number, end: number, expression: string } | null}
 */
function exportedExpression(text, head) {
  const match = head.exec(text)
  if (!match) return null
  const start = match.index + match[0].length
  const lineEnd = text.indexOf('\n', start) === -1 ? text.length : text.indexOf('\n', start)
  const line = text.slice(start, lineEnd).replace(/;?\s*(\/\/.*)?$/, '')
  if (/^(async\s+)?function\b|^class\b/.test(line)) return null
  const opens = (line.match(/[({[]/g) ?? []).length
  const closes = (line.match(/[)}\]]/g) ?? []).length
  if (line && opens === closes) return { start, end: start + line.length, expression: line }
  const rest = text.slice(start).replace(/;?\s*$/, '')
  if (!/^[\w$.]*\s*[({]/.test(rest) || !/[)}]$/.test(rest)) return null
  return { start, end: start + rest.length, expression: rest }
}

/**
 * The text with `line` added after the last import (or require) at the top of the file.
 *
 * @param {string} text
 * @param {string} line
 * @param {RegExp} last - Matches the end of one import statement at the end of a line.
 */
function addImport(text, line, last) {
  const ends = [...text.matchAll(last)].map((m) => m.index + m[0].length)
  if (!ends.length) return `${line}\n${text.startsWith('\n') ? '' : '\n'}${text}`
  const at = Math.max(...ends)
  return `${text.slice(0, at)}\n${line}${text.slice(at)}`
}

/** @param {string} helperSpec */
function manualHint(flavour, helperSpec) {
  const cjs = flavour === 'js-cjs'
  return cjs
    ? `Add \`const { withAuth } = require('${helperSpec}')\` and export \`withAuth(yourConfig)\`.`
    : `Add \`import { withAuth } from '${helperSpec}'\` and export \`withAuth(yourConfig)\` (it also takes a config function).`
}

/**
 * The patched next.config.
 *
 * @param {{ path: string, flavour: string, text: string }} config - From detect.mjs.
 * @param {string} helperSpec - `./lib/auth/next-config.cjs` or `./src/lib/auth/next-config.cjs`.
 * @returns {string} The new text (the same text when it is patched already).
 */
export function patchNextConfig(config, helperSpec) {
  if (config.flavour === 'none') return nextConfigFile(helperSpec)
  const { text, flavour } = config
  if (text.includes(helperSpec.slice(2)) && /\bwithAuth\s*\(/.test(text)) return text
  const cjs = flavour === 'js-cjs'
  const found = exportedExpression(text, cjs ? /^module\.exports\s*=\s*/m : /^export\s+default\s+/m)
  if (!found) {
    throw new AuthAddError('config_unsupported', `${config.path} does not end with \`${cjs ? 'module.exports =' : 'export default'} <config>\`, so auth:add cannot wrap it`, { hint: manualHint(flavour, helperSpec) })
  }
  // The file's own style: semicolons, and double quotes as create-next-app writes them.
  const semi = /;\s*$/.test(text.trimEnd()) ? ';' : ''
  const q = /^(?:import|const|let|var)\s[^\n]*"[^"\n]+"/m.test(text) ? '"' : "'"
  const wrapped = `${text.slice(0, found.start)}withAuth(${found.expression})${text.slice(found.end)}`
  const importLine = cjs ? `const { withAuth } = require(${q}${helperSpec}${q})${semi}` : `import { withAuth } from ${q}${helperSpec}${q}${semi}`
  const last = cjs ? /^(?:const|let|var)\s[^\n]*\brequire\(\s*['"][^'"]+['"]\s*\)[^\n]*$/gm : /^(?:import\s[^\n]*|\}\s*from\s[^\n]*)['"][^'"\n]+['"]\s*;?[ \t]*$/gm
  return addImport(wrapped, importLine, last)
}
