/**
 * Command line of `npm run setup`: parsing (node:util parseArgs), defaults and validation into the options
 * every step reads. Nothing here touches the network or the disk.
 */
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

import { SetupError } from './errors.mjs';

/** The repository root: default `--dir`. */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
/** WSO2's super tenant. */
export const SUPER_TENANT = 'carbon.super';
/** WSO2's default `service_provider.sp_name_regex`: application names setup can register. */
export const APP_NAME_REGEX = /^[a-zA-Z0-9._-]+(?: [a-zA-Z0-9._-]+)*$/;

export const USAGE = `npm run setup -- [options]

Registers this app with WSO2 Identity Server 7 or Asgardeo and writes .env.local.

WSO2 IS:
  --server <origin>          the IS, e.g. https://localhost:9443 (default)
  --tenant <domain>          tenant domain (default carbon.super, the super tenant)
  --admin <user>             administrator (default admin); the password is asked for
  --password-env <VAR>       read the administrator password from environment variable VAR
Asgardeo (or an IS with a machine-to-machine application):
  --asgardeo <org>           organization name; the server defaults to https://api.asgardeo.io
  --m2m-client-id <id>       client id of an M2M application authorized for the management APIs
  --m2m-client-secret-env <VAR>  read its client secret from VAR (asked for otherwise)
The application:
  --name <name>              application name (default myclinic)
  --app-url <origin>         where the app runs, AUTH_CLIENT_HOST (default https://localhost:5000)
Files:
  --dir <path>               where .env.local and certs/ go (default: the repository root)
  --env-file <file>          the env file, relative to --dir (default .env.local)
Non-interactive use:
  --yes, -y                  answer yes (replace .env.local); never trusts a new certificate by itself
  --trust-fingerprint <fp>   trust the server certificate with this SHA-256 fingerprint
                             ("AB:CD:..", "sha256 Fingerprint=AB:CD:..." or plain hex, any case)
  --timeout <seconds>        per request (default 15)
  --help, -h                 this text`;

const SPEC = /** @type {const} */ ({
  server: { type: 'string' }, tenant: { type: 'string' }, admin: { type: 'string' }, 'password-env': { type: 'string' },
  asgardeo: { type: 'string' }, 'm2m-client-id': { type: 'string' }, 'm2m-client-secret-env': { type: 'string' },
  name: { type: 'string' }, 'app-url': { type: 'string' }, dir: { type: 'string' }, 'env-file': { type: 'string' },
  yes: { type: 'boolean', short: 'y' }, 'trust-fingerprint': { type: 'string' }, timeout: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
});

/** @param {string} message @param {string} [hint] */
const usage = (message, hint) => new SetupError('setup_usage', message, { hint: hint ?? 'Run `npm run setup -- --help` for the options.' });

/**
 * A https origin without path, query or fragment (a trailing `/` is allowed).
 * @param {string} value @param {string} flag
 * @returns {URL}
 */
export function parseOrigin(value, flag) {
  let u;
  try { u = new URL(value); } catch { throw usage(`${flag} must be a URL like https://localhost:9443, not "${value}".`); }
  if (u.protocol !== 'https:') throw usage(`${flag} must use https (${value}).`);
  if ((u.pathname !== '/' && u.pathname !== '') || u.search || u.hash || u.username || u.password) {
    throw usage(`${flag} must be an origin only, without a path (${value}).`, flag === '--server' ? 'Give the tenant with --tenant, not as /t/<tenant> in the URL.' : undefined);
  }
  return u;
}

/**
 * A SHA-256 fingerprint as `openssl x509 -fingerprint -sha256` prints it (`sha256 Fingerprint=AB:CD:...`), as
 * colon-separated hex, or as plain hex, in any case; returned as upper-case colon-separated hex.
 * @param {string} value
 */
export function normalizeFingerprint(value) {
  const hex = value.trim().replace(/^sha-?256\s+fingerprint\s*=\s*/i, '').replace(/[:\s]/g, '').toUpperCase();
  if (!/^[0-9A-F]{64}$/.test(hex)) {
    throw usage(`--trust-fingerprint must be a SHA-256 fingerprint (64 hex digits, colons optional), not "${value}".`);
  }
  return hex.match(/../g)?.join(':') ?? hex;
}

/** @param {any} v */
function credentials(v) {
  const m2m = v['m2m-client-id'] !== undefined;
  if (v.asgardeo !== undefined && !m2m) {
    throw usage('--asgardeo needs --m2m-client-id: Asgardeo\'s management APIs take an access token, not an admin password.', 'Create an M2M application first (docs/asgardeo.md, "Setup with npm run setup").');
  }
  if (m2m && (v.admin !== undefined || v['password-env'] !== undefined)) throw usage('Give either --admin/--password-env or --m2m-client-id, not both.');
  if (!m2m && v['m2m-client-secret-env'] !== undefined) throw usage('--m2m-client-secret-env needs --m2m-client-id.');
  return m2m
    ? { kind: /** @type {const} */ ('m2m'), clientId: String(v['m2m-client-id']), secretEnv: v['m2m-client-secret-env'] }
    : { kind: /** @type {const} */ ('basic'), user: v.admin ?? 'admin', passwordEnv: v['password-env'] };
}

/** @param {any} v */
function tenantOf(v) {
  if (v.asgardeo !== undefined && v.tenant !== undefined) throw usage('Give either --asgardeo <org> or --tenant, not both.');
  const tenant = String(v.asgardeo ?? v.tenant ?? SUPER_TENANT);
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(tenant)) throw usage(`"${tenant}" is not a tenant domain or organization name.`);
  return tenant;
}

/**
 * @typedef {ReturnType<typeof resolveOptions>} Options
 */

/** @param {any} v the values from parseArgs */
function resolveOptions(v) {
  const tenant = tenantOf(v);
  const server = parseOrigin(v.server ?? (v.asgardeo !== undefined ? 'https://api.asgardeo.io' : 'https://localhost:9443'), '--server');
  const appUrl = parseOrigin(v['app-url'] ?? 'https://localhost:5000', '--app-url');
  const name = v.name ?? 'myclinic';
  if (!APP_NAME_REGEX.test(name)) throw usage(`--name "${name}" is not a valid WSO2 application name (letters, digits, . _ - and single spaces).`);
  const timeout = Number(v.timeout ?? 15);
  if (!Number.isFinite(timeout) || timeout <= 0) throw usage(`--timeout must be a positive number of seconds, not "${v.timeout}".`);
  const dir = path.resolve(v.dir ?? REPO_ROOT);
  return {
    asgardeo: v.asgardeo !== undefined,
    origin: server.origin, host: server.hostname.replace(/^\[|\]$/g, ''), port: Number(server.port || 443),
    tenant, tenantPath: tenant === SUPER_TENANT ? '' : `/t/${tenant}`,
    credentials: credentials(v), name, appUrl: appUrl.origin, dir,
    envFile: path.resolve(dir, v['env-file'] ?? '.env.local'),
    yes: v.yes === true,
    trustFingerprint: v['trust-fingerprint'] !== undefined ? normalizeFingerprint(v['trust-fingerprint']) : undefined,
    timeoutMs: Math.round(timeout * 1000),
  };
}

/**
 * Parses the command line.
 * @param {string[]} argv arguments after `node index.mjs`
 * @returns {{ help: true } | { help: false, options: Options }}
 */
export function parseCommandLine(argv) {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: SPEC, strict: true, allowPositionals: false });
  } catch (err) {
    throw usage(/** @type {Error} */ (err).message);
  }
  if (parsed.values.help) return { help: true };
  return { help: false, options: resolveOptions(parsed.values) };
}
