/**
 * Adds lib/auth's dependencies to the target's package.json, keeping its indentation. A package
 * the app lists already with another range is a conflict (lib/auth is tested with this repository's
 * versions); `--force` replaces the range.
 */

/**
 * @typedef {object} DepsPatch
 * @property {string} text - The new package.json.
 * @property {string[]} added - `name@range` added.
 * @property {string[]} differing - `name: theirs → ours`, for packages listed with another range.
 */

/**
 * @param {string} text - package.json.
 * @param {Record<string, string>} wanted - name → range.
 * @param {boolean} force - Replace differing ranges.
 * @returns {DepsPatch}
 */
export function addDependencies(text, wanted, force) {
  const pkg = JSON.parse(text)
  const deps = { ...pkg.dependencies }
  const added = []
  const differing = []
  for (const [name, range] of Object.entries(wanted)) {
    const theirs = deps[name] ?? pkg.devDependencies?.[name]
    if (theirs === range) continue
    if (theirs === undefined) added.push(`${name}@${range}`)
    else {
      differing.push(`${name}: ${theirs} → ${range}`)
      if (!force) continue
      if (pkg.devDependencies?.[name] !== undefined && deps[name] === undefined) delete pkg.devDependencies[name]
    }
    deps[name] = range
  }
  if (!added.length && !(force && differing.length)) return { text, added, differing }
  pkg.dependencies = Object.fromEntries(Object.entries(deps).sort(([a], [b]) => a.localeCompare(b)))
  const indent = /^[ \t]+(?=")/m.exec(text)?.[0] ?? '  '
  const eol = text.endsWith('\n') ? '\n' : ''
  return { text: JSON.stringify(pkg, null, indent) + eol, added, differing }
}
