// `npm run setup` as a child process against a real local IS on an ephemeral port: a new app end to end (its
// written values work for discovery, client authentication and a login), a second run changes nothing, and one
// test per error.
import { spawn } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeJwt } from 'jose';
import { Agent, fetch } from 'undici';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseEnv } from '../../../scripts/setup/env-file.mjs';
import { startLocalIs } from '../../local-is/index.mjs';
import { MYCLINIC_M2M } from '../../local-is/seed/index.mjs';
import { authorizeAndLogin, browser, call, pkce } from '../../local-is/test/helpers.mjs';

const CLI = fileURLToPath(new URL('../../../scripts/setup/index.mjs', import.meta.url));
const APP = 'https://localhost:5105';
let is; let isDir; let fp; let dir;

beforeAll(async () => {
  isDir = fs.mkdtempSync(path.join(os.tmpdir(), 'setup-cli-is-'));
  is = await startLocalIs({ port: 0, certDir: isDir, testControl: true, quiet: true });
  fp = new crypto.X509Certificate(is.caCert).fingerprint256;
});
afterAll(async () => { await is?.close(); fs.rmSync(isDir, { recursive: true, force: true }); });
beforeEach(async () => {
  await call(is, '/__test/reset', { method: 'DELETE' });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'setup-cli-'));
});
afterEach(() => { fs.rmSync(dir, { recursive: true, force: true }); });

/**
 * Runs the CLI; `input` is piped to stdin (answers, one per line).
 * @param {string[]} args @param {{ input?: string, env?: Record<string, string> }} [o]
 */
