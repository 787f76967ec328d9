// The `filter` query parameter of WSO2's `GET /api/server/v1/applications`: "Supports 'sw', 'co', 'ew', and 'eq'
// operations with 'and', 'or' logical operators … only filtering based on the 'name', the 'clientId', and the
// 'issuer' attributes" (applications.yaml), errors 400 `APP-60004` (R1 §2.2). `and` binds tighter than `or`;
// values are compared case-sensitively (WSO2's case rule is not settled by the sources).
import { ApiError } from './mgmt-auth.mjs';

const ATTRIBUTES = new Set(['name', 'clientId', 'issuer']);
/** @type {Record<string, (a: string, b: string) => boolean>} */
const OPS = { eq: (a, b) => a === b, sw: (a, b) => a.startsWith(b), ew: (a, b) => a.endsWith(b), co: (a, b) => a.includes(b) };

const filterError = (/** @type {string} */ d) => new ApiError(400, 'APP-60004', 'Invalid filter query format.', d);

/**
 * One `<attribute> <operation> <value>` term as a predicate.
 * @param {string} term @param {Set<string>} used collects the attributes used
 * @returns {(app: any) => boolean}
 */
function parseTerm(term, used) {
  const m = /^(\S+)\s+(\S+)\s+(.+)$/.exec(term.trim());
  if (!m) throw filterError('Filter needs to be in the format <attribute>+<operation>+<value>. Eg: name+eq+john');
  const [, attr, op, value] = m;
  if (!ATTRIBUTES.has(attr)) throw filterError('Filtering using the attempted attribute is not supported.');
  const test = OPS[op.toLowerCase()];
  if (!test) throw filterError('Attempted filtering operation is invalid.');
  used.add(attr);
  return (app) => typeof app[attr] === 'string' && test(app[attr], value);
}

/**
 * Applies a filter to a tenant's applications.
 * @template T
 * @param {T[]} apps @param {string | null} filter
 * @returns {{ apps: T[], attributes: Set<string> }} the matching apps and the attributes the filter used
 */
export function filterApps(apps, filter) {
  /** @type {Set<string>} */
  const used = new Set();
  if (filter === null || !filter.trim()) return { apps, attributes: used };
  const groups = filter.split(/\s+or\s+/i).map((g) => g.split(/\s+and\s+/i).map((term) => parseTerm(term, used)));
  return { apps: apps.filter((a) => groups.some((terms) => terms.every((p) => p(a)))), attributes: used };
}
