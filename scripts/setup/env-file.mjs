/**
 * `.env.local`: reading an existing one (dotenv syntax as @next/env reads it), and the new text with setup's
 * keys set in place, every other line kept. `AUTH_SESSION_SECRET` is generated (32 random bytes, base64)
 * unless the file already has a strong one, so running setup again changes nothing.
 */
import * as crypto from 'node:crypto';

/** Keys setup always writes. */
export const MANAGED_KEYS = Object.freeze(['AUTH_CLIENT_HOST', 'AUTH_SERVER_ORIGIN', 'AUTH_TENANT_PATH', 'AUTH_CLIENT_ID', 'AUTH_CLIENT_SECRET', 'AUTH_CERTIFICATE_PATH', 'AUTH_SESSION_SECRET']);
/** Keys setup updates only when the file has them (they must agree with the others, or start-up fails). */
export const DEPENDENT_KEYS = Object.freeze(['AUTH_LOGIN_CALLBACK_URL', 'AUTH_LOGOUT_CALLBACK_URL', 'AUTH_TENANT', 'AUTH_ISSUER']);

const LINE = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/;

/** @param {string} raw the text after `=` */
function unquote(raw) {
  const q = raw[0];
  if ((q === '"' || q === "'" || q === '`') && raw.length > 1) {
    const end = raw.lastIndexOf(q);
    if (end > 0) {
      const inner = raw.slice(1, end);
      return q === '"' ? inner.replace(/\\n/g, '\n').replace(/\\(["\\])/g, '$1') : inner;
    }
  }
  return raw.replace(/\s+#.*$/, '');
}

/**
 * Parses dotenv text: `KEY=value`, `export KEY=value`, quoted values, `#` comments.
 * @param {string} text
 * @returns {Map<string, string>}
 */
export function parseEnv(text) {
  const out = new Map();
  for (const line of text.split(/\r?\n/)) {
    if (/^\s*#/.test(line)) continue;
    const m = LINE.exec(line);
    if (m) out.set(m[1], unquote(m[2]));
  }
  return out;
}

/** A value as dotenv text: bare when safe, double-quoted otherwise. @param {string} v */
export function formatValue(v) {
  if (/^[A-Za-z0-9_./:+=@,-]*$/.test(v)) return v;
  return `"${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}

/** A new session secret: 32 random bytes, base64 (what `openssl rand -base64 32` prints). */
export const newSessionSecret = () => crypto.randomBytes(32).toString('base64');

/**
 * Whether an existing `AUTH_SESSION_SECRET` may be kept: every comma-separated secret at least 32 characters
 * with at least 16 distinct characters (the app refuses low-entropy secrets).
 * @param {string | undefined} value
 */
export function isStrongSecret(value) {
  if (!value) return false;
  return value.split(',').map((s) => s.trim()).every((s) => s.length >= 32 && new Set(s).size >= 16);
}

/**
 * The new file text: managed keys replaced in place, every occurrence (or appended), dependent keys updated
 * where present, everything else kept. A new file gets a header.
 * @param {string | undefined} existing current text, undefined when there is no file
 * @param {Record<string, string>} values managed and dependent keys → values
 * @param {string} header comment lines for a new file
 * @returns {{ text: string, changed: string[] }} changed: keys whose value differs
 */
export function renderEnv(existing, values, header) {
  const old = existing === undefined ? new Map() : parseEnv(existing);
  const changed = Object.keys(values).filter((k) => (MANAGED_KEYS.includes(k) || old.has(k)) && old.get(k) !== values[k]);
  if (existing === undefined) {
    const body = MANAGED_KEYS.map((k) => `${k}=${formatValue(values[k] ?? '')}`);
    return { text: `${header}\n${body.join('\n')}\n`, changed };
  }
  const done = new Set();
  const lines = existing.replace(/\r?\n$/, '').split(/\r?\n/).map((line) => {
    const m = /^\s*#/.test(line) ? null : LINE.exec(line);
    if (!m || !(m[1] in values)) return line;
    done.add(m[1]);
    return `${m[1]}=${formatValue(values[m[1]])}`;
  });
  for (const k of MANAGED_KEYS) if (!done.has(k)) lines.push(`${k}=${formatValue(values[k] ?? '')}`);
  return { text: `${lines.join('\n')}\n`, changed };
}
