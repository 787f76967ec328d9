/**
 * Strength check for session secrets. The session cookie is sealed with a key derived from the
 * secret, so a guessable secret lets anyone who sees one cookie forge sessions offline. Length
 * alone does not say much ("passwordpasswordpassword..." is long), so this estimates the entropy
 * the way password meters do: every character costs the bits of its character pool, except
 * characters that repeat or continue a sequence, substrings seen before, and common words.
 *
 * Edge-safe.
 *
 * @see https://www.rfc-editor.org/rfc/rfc4086 (randomness requirements for security)
 * @see https://pages.nist.gov/800-63-4/sp800-63b.html (memorized secret strength)
 */

/** Fewest characters a secret may have (iron-session's own minimum). */
export const MIN_SECRET_LENGTH = 32
/** Fewest estimated bits of entropy a secret must carry. */
export const MIN_SECRET_BITS = 128

/** Words that make a secret guessable wherever they appear. */
const WORDS = [
  'password', 'passwd', 'secret', 'session', 'changeme', 'change', 'default', 'example', 'sample', 'test',
  'admin', 'letmein', 'qwerty', 'asdf', 'welcome', 'master', 'login', 'token', 'cookie', 'super', 'replace',
  'your', 'here', 'insert', 'todo', 'foobar', 'hello', 'world', 'local', 'localhost', 'dev', 'prod', 'key',
  'private', 'auth', 'random', 'string', 'value', 'iron', 'next', 'app', 'abc', 'xyz', 'qwe', 'zxc',
  'this', 'that', 'very', 'long', 'prod', 'production', 'staging', 'company', 'project', 'dragon', 'monkey',
  'football', 'iloveyou', 'sunshine', 'shadow', 'summer', 'winter', 'spring', 'autumn', 'love', 'user', 'pass',
]

function poolBits(secret: string): number {
  let pool = 0
  if (/[a-z]/.test(secret)) pool += 26
  if (/[A-Z]/.test(secret)) pool += 26
  if (/[0-9]/.test(secret)) pool += 10
  if (/[^a-zA-Z0-9]/.test(secret)) pool += 33
  return Math.log2(Math.max(pool, 2))
}

/** Length of the longest earlier copy of `s` starting at `i` (an LZ77 back-reference). */
function backReference(s: string, i: number): number {
  let best = 0
  for (let j = 0; j < i; j++) {
    let n = 0
    while (i + n < s.length && s[j + n] === s[i + n]) n++
    if (n > best) best = n
  }
  return best
}

/** Bits per letter inside a run of same-case letters: natural language carries about this much. */
const WORD_LETTER_BITS = 2.5

/** Length of a word-like run at `i` (a capital then three or more lower-case letters, or four or more same-case letters), or 0. */
function letterRunAt(secret: string, i: number): number {
  const match = /^(?:[A-Z]?[a-z]{3,}|[A-Z]{4,})/.exec(secret.slice(i, i + 64))
  return match ? match[0].length : 0
}

function wordAt(lower: string, i: number): number {
  let best = 0
  for (const word of WORDS) if (word.length > best && lower.startsWith(word, i)) best = word.length
  return best
}

/**
 * Estimated entropy of `secret` in bits.
 *
 * @param secret - A candidate session secret.
 * @returns The estimate; random base64 of 32 bytes scores about 260.
 * @example
 * ```ts
 * estimateEntropyBits('x'.repeat(40)) // about 11
 * ```
 */
export function estimateEntropyBits(input: string): number {
  // Long enough to judge, short enough that the back-reference search stays cheap.
  const secret = input.slice(0, 256)
  const perChar = poolBits(secret)
  const lower = secret.toLowerCase()
  // Letters after the first of a word-like run; the first letter of a word carries full entropy.
  const inWord: boolean[] = []
  for (let j = 0; j < secret.length; ) {
    const run = letterRunAt(secret, j)
    for (let k = 1; k < run; k++) inWord[j + k] = true
    j += Math.max(run, 1)
  }
  let bits = 0
  let i = 0
  while (i < secret.length) {
    const word = wordAt(lower, i)
    if (word >= 3) {
      bits += 11
      i += word
      continue
    }
    const copy = backReference(secret, i)
    if (copy >= 3) {
      bits += Math.log2(i + 1) + Math.log2(copy)
      i += copy
      continue
    }
    const prev = secret.charCodeAt(i - 1)
    const delta = secret.charCodeAt(i) - prev
    const prevDelta = i >= 2 ? prev - secret.charCodeAt(i - 2) : NaN
    // A repeated character, or one that continues an ascending or descending run ("abc", "987").
    const cost = i > 0 && (delta === 0 || (Math.abs(delta) === 1 && delta === prevDelta)) ? 1 : perChar
    // Word-like runs ("correcthorse", "supersecret"): random base64 rarely has four same-case letters
    // in a row, phrases always do.
    // A separator used again ("my-super-secret-key"): cheap to guess once the first is known.
    const separator = /[^A-Za-z0-9]/.test(secret[i]) && secret.lastIndexOf(secret[i], i - 1) >= 0
    bits += inWord[i] ? Math.min(cost, WORD_LETTER_BITS) : separator ? Math.min(cost, 2) : cost
    i++
  }
  return bits
}

/**
 * Why `secret` must not be used, or null when it is strong enough.
 *
 * @param secret - A candidate session secret.
 * @returns A sentence for the configuration error, or null.
 * @example
 * ```ts
 * secretWeakness('changeme-changeme-changeme-changeme') // "looks guessable ..."
 * ```
 */
export function secretWeakness(secret: string): string | null {
  if (secret.length < MIN_SECRET_LENGTH) {
    return `has a secret of ${secret.length} characters: each needs at least ${MIN_SECRET_LENGTH} random characters`
  }
  const bits = Math.floor(estimateEntropyBits(secret))
  if (bits < MIN_SECRET_BITS) {
    return `has a secret that looks guessable (about ${bits} bits of entropy; repeated characters, sequences or common words), at least ${MIN_SECRET_BITS} are needed`
  }
  return null
}