function run(args, o = {}) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: { PATH: process.env.PATH, SETUP_TEST_PW: 'admin', ...o.env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = ''; let stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    child.stdin.end(o.input ?? '');
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
/** The usual arguments for the local IS. @param {string[]} more */
const args = (...more) => ['--server', is.origin, '--password-env', 'SETUP_TEST_PW', '--dir', dir, '--name', 'cli-app', '--app-url', APP, ...more];
const trusted = (...more) => args('--yes', '--trust-fingerprint', fp.replace(/:/g, '').toLowerCase(), ...more);
const files = (d = dir) => (fs.existsSync(d) ? fs.readdirSync(d, { recursive: true }).map(String).sort() : []);
const certBase = () => `wso2-localhost-${is.port}`;
const envOf = () => Object.fromEntries(parseEnv(fs.readFileSync(path.join(dir, '.env.local'), 'utf8')));

/** Expects a coded failure with nothing written. */
async function expectFailure(r, code, pattern) {
  expect(r.code, r.stdout + r.stderr).toBe(code === 'setup_usage' ? 2 : 1);
  expect(r.stderr).toContain(`✖ ${code}: `);
  if (pattern) expect(r.stderr).toMatch(pattern);
  expect(r.stderr).toContain('No file was written.');
}

/** A full login with the written settings: PKCE, consent, code, token; returns the ID token claims. */
async function loginWith(env, { prefix = '', username = 'admin', password = 'admin' } = {}) {
  const { verifier, challenge } = pkce();
  const { res } = await authorizeAndLogin(browser(is), {
    prefix, clientId: env.AUTH_CLIENT_ID, redirectUri: `${env.AUTH_CLIENT_HOST}/login`, username, password,
    extra: { code_challenge: challenge, code_challenge_method: 'S256' },
  });
  const code = new URL(res.location).searchParams.get('code');
  expect(code, res.location).toBeTruthy();
  const tr = await call(is, `${prefix}/oauth2/token`, { form: { grant_type: 'authorization_code', code, redirect_uri: `${env.AUTH_CLIENT_HOST}/login`, code_verifier: verifier }, basic: [env.AUTH_CLIENT_ID, env.AUTH_CLIENT_SECRET] });
  expect(tr.status).toBe(200);
  return decodeJwt(tr.body.id_token);
}

describe('setup against the local IS', () => {
  it('a new app end to end: .env.local and certs written; discovery, client authentication and a login work with them', async () => {
    const r = await run(trusted());
    expect(r.code, r.stdout + r.stderr).toBe(0);
    for (let i = 1; i <= 6; i++) expect(r.stdout).toContain(`[${i}/6]`);
    expect(r.stdout).toContain('+ registered "cli-app" through Dynamic Client Registration');
    expect(r.stdout).toContain('~ requested user attributes given_name, family_name, email, username');
    expect(files()).toEqual(['.env.local', 'certs', `certs/${certBase()}.crt`, `certs/${certBase()}.sha256`]);
    const env = envOf();
    expect(Object.keys(env)).toEqual(['AUTH_CLIENT_HOST', 'AUTH_SERVER_ORIGIN', 'AUTH_TENANT_PATH', 'AUTH_CLIENT_ID', 'AUTH_CLIENT_SECRET', 'AUTH_CERTIFICATE_PATH', 'AUTH_SESSION_SECRET']);
    expect(env).toMatchObject({ AUTH_CLIENT_HOST: APP, AUTH_SERVER_ORIGIN: is.origin, AUTH_TENANT_PATH: '', AUTH_CERTIFICATE_PATH: path.join(dir, 'certs', `${certBase()}.crt`) });
    expect(Buffer.from(env.AUTH_SESSION_SECRET, 'base64')).toHaveLength(32);
    expect(fs.statSync(path.join(dir, '.env.local')).mode & 0o777).toBe(0o600);
    expect(fs.readFileSync(env.AUTH_CERTIFICATE_PATH, 'utf8').trim()).toBe(is.caCert.trim());
    expect(fs.readFileSync(path.join(dir, 'certs', `${certBase()}.sha256`), 'utf8')).toBe(`${fp}\n`);

    const agent = new Agent({ connect: { ca: fs.readFileSync(env.AUTH_CERTIFICATE_PATH, 'utf8') } });
    const doc = await (await fetch(`${env.AUTH_SERVER_ORIGIN}${env.AUTH_TENANT_PATH}/oauth2/token/.well-known/openid-configuration`, { dispatcher: agent })).json();
    expect(doc.issuer).toBe(`${is.origin}/oauth2/token`);
    const check = await fetch(doc.token_endpoint, { dispatcher: agent, method: 'POST', headers: { authorization: `Basic ${Buffer.from(`${env.AUTH_CLIENT_ID}:${env.AUTH_CLIENT_SECRET}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' }, body: `grant_type=authorization_code&code=x&redirect_uri=${APP}/login` });
    expect(check.status).toBe(400);
    expect((await check.json()).error).toBe('invalid_grant');
    await agent.close();

    const claims = await loginWith(env);
    expect(claims).toMatchObject({ aud: env.AUTH_CLIENT_ID, given_name: 'Admin', family_name: 'User', email: 'admin@wso2.com', username: 'admin' });
    const app = (await call(is, '/__test/management')).body.apps.find((a) => a.name === 'cli-app');
    expect(app.clientId).toBe(env.AUTH_CLIENT_ID);
    const list = (await call(is, '/api/server/v1/applications?filter=name+eq+cli-app', { basic: ['admin', 'admin'] })).body;
    const oidc = (await call(is, `/api/server/v1/applications/${list.applications[0].id}/inbound-protocols/oidc`, { basic: ['admin', 'admin'] })).body;
    expect(oidc).toMatchObject({ callbackURLs: [`regexp=(${APP}/login|${APP}/signin)`], logout: { backChannelLogoutUrl: `${APP}/logout/backchannel` }, pkce: { mandatory: true } });
  });

  it('running it again changes nothing: no write to the IS, the files untouched', async () => {
    expect((await run(trusted())).code).toBe(0);
    const before = files().map((f) => [f, fs.statSync(path.join(dir, f)).mtimeMs, fs.statSync(path.join(dir, f)).isFile() ? fs.readFileSync(path.join(dir, f), 'utf8') : '']);
    await call(is, '/__test/log', { method: 'DELETE' });
    const r = await run(args('--yes'));
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain('nothing to change');
    expect(r.stdout).toContain('Done: nothing changed');
    const after = files().map((f) => [f, fs.statSync(path.join(dir, f)).mtimeMs, fs.statSync(path.join(dir, f)).isFile() ? fs.readFileSync(path.join(dir, f), 'utf8') : '']);
    expect(after).toEqual(before);
    const writes = (await call(is, '/__test/log')).body.filter((e) => e.path.startsWith('/api/') && e.method !== 'GET');
    expect(writes).toEqual([]);
    const list = (await call(is, '/api/server/v1/applications?filter=name+eq+cli-app', { basic: ['admin', 'admin'] })).body;
    expect(list.totalResults).toBe(1);
  });

  it('an existing app of that name is updated, never duplicated', async () => {
    const reg = await call(is, '/api/identity/oauth2/dcr/v1.1/register', { method: 'POST', basic: ['admin', 'admin'], json: { client_name: 'cli-app', redirect_uris: ['https://other.example/cb'], grant_types: ['authorization_code'] } });
    expect(reg.status).toBe(201);
    const r = await run(trusted());
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain('~ updated the registration of "cli-app"');
    expect(envOf().AUTH_CLIENT_ID).toBe(reg.body.client_id);
    const now = (await call(is, `/api/identity/oauth2/dcr/v1.1/register/${reg.body.client_id}`, { basic: ['admin', 'admin'] })).body;
    expect(now).toMatchObject({ redirect_uris: [`regexp=(https://other.example/cb|${APP}/login|${APP}/signin)`], grant_types: ['authorization_code', 'refresh_token'], ext_pkce_mandatory: true });
    expect((await call(is, '/api/server/v1/applications?filter=name+eq+cli-app', { basic: ['admin', 'admin'] })).body.totalResults).toBe(1);
  });

  it('an existing .env.local: asks before changing it, keeps its other lines', async () => {
    const envFile = path.join(dir, '.env.local');
    fs.writeFileSync(envFile, '# mine\nREDIS_URL=redis://localhost:6379\nAUTH_CLIENT_ID=old\n');
    const no = await run(args('--trust-fingerprint', fp), { input: 'n\n' });
    await expectFailure(no, 'setup_cancelled', /\.env\.local was left as it is/);
    expect(fs.readFileSync(envFile, 'utf8')).toBe('# mine\nREDIS_URL=redis://localhost:6379\nAUTH_CLIENT_ID=old\n');
    expect(files()).toEqual(['.env.local']);
    const yes = await run(args('--trust-fingerprint', fp), { input: 'y\n' });
    expect(yes.code, yes.stdout + yes.stderr).toBe(0);
    expect(yes.stdout).toMatch(/setup would change .*AUTH_CLIENT_ID.*\(other lines stay\)/);
    const text = fs.readFileSync(envFile, 'utf8');
    expect(text.startsWith('# mine\nREDIS_URL=redis://localhost:6379\nAUTH_CLIENT_ID=')).toBe(true);
    expect(envOf().AUTH_CLIENT_ID).not.toBe('old');
  });

  it('interactive: the certificate question and the password on stdin', async () => {
    const r = await run(['--server', is.origin, '--dir', dir, '--name', 'cli-app', '--app-url', APP], { input: 'yes\nadmin\n' });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain('Trust this certificate? [y/N] yes');
    expect(r.stdout).toContain('Password of admin: \n');
    expect(r.stdout).not.toContain('Password of admin: admin');
  });

  it('Asgardeo mode against the local IS: an M2M application\'s token, the organization\'s path', async () => {
    const r = await run(['--asgardeo', 'wso2.com', '--server', is.origin, '--m2m-client-id', MYCLINIC_M2M.client_id, '--m2m-client-secret-env', 'M2M',
      '--dir', dir, '--name', 'cli-app', '--app-url', APP, '--yes', '--trust-fingerprint', fp], { env: { M2M: MYCLINIC_M2M.client_secret } });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain(`signed in to the management APIs as M2M application ${MYCLINIC_M2M.client_id}`);
    const env = envOf();
    expect(env.AUTH_TENANT_PATH).toBe('/t/wso2.com');
    expect(await loginWith(env, { prefix: '/t/wso2.com', username: 'kim', password: 'kim12345' })).toMatchObject({ given_name: 'Kim', iss: `${is.origin}/t/wso2.com/oauth2/token` });
    const bad = await run(['--asgardeo', 'wso2.com', '--server', is.origin, '--m2m-client-id', MYCLINIC_M2M.client_id, '--m2m-client-secret-env', 'M2M',
      '--dir', path.join(dir, 'second'), '--yes', '--trust-fingerprint', fp], { env: { M2M: 'wrong' } });
    await expectFailure(bad, 'setup_auth_failed', /refused the M2M application/);
  });
});

describe('setup errors (exit status, code, nothing written)', () => {
  it('setup_unreachable', async () => {
    const probe = net.createServer();
    await new Promise((ok) => probe.listen(0, '127.0.0.1', ok));
    const port = probe.address().port;
    await new Promise((ok) => probe.close(ok));
    await expectFailure(await run(['--server', `https://localhost:${port}`, '--password-env', 'SETUP_TEST_PW', '--dir', dir, '--yes']), 'setup_unreachable', /nothing listens there/);
    expect(files()).toEqual([]);
  });

  it('setup_cert_refused: answered no, --yes alone, a wrong --trust-fingerprint', async () => {
    await expectFailure(await run(args(), { input: 'n\n' }), 'setup_cert_refused', /was not trusted/);
    await expectFailure(await run(args('--yes')), 'setup_cert_refused', new RegExp(`--trust-fingerprint ${fp}`));
    await expectFailure(await run(args('--trust-fingerprint', '00'.repeat(32))), 'setup_cert_refused', /not the 00:00/);
    expect(files()).toEqual([]);
  });

  it('setup_cert_changed: the pinned fingerprint differs, and the pin stays', async () => {
    const pin = path.join(dir, 'certs', `${certBase()}.sha256`);
    fs.mkdirSync(path.dirname(pin), { recursive: true });
    fs.writeFileSync(pin, `${'AB:'.repeat(31)}AB\n`);
    await expectFailure(await run(trusted()), 'setup_cert_changed', /CHANGED since it was trusted/);
    expect(fs.readFileSync(pin, 'utf8')).toBe(`${'AB:'.repeat(31)}AB\n`);
    expect(files()).toEqual(['certs', `certs/${certBase()}.sha256`]);
  });

  it('setup_auth_failed: a wrong admin password (401)', async () => {
    await expectFailure(await run(trusted(), { env: { SETUP_TEST_PW: 'wrong' } }), 'setup_auth_failed', /administrator admin.*HTTP 401/);
    expect(files()).toEqual([]);
  });

  it('setup_dcr_forbidden (403) and setup_dcr_disabled (404, software statement mandated)', async () => {
    await call(is, '/__test/management', { method: 'PUT', json: { dcr: 'forbidden' } });
    await expectFailure(await run(trusted()), 'setup_dcr_forbidden', /HTTP 403/);
    await call(is, '/__test/management', { method: 'PUT', json: { dcr: 'not_deployed' } });
    await expectFailure(await run(trusted()), 'setup_dcr_disabled', /HTTP 404/);
    await call(is, '/__test/management', { method: 'PUT', json: { dcr: 'mandate_ssa' } });
    await expectFailure(await run(trusted()), 'setup_dcr_disabled', /Mandatory software statement is missing/);
    expect(files()).toEqual([]);
  });

  it('setup_name_taken: an application of that name it cannot update', async () => {
    await expectFailure(await run(trusted('--name', 'myclinic-saml')), 'setup_name_taken', /no OpenID Connect protocol/);
    expect(files()).toEqual([]);
  });

  it('setup_unknown_tenant', async () => {
    await expectFailure(await run(trusted('--tenant', 'nope.example')), 'setup_unknown_tenant', /"nope\.example".*18013/);
    expect(files()).toEqual([]);
  });

  it('setup_issuer_mismatch explains a port offset', async () => {
    await call(is, '/__test/scenario', { method: 'PUT', json: { name: 'discovery_issuer_mismatch', issuer: 'https://localhost:9444/oauth2/token' } });
    const r = await run(trusted());
    await expectFailure(r, 'setup_issuer_mismatch', /port offset/);
    expect(files()).toEqual([]);
  });

  it('setup_usage (exit 2)', async () => {
    await expectFailure(await run(['--server', 'http://localhost:9443']), 'setup_usage', /must use https/);
    const help = await run(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--trust-fingerprint');
  });
});
