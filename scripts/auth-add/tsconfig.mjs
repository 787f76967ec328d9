/**
 * Adds the `@/*` path alias to tsconfig.json when it has none, as create-next-app writes it
 * (`"@/*": ["./*"]`, or `["./src/*"]` for the src/ layout). A text edit, so the rest of the file
 * keeps its layout; the result is checked to parse with the alias in place.
 */

/**
 * @param {string} text - tsconfig.json.
 * @param {string} srcDir - `''` or `'src'`.
 * @returns {string} The new text, or the same text when the alias cannot be added safely.
 */
export function addAlias(text, srcDir) {
  const target = srcDir ? `./${srcDir}/*` : './*'
  let next = null
  const paths = /("paths"\s*:\s*\{)(\s*)/.exec(text)
  const options = /("compilerOptions"\s*:\s*\{)(\s*)/.exec(text)
  if (paths) {
    const indent = paths[2].includes('\n') ? paths[2] : ' '
    const empty = /^\s*\}/.test(text.slice(paths.index + paths[0].length))
    next = `${text.slice(0, paths.index)}${paths[1]}${indent}"@/*": ["${target}"]${empty ? '' : ','}${paths[2]}${text.slice(paths.index + paths[0].length)}`
  } else if (options) {
    const indent = options[2].includes('\n') ? options[2] : ' '
    const empty = /^\s*\}/.test(text.slice(options.index + options[0].length))
    next = `${text.slice(0, options.index)}${options[1]}${indent}"paths": { "@/*": ["${target}"] }${empty ? '' : ','}${options[2]}${text.slice(options.index + options[0].length)}`
  }
  try {
    if (next && JSON.parse(next).compilerOptions.paths['@/*'][0] === target) return next
  } catch {
    // Falls through: the generated files import by relative paths instead.
  }
  return text
}
