/**
 * The step runner of `npm run setup`: certificate, discovery and issuer, the application (DCR), the settings
 * DCR cannot make (Application Management API), the check, the files. Each step reports its progress; the
 * first failure stops the run before any file is written.
 */
import { appUrls } from './dcr.mjs';
import { checkIssuer, expectedIssuer, fetchDiscovery } from './discovery.mjs';
import { managementAuth } from './credentials.mjs';
import { createHttp } from './http.mjs';
import { leftToDo, writeFiles } from './output.mjs';
import { createReporter } from './progress.mjs';
import { ensureRegistration } from './registration.mjs';
import { ensureSettings } from './settings.mjs';
import { trustingDispatcher } from './tls.mjs';
import { trustCertificate } from './trust.mjs';
import { verifySettings } from './verify.mjs';

/** Step 2: discovery under the tenant, and the issuer the app will expect. @param {any} ctx */
async function checkServer(ctx) {
  const o = ctx.options;
  ctx.dispatcher = trustingDispatcher(ctx.cert.pem);
  ctx.http = createHttp({ dispatcher: ctx.dispatcher, timeoutMs: o.timeoutMs });
  ctx.discovery = await fetchDiscovery(ctx.http, o);
  checkIssuer(ctx.discovery, expectedIssuer(o.origin, o.tenantPath));
  ctx.ui.ok(`issuer ${ctx.discovery.issuer}`);
}

/** Step 3: credentials, then the application. @param {any} ctx */
async function application(ctx) {
  ctx.auth = await managementAuth(ctx);
  ctx.ui.ok(`signed in to the management APIs as ${ctx.auth.who}`);
  await ensureRegistration(ctx);
}

/** @type {{ title: (o: any) => string, run: (ctx: any) => Promise<void> }[]} */
const STEPS = [
  { title: (o) => `Server certificate of ${o.host}:${o.port}`, run: trustCertificate },
  { title: (o) => `Discovery and issuer (${o.asgardeo ? 'organization' : 'tenant'} ${o.tenant})`, run: checkServer },
  { title: (o) => `Application "${o.name}" (Dynamic Client Registration)`, run: application },
  { title: () => 'Settings DCR cannot make (Application Management API)', run: ensureSettings },
  { title: () => 'Check', run: verifySettings },
  { title: () => 'Files', run: writeFiles },
];

/**
 * Runs every step.
 * @param {import('./args.mjs').Options} options
 * @param {{ out: NodeJS.WritableStream, prompts: import('./prompts.mjs').Prompter }} io
 */
export async function runSetup(options, io) {
  const ui = createReporter(io.out, STEPS.length);
  const ctx = { options, ui, prompts: io.prompts, urls: appUrls(options.appUrl), leftToDo: /** @type {string[]} */ ([]) };
  ui.raw(`Setting up "${options.name}" at ${options.appUrl} with ${options.asgardeo ? 'Asgardeo' : 'WSO2 IS'} ${options.origin}${options.tenantPath}`);
  try {
    for (const step of STEPS) {
      ui.step(step.title(options));
      await step.run(ctx);
    }
  } finally {
    await /** @type {any} */ (ctx).dispatcher?.close();
  }
  ui.raw(ui.changes() ? '\nDone.' : '\nDone: nothing changed, the IS and the files were up to date.');
  ui.raw('Left to do in the Console:');
  for (const item of leftToDo(ctx)) ui.raw(`  - ${item}`);
  ui.raw('\nStart the app with `npm run dev` (or `npm run build && npm start`) and log in.');
  return ctx;
}
