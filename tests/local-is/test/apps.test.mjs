// Large token sets (extra_id_token_claims), the callback URLs of new apps, back-channel logout to loopback
// apps with self-signed certificates.
import * as fs from 'node:fs';
import * as https from 'node:https';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { ensureCert } from '../certs.mjs';
import { isLoopbackUrl } from '../backchannel.mjs';
import { APP, MYCLINIC, MYCLINIC_SKIP, authorizeAndLogin, browser, call, parseForm, startTestIs } from './helpers.mjs';

let is;
let app;
let appPort;
const received = [];
beforeAll(async () => {
  // the IS trusts no CA here: the receiving app's self-signed certificate is unknown to it
  is = await startTestIs({ trustCa: [] });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'local-is-apps-'));
  const pair = await ensureCert(dir, 'app', { cn: 'localhost' });
  app = https.createServer({ key: pair.key, cert: pair.cert }, (req, res) => {
    let body = '';
    req.on('data', (c) => { body += c; });
    req.on('end', () => { received.push(body); res.writeHead(200); res.end(); });
  });
  await new Promise((ok) => { app.listen(0, '0.0.0.0', ok); });
  appPort = app.address().port;
});
afterAll(async () => {
  await is?.close();
  await new Promise((ok) => { app?.close(ok); });
});
afterEach(async () => { await call(is, '/__test/reset', { method: 'DELETE' }); });

const waitFor = async (fn, ms = 3000) => {
  const end = Date.now() + ms;
  while (Date.now() < end) { if (fn()) return true; await new Promise((r) => { setTimeout(r, 25); }); }
  return false;
};

describe('large token sets', () => {
  it('150 roles in a JWT access token and 60 attributes in the ID token', async () => {
    const roles = Array.from({ length: 150 }, (_, i) => `role-${String(i).padStart(3, '0')}`);
    const attrs = Object.fromEntries(Array.from({ length: 60 }, (_, i) => [`attr_${i}`, `value-${i}-${'x'.repeat(20)}`]));
    await call(is, `/__test/client/${MYCLINIC_SKIP.client_id}`, {
      method: 'PUT', json: { access_token_type: 'jwt', extra_access_token_claims: { roles }, extra_id_token_claims: attrs },
    });
    const { res } = await authorizeAndLogin(browser(is), { clientId: MYCLINIC_SKIP.client_id });
    const code = new URL(res.location).searchParams.get('code');
    const tr = await call(is, '/oauth2/token', { form: { grant_type: 'authorization_code', code, redirect_uri: `${APP}/login` }, basic: [MYCLINIC_SKIP.client_id, MYCLINIC_SKIP.client_secret] });
    const jwks = createLocalJWKSet((await call(is, '/oauth2/jwks')).body);
    const at = (await jwtVerify(tr.body.access_token, jwks)).payload;
    expect(at.roles).toEqual(roles);
    const id = (await jwtVerify(tr.body.id_token, jwks, { issuer: is.issuer, audience: MYCLINIC_SKIP.client_id })).payload;
    for (const [k, v] of Object.entries(attrs)) expect(id[k]).toBe(v);
    expect(id.given_name).toBe('Admin');
    expect(tr.body.id_token.length).toBeGreaterThan(3000);
    const rt = await call(is, '/oauth2/token', { form: { grant_type: 'refresh_token', refresh_token: tr.body.refresh_token }, basic: [MYCLINIC_SKIP.client_id, MYCLINIC_SKIP.client_secret] });
    expect(JSON.parse(Buffer.from(rt.body.id_token.split('.')[1], 'base64url')).attr_59).toBe(attrs.attr_59);
  });
});

describe('callbacks of new apps', () => {
  it('myclinic accepts http://localhost:3000/{login,signin,logout} and https://localhost:5000/logout', async () => {
    for (const uri of ['http://localhost:3000/login', 'http://localhost:3000/signin', 'http://localhost:3000/logout', `${APP}/logout`, `${APP}/login`]) {
      const { res } = await authorizeAndLogin(browser(is), { redirectUri: uri, consent: 'approveAlways' });
      expect(res.location.startsWith(`${uri}?code=`), uri).toBe(true);
    }
    const { res } = await authorizeAndLogin(browser(is), { redirectUri: 'http://localhost:3001/login' });
    expect(res.text).toContain('invalid_callback');
  });

  it('after logout an app without a sign-in page lands on https://localhost:5000/logout', async () => {
    const b = browser(is);
    const { res } = await authorizeAndLogin(b);
    const code = new URL(res.location).searchParams.get('code');
    const tr = await call(is, '/oauth2/token', { form: { grant_type: 'authorization_code', code, redirect_uri: `${APP}/login` }, basic: [MYCLINIC.client_id, MYCLINIC.client_secret] });
    const page = await b.request(`/oidc/logout?${new URLSearchParams({ id_token_hint: tr.body.id_token, post_logout_redirect_uri: `${APP}/logout`, state: 'lo' })}`);
    const { action, fields } = parseForm(page.text, 'op.logoutForm');
    const r = await b.request(action, { form: { ...fields, consent: 'approve' } });
    expect(r.location).toBe(`${APP}/logout?state=lo`);
  });
});

describe('back-channel logout to loopback apps', () => {
  it('loopback hosts are localhost, 127.0.0.1 and [::1]', () => {
    expect(['https://localhost:1/x', 'https://127.0.0.1:1/x', 'https://[::1]:1/x'].map(isLoopbackUrl)).toEqual([true, true, true]);
    expect(['https://127.0.0.2:1/x', 'https://app.example/x', 'nonsense'].map(isLoopbackUrl)).toEqual([false, false, false]);
  });

  it('a self-signed app certificate is accepted on localhost, verified elsewhere', async () => {
    for (const [host, ok] of [['localhost', true], ['127.0.0.1', true], ['127.0.0.2', false]]) {
      received.length = 0;
      await call(is, '/__test/backchannel', { method: 'DELETE' });
      await call(is, `/__test/client/${MYCLINIC_SKIP.client_id}`, { method: 'PUT', json: { backchannel_logout_uri: `https://${host}:${appPort}/logout/backchannel` } });
      await authorizeAndLogin(browser(is), { clientId: MYCLINIC_SKIP.client_id });
      await call(is, '/__test/logout-session', { method: 'POST', json: { username: 'admin' } });
      const deliveries = (await call(is, '/__test/backchannel')).body;
      expect(await waitFor(() => deliveries.length > 0 || received.length > 0)).toBe(true);
      const d = (await call(is, '/__test/backchannel')).body.at(-1);
      if (ok) {
        expect([d.status, d.error], host).toEqual([200, undefined]);
        expect(received.some((x) => x.startsWith('logout_token='))).toBe(true);
      } else {
        expect(d.status, host).toBe(0);
        expect(d.error).toBeTruthy();
      }
    }
  });
});
