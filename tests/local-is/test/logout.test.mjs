import * as https from 'node:https';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { ensureCert } from '../certs.mjs';
import { APP, MYCLINIC, MYCLINIC_SKIP, authorizeAndLogin, browser, call, parseForm, startTestIs } from './helpers.mjs';

let is;
let bcServer;
let bcOrigin;
/** @type {{ body: string, headers: any }[]} */
const received = [];

beforeAll(async () => {
  // a tiny HTTPS "app" receiving back-channel logout POSTs, with its own self-signed cert trusted by the IS
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'local-is-test-app-'));
  const pair = await ensureCert(dir, 'app', { cn: 'localhost' });
  bcServer = https.createServer({ key: pair.key, cert: pair.cert }, (req, res) => {
    let body = '';
    req.on('data', (c) => { body += c; });
    req.on('end', () => { received.push({ body, headers: req.headers, path: req.url }); res.writeHead(200); res.end(); });
  });
  await new Promise((ok) => { bcServer.listen(0, '127.0.0.1', ok); });
  bcOrigin = `https://localhost:${bcServer.address().port}`;
  is = await startTestIs({ trustCa: fs.readFileSync(pair.certPath, 'utf8') });
  await call(is, `/__test/client/${MYCLINIC.client_id}`, { method: 'PUT', json: { backchannel_logout_uri: `${bcOrigin}/logout/backchannel` } });
});
afterAll(async () => {
  await is?.close();
  await new Promise((ok) => { bcServer?.close(ok); });
});

async function loggedIn(clientId = MYCLINIC.client_id) {
  const b = browser(is);
  const { res } = await authorizeAndLogin(b, { clientId });
  const code = new URL(res.location).searchParams.get('code');
  const secret = clientId === MYCLINIC.client_id ? MYCLINIC.client_secret : MYCLINIC_SKIP.client_secret;
  const tr = await call(is, '/oauth2/token', { form: { grant_type: 'authorization_code', code, redirect_uri: `${APP}/login` }, basic: [clientId, secret] });
  expect(tr.status).toBe(200);
  return { b, idToken: tr.body.id_token, tokens: tr.body };
}

const waitFor = async (fn, ms = 3000) => {
  const end = Date.now() + ms;
  while (Date.now() < end) { if (fn()) return true; await new Promise((r) => { setTimeout(r, 25); }); }
  return false;
};

