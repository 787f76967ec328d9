/**
 * Step 6, the files: `.env.local` (asking before changing an existing one), the certificate and its pinned
 * fingerprint, written together and atomically once every earlier step succeeded. Then what is left to do in
 * the Console.
 */
import * as path from 'node:path';

import { REPO_ROOT } from './args.mjs';
import { isStrongSecret, newSessionSecret, parseEnv, renderEnv } from './env-file.mjs';
import { SetupError } from './errors.mjs';
import { commitFiles, readIfExists } from './files.mjs';

/** A path for messages: relative to the working directory when inside it. @param {string} file */
export function shown(file) {
  const rel = path.relative(process.cwd(), file);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : file;
}

/**
 * `AUTH_CERTIFICATE_PATH`: relative (`certs/…`) when the files go to the repository root, where the app starts;
 * absolute otherwise.
 * @param {any} ctx
 */
function certificatePath(ctx) {
  if (!ctx.cert.pem) return '';
  return path.resolve(ctx.options.dir) === REPO_ROOT ? path.relative(REPO_ROOT, ctx.cert.certFile).split(path.sep).join('/') : ctx.cert.certFile;
}

/**
 * The env values setup writes; an existing strong session secret is kept. The dependent keys (callback URLs,
 * tenant) are set only where the file gives them a value, AUTH_ISSUER is emptied (the issuer was checked).
 * @param {any} ctx @param {Map<string, string>} old
 */
function envValues(ctx, old) {
  const o = ctx.options;
  const keep = isStrongSecret(old.get('AUTH_SESSION_SECRET'));
  const ifSet = (/** @type {string} */ k, /** @type {string} */ v) => (old.get(k) ? v : '');
  return {
    AUTH_CLIENT_HOST: o.appUrl, AUTH_SERVER_ORIGIN: o.origin, AUTH_TENANT_PATH: o.tenantPath,
    AUTH_CLIENT_ID: ctx.app.clientId, AUTH_CLIENT_SECRET: ctx.app.clientSecret, AUTH_CERTIFICATE_PATH: certificatePath(ctx),
    AUTH_SESSION_SECRET: keep ? /** @type {string} */ (old.get('AUTH_SESSION_SECRET')) : newSessionSecret(),
    AUTH_LOGIN_CALLBACK_URL: ifSet('AUTH_LOGIN_CALLBACK_URL', ctx.urls.login), AUTH_LOGOUT_CALLBACK_URL: ifSet('AUTH_LOGOUT_CALLBACK_URL', ctx.urls.signin),
    AUTH_TENANT: ifSet('AUTH_TENANT', o.tenant), AUTH_ISSUER: '',
  };
}

/**
 * The planned `.env.local`, or undefined when nothing in it would change. Asks before changing an existing
 * file (`--yes` answers yes).
 * @param {any} ctx
 */
async function planEnv(ctx) {
  const file = ctx.options.envFile;
  const existing = await readIfExists(file);
  const header = `# Written by \`npm run setup\` for the application "${ctx.options.name}" on ${ctx.options.origin}${ctx.options.tenantPath}.\n# Every key is explained in .env.example.`;
  const { text, changed } = renderEnv(existing, envValues(ctx, existing === undefined ? new Map() : parseEnv(existing)), header);
  const rel = shown(file);
  if (existing !== undefined && !changed.length) {
    ctx.ui.ok(`${rel} has these settings already`);
    return undefined;
  }
  if (existing !== undefined) {
    ctx.ui.line(`${rel} exists; setup would change ${changed.join(', ')} (other lines stay).`);
    const yes = ctx.options.yes || await ctx.prompts.confirm(`      Change ${rel}?`);
    if (!yes) throw new SetupError('setup_cancelled', `${rel} was left as it is.`, { hint: 'The application stays registered in the IS; running setup again reuses it. Answer yes, or pass --yes.' });
  }
  return { path: file, content: text, mode: 0o600, label: existing === undefined ? `created ${rel}` : `updated ${rel} (${changed.join(', ')})` };
}

/**
 * Step 6.
 * @param {any} ctx
 */
export async function writeFiles(ctx) {
  const plan = [];
  const env = await planEnv(ctx);
  if (env) plan.push(env);
  if (ctx.cert.pem) {
    plan.push({ path: ctx.cert.certFile, content: ctx.cert.pem, mode: 0o644 });
    plan.push({ path: ctx.cert.pinFile, content: `${ctx.cert.fingerprint}\n`, mode: 0o644 });
  }
  const written = new Set(await commitFiles(plan));
  if (env && written.has(env.path)) ctx.ui.created(env.label);
  for (const f of [ctx.cert.certFile, ctx.cert.pinFile]) {
    const rel = shown(f);
    if (written.has(f)) ctx.ui.created(`wrote ${rel}`);
    else if (ctx.cert.pem) ctx.ui.ok(`${rel} is up to date`);
  }
  ctx.written = [...written];
}

/**
 * What is left to do by hand, printed after the steps.
 * @param {any} ctx
 */
export function leftToDo(ctx) {
  const o = ctx.options;
  const items = [...ctx.leftToDo];
  if (o.asgardeo) {
    items.push(`Back-channel logout: Asgardeo can only reach a public URL. When you deploy, set ${ctx.urls.backchannel.replace(o.appUrl, 'https://<your host>')} on the Protocol tab.`);
    items.push('Users: create them under User Management → Users, with first name, last name and email.');
  } else {
    items.push(`Back-channel logout: the IS must trust the app's certificate to call ${ctx.urls.backchannel}: import certs/app.crt into its client truststore (docs/wso2-is.md, section 3) and restart it.`);
    items.push('Users: any user of the tenant can log in; the dashboard shows their first name, last name, email and username when they have them.');
  }
  items.push('Optional, Advanced tab: "Skip login consent" / "Skip logout consent" (the e2e suite expects the logout question).');
  return items;
}
