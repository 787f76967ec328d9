/**
 * Step 1, the server certificate (the tutorial's `wso2.crt`, without keytool): show it, refuse it when it is
 * invalid or differs from the one trusted last time, trust it when its fingerprint was pinned before, matches
 * `--trust-fingerprint`, or the user says yes. The certificate goes to `certs/wso2-<host>-<port>.crt` and its
 * fingerprint to `certs/wso2-<host>-<port>.sha256` (written at the end, with everything else). A certificate
 * that chains to a public CA (Asgardeo) needs no file.
 */
import * as path from 'node:path';

import { normalizeFingerprint } from './args.mjs';
import { SetupError } from './errors.mjs';
import { readIfExists } from './files.mjs';
import { chainPem, checkCertificate, describeCertificate, fetchServerCertificate, pemFingerprint } from './tls.mjs';

/**
 * Where the certificate and its pinned fingerprint live.
 * @param {string} dir @param {string} host @param {number} port
 */
export function certPaths(dir, host, port) {
  const base = `wso2-${host}-${port}`.replace(/[^A-Za-z0-9.-]/g, '_');
  return { certFile: path.join(dir, 'certs', `${base}.crt`), pinFile: path.join(dir, 'certs', `${base}.sha256`) };
}

/**
 * The fingerprint trusted last time: the pin file, else the certificate file's.
 * @param {ReturnType<typeof certPaths>} paths
 */
async function pinnedFingerprint(paths) {
  const pin = (await readIfExists(paths.pinFile))?.trim();
  if (pin) {
    try { return normalizeFingerprint(pin.split('\n')[0]); } catch { /* unreadable pin: fall through to the file */ }
  }
  const pem = await readIfExists(paths.certFile);
  return pem ? pemFingerprint(pem) : undefined;
}

/** @param {import('./progress.mjs').Reporter} ui @param {ReturnType<typeof describeCertificate>} d */
function show(ui, d) {
  ui.field('subject', d.subject);
  ui.field('issuer', d.selfSigned ? `${d.issuer} (self-signed)` : d.issuer);
  ui.field('valid', `${d.validFrom.toISOString().slice(0, 10)} → ${d.validTo.toISOString().slice(0, 10)}`);
  ui.field('SHA-256', d.fingerprint);
}

/**
 * Whether the user trusts a certificate seen for the first time; never yes by `--yes` alone.
 * @param {any} ctx @param {string} fingerprint
 */
async function decide(ctx, fingerprint) {
  const o = ctx.options;
  if (o.trustFingerprint) {
    if (o.trustFingerprint !== fingerprint) {
      throw new SetupError('setup_cert_refused', `The server certificate's fingerprint is ${fingerprint}, not the ${o.trustFingerprint} given with --trust-fingerprint.`, { hint: 'Someone may be in between, or the IS has another certificate now. Check it on the IS host (see below) before trusting it.\nopenssl x509 -in <cert> -noout -fingerprint -sha256' });
    }
    ctx.ui.ok('matches --trust-fingerprint');
    return;
  }
  if (o.yes) {
    throw new SetupError('setup_cert_refused', '--yes does not trust a certificate seen for the first time.', { hint: `Check the fingerprint on the IS host and pass it: --trust-fingerprint ${fingerprint}` });
  }
  ctx.ui.line('Compare the fingerprint with the IS\'s own, on the IS host:');
  ctx.ui.line('keytool -list -v -alias wso2carbon -keystore repository/resources/security/wso2carbon.jks -storepass wso2carbon | grep SHA256');
  if (!(await ctx.prompts.confirm('      Trust this certificate?'))) {
    throw new SetupError('setup_cert_refused', 'The server certificate was not trusted.', { hint: `When you have checked it: npm run setup -- ... --trust-fingerprint ${fingerprint}` });
  }
  ctx.ui.ok('trusted');
}

/**
 * Step 1. Sets `ctx.cert`: `{ pem, fingerprint, certFile, pinFile, publiclyTrusted }` (`pem` undefined for a
 * publicly trusted certificate).
 * @param {any} ctx
 */
export async function trustCertificate(ctx) {
  const o = ctx.options;
  const sc = await fetchServerCertificate(o.host, o.port, o.timeoutMs);
  const d = describeCertificate(sc.chain[0]);
  show(ctx.ui, d);
  checkCertificate(sc, o.host, o.port);
  const paths = certPaths(o.dir, o.host, o.port);
  const pinned = await pinnedFingerprint(paths);
  if (pinned && pinned !== d.fingerprint) {
    throw new SetupError('setup_cert_changed', `The certificate of ${o.host}:${o.port} CHANGED since it was trusted: it was ${pinned}, it is ${d.fingerprint}.`, {
      hint: `Someone may be in between, or the IS got a new certificate. If you know it did, delete ${paths.pinFile} (and ${path.basename(paths.certFile)}) and run setup again.`,
    });
  }
  if (sc.publiclyTrusted && !pinned) {
    if (o.trustFingerprint && o.trustFingerprint !== d.fingerprint) await decide(ctx, d.fingerprint);
    ctx.ui.ok('issued by a public CA that Node trusts: no certificate file needed');
    ctx.cert = { pem: undefined, fingerprint: d.fingerprint, ...paths, publiclyTrusted: true };
    return;
  }
  if (pinned) ctx.ui.ok(`same certificate as trusted before (${path.relative(o.dir, paths.pinFile)})`);
  else await decide(ctx, d.fingerprint);
  ctx.cert = { pem: chainPem(sc.chain), fingerprint: d.fingerprint, ...paths, publiclyTrusted: false };
}