describe('/oidc/logout', () => {
  it('Yes → back-channel logout_token and redirect with state', async () => {
    received.length = 0;
    const { b, idToken } = await loggedIn();
    const q = new URLSearchParams({ id_token_hint: idToken, post_logout_redirect_uri: `${APP}/login`, state: 'bye' });
    const page = await b.request(`/oidc/logout?${q}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('<h2>Logout</h2>');
    expect(page.text).toContain('Are you sure that you want to logout?');
    expect(page.text).toContain('>Yes</button>');
    expect(page.text).toContain('>No</button>');
    const { action, fields } = parseForm(page.text, 'op.logoutForm');
    const r = await b.request(action, { form: { ...fields, consent: 'approve' } });
    expect([302, 303]).toContain(r.status);
    expect(r.location).toBe(`${APP}/login?state=bye`);
    expect(b.jar.get('commonAuthId')).toBeUndefined();

    expect(await waitFor(() => received.length > 0)).toBe(true);
    const form = new URLSearchParams(received[0].body);
    const lt = form.get('logout_token');
    const jwks = (await call(is, '/oauth2/jwks')).body;
    const { payload, protectedHeader } = await jwtVerify(lt, createLocalJWKSet(jwks), { issuer: is.issuer, audience: MYCLINIC.client_id });
    expect(protectedHeader.kid).toBe(jwks.keys[0].kid);
    expect(payload.exp - payload.iat).toBe(120);
    expect(payload.events).toEqual({ 'http://schemas.openid.net/event/backchannel-logout': {} });
    const idp = JSON.parse(Buffer.from(idToken.split('.')[1], 'base64url').toString());
    expect(payload.sid).toBe(idp.sid);
    expect(payload.sub).toBe(idp.sub);
    expect(payload.jti).toBeTruthy();
    expect(payload.nonce).toBeUndefined();

    // session gone: prompt=none now fails
    const pn = await b.request(`/oauth2/authorize?${new URLSearchParams({ client_id: MYCLINIC.client_id, redirect_uri: `${APP}/login`, response_type: 'code', scope: 'openid', prompt: 'none' })}`);
    expect(new URL(pn.location).searchParams.get('error')).toBe('login_required');
  });

  it('no state → no state in the redirect', async () => {
    const { b, idToken } = await loggedIn();
    const page = await b.request(`/oidc/logout?${new URLSearchParams({ id_token_hint: idToken, post_logout_redirect_uri: `${APP}/signin` })}`);
    const { action, fields } = parseForm(page.text, 'op.logoutForm');
    const r = await b.request(action, { form: { ...fields, consent: 'approve' } });
    expect(r.location).toBe(`${APP}/signin`);
  });

  it('No → access_denied redirect', async () => {
    const { b, idToken } = await loggedIn();
    const page = await b.request(`/oidc/logout?${new URLSearchParams({ id_token_hint: idToken, post_logout_redirect_uri: `${APP}/login`, state: 's1' })}`);
    const { fields } = parseForm(page.text, 'op.logoutForm');
    const r = await b.request('/oidc/logout', { form: { ...fields, consent: 'deny' } });
    const u = new URL(r.location);
    expect(`${u.origin}${u.pathname}`).toBe(`${APP}/login`);
    expect(u.searchParams.get('error')).toBe('access_denied');
    expect(u.searchParams.get('error_description')).toBe('End User denied the logout request');
    expect(u.searchParams.get('state')).toBe('s1');
    expect(b.jar.get('commonAuthId')).toBeTruthy();
  });

  it('post_logout_redirect_uri not matching the callback → error page', async () => {
    const { b, idToken } = await loggedIn();
    const r = await b.follow(`/oidc/logout?${new URLSearchParams({ id_token_hint: idToken, post_logout_redirect_uri: 'https://localhost:5000/other' })}`);
    expect(r.status).toBe(200);
    expect(r.text).toContain('access_denied');
    expect(r.text).toContain('Post logout URI does not match with registered callback URI.');
  });

  it('without post_logout_redirect_uri → "You have successfully logged out."', async () => {
    const { b, idToken } = await loggedIn();
    const page = await b.request(`/oidc/logout?${new URLSearchParams({ id_token_hint: idToken })}`);
    const { action, fields } = parseForm(page.text, 'op.logoutForm');
    const r = await b.follow(action, { form: { ...fields, consent: 'approve' } });
    expect(r.status).toBe(200);
    expect(r.text).toContain('You have successfully logged out.');
  });

  it('skip_logout_consent → no confirmation page', async () => {
    const { b, idToken } = await loggedIn(MYCLINIC_SKIP.client_id);
    const r = await b.follow(`/oidc/logout?${new URLSearchParams({ id_token_hint: idToken, post_logout_redirect_uri: `${APP}/login`, state: 'z' })}`);
    expect(r.location).toBe(`${APP}/login?state=z`);
    expect(b.jar.get('commonAuthId')).toBeUndefined();
  });

  it('test control ends a session by username → back-channel POST', async () => {
    received.length = 0;
    const { b, idToken } = await loggedIn();
    const sid = JSON.parse(Buffer.from(idToken.split('.')[1], 'base64url').toString()).sid;
    const r = await call(is, '/__test/logout-session', { method: 'POST', json: { username: 'admin' } });
    expect(r.status).toBe(200);
    expect(r.body.ended.length).toBeGreaterThan(0);
    expect(await waitFor(() => received.some((x) => new URLSearchParams(x.body).get('logout_token')))).toBe(true);
    const sids = received.map((x) => JSON.parse(Buffer.from(new URLSearchParams(x.body).get('logout_token').split('.')[1], 'base64url').toString()).sid);
    expect(sids).toContain(sid);
    const pn = await b.request(`/oauth2/authorize?${new URLSearchParams({ client_id: MYCLINIC.client_id, redirect_uri: `${APP}/login`, response_type: 'code', scope: 'openid', prompt: 'none' })}`);
    expect(new URL(pn.location).searchParams.get('error')).toBe('login_required');
  });

  it('test control ends a session by sid', async () => {
    received.length = 0;
    const { idToken } = await loggedIn();
    const sid = JSON.parse(Buffer.from(idToken.split('.')[1], 'base64url').toString()).sid;
    const r = await call(is, '/__test/logout-session', { method: 'POST', json: { sid } });
    expect(r.body.ended).toHaveLength(1);
    expect(await waitFor(() => received.length > 0)).toBe(true);
  });
});
