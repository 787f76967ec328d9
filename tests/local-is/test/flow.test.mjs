import * as crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalJWKSet, jwtVerify, decodeProtectedHeader } from 'jose';
import {
  APP, MYCLINIC, MYCLINIC_SKIP, MYCLINIC_SPA, authorizeAndLogin, browser, call, parseForm, pkce, startTestIs,
} from './helpers.mjs';

let is;
beforeAll(async () => { is = await startTestIs(); });
afterAll(async () => { await is?.close(); });

const hash = (v) => { const h = crypto.createHash('sha256').update(v).digest(); return h.subarray(0, 16).toString('base64url'); };

async function codeFor(b, opts = {}) {
  const { res, state, nonce } = await authorizeAndLogin(b, opts);
  expect(res.status).toBe(302);
  const cb = new URL(res.location);
  return { cb, code: cb.searchParams.get('code'), state, nonce };
}

describe('authorization code flow (carbon.super)', () => {
  it('login → consent → code → tokens → userinfo → refresh rotation → code reuse', async () => {
    const b = browser(is);
    const { verifier, challenge } = pkce();
    const { cb, code, state, nonce } = await codeFor(b, { extra: { code_challenge: challenge, code_challenge_method: 'S256', access_type: 'offline' } });
    expect(`${cb.origin}${cb.pathname}`).toBe(`${APP}/login`);
    expect(code).toMatch(/^[0-9a-f-]{36}$/);
    expect(cb.searchParams.get('state')).toBe(state);
    expect(cb.searchParams.get('session_state')).toMatch(/^[0-9a-f]{64}\.[0-9a-f]+$/);
    expect(cb.searchParams.get('iss')).toBe(is.issuer);
    expect(b.jar.get('commonAuthId')).toBeTruthy();
    expect(b.jar.get('opbs')).toBeTruthy();

    const tr = await call(is, '/oauth2/token', {
      form: { grant_type: 'authorization_code', code, redirect_uri: `${APP}/login`, code_verifier: verifier },
      basic: [MYCLINIC.client_id, MYCLINIC.client_secret],
    });
    expect(tr.status).toBe(200);
    const t = tr.body;
    expect(Object.keys(t).sort()).toEqual(['access_token', 'expires_in', 'id_token', 'refresh_token', 'scope', 'token_type']);
    expect(t.token_type).toBe('Bearer');
    expect(t.expires_in).toBe(3600);
    expect(t.access_token).toMatch(/^[0-9a-f-]{36}$/);
    expect(t.refresh_token).toMatch(/^[0-9a-f-]{36}$/);

    const header = decodeProtectedHeader(t.id_token);
    expect(header.typ).toBeUndefined();
    expect(header.alg).toBe('RS256');
    const jwks = (await call(is, '/oauth2/jwks')).body;
    expect(jwks.keys).toHaveLength(1);
    expect(Object.keys(jwks.keys[0]).sort()).toEqual(['alg', 'e', 'kid', 'kty', 'n', 'use', 'x5t#S256']);
    expect(header.kid).toBe(jwks.keys[0].kid);
    // kid = base64url(lower-case hex sha256(cert DER)) + _RS256
    const fs = await import('node:fs');
    const der = new crypto.X509Certificate(fs.readFileSync(`${is.certDir}/local-is-signing.crt`)).raw;
    const hex = crypto.createHash('sha256').update(der).digest('hex');
    expect(header.kid).toBe(`${Buffer.from(hex).toString('base64url')}_RS256`);

    const { payload: p } = await jwtVerify(t.id_token, createLocalJWKSet(jwks), { issuer: is.issuer, audience: MYCLINIC.client_id });
    expect(p.iss).toBe(is.issuer);
    expect(p.aud).toBe(MYCLINIC.client_id);
    expect(p.azp).toBe(MYCLINIC.client_id);
    expect(p.sub).toBe('4b8f3c2e-9a1d-4e6b-8c7f-2d5a1e0b9c31');
    expect(p.nbf).toBe(p.iat);
    expect(p.exp - p.iat).toBe(3600);
    expect(p.jti).toMatch(/^[0-9a-f-]{36}$/);
    expect(p.amr).toEqual(['BasicAuthenticator']);
    expect(p.at_hash).toBe(hash(t.access_token));
    expect(p.c_hash).toBe(hash(code));
    expect(p.isk).toMatch(/^[0-9a-f]{64}$/);
    expect(p.sid).toMatch(/^[0-9a-f-]{36}$/);
    expect(p.nonce).toBe(nonce);
    expect(p.given_name).toBe('Admin');
    expect(p.email).toBe('admin@wso2.com');
    expect(p.email_verified).toBe(true);
    expect(p.roles).toBeUndefined(); // roles scope not requested

    for (const method of ['GET', 'POST']) {
      const ui = await call(is, '/oauth2/userinfo', { method, bearer: t.access_token });
      expect(ui.status).toBe(200);
      expect(ui.body).toMatchObject({ sub: p.sub, given_name: 'Admin', email: 'admin@wso2.com' });
    }
    const bad = await call(is, '/oauth2/userinfo', { bearer: 'nope' });
    expect(bad.status).toBe(401);
    expect(bad.headers.get('www-authenticate')).toMatch(/Bearer .*error="invalid_token"/);

    const r1 = await call(is, '/oauth2/token', {
      form: { grant_type: 'refresh_token', refresh_token: t.refresh_token }, basic: [MYCLINIC.client_id, MYCLINIC.client_secret],
    });
    expect(r1.status).toBe(200);
    expect(r1.body.refresh_token).not.toBe(t.refresh_token);
    expect(r1.body.id_token).toBeTruthy();
    const r2 = await call(is, '/oauth2/token', {
      form: { grant_type: 'refresh_token', refresh_token: t.refresh_token }, basic: [MYCLINIC.client_id, MYCLINIC.client_secret],
    });
    expect(r2.status).toBe(400);
    expect(r2.body.error).toBe('invalid_grant');

    const reuse = await call(is, '/oauth2/token', {
      form: { grant_type: 'authorization_code', code, redirect_uri: `${APP}/login`, code_verifier: verifier },
      basic: [MYCLINIC.client_id, MYCLINIC.client_secret],
    });
    expect(reuse.status).toBe(400);
    expect(reuse.body).toEqual({ error_description: 'Inactive authorization code received from token request', error: 'invalid_grant' });

    const rv = await call(is, '/oauth2/revoke', { form: { token: r1.body.access_token }, basic: [MYCLINIC.client_id, MYCLINIC.client_secret] });
    expect(rv.status).toBe(200);
    expect(rv.text).toBe('');

    // SSO: a second authorize in the same browser needs no login and (consent remembered) no consent
    const again = await b.follow(`/oauth2/authorize?${new URLSearchParams({ client_id: MYCLINIC.client_id, redirect_uri: `${APP}/signin`, response_type: 'code', scope: 'openid profile email', state: 'x' })}`);
    expect(again.status).toBe(302);
    expect(again.location).toMatch(/^https:\/\/localhost:5000\/signin\?code=/);
  });

  it('client_secret_post works, and plain PKCE is accepted', async () => {
    const b = browser(is);
    const verifier = crypto.randomBytes(40).toString('base64url');
    const { code } = await codeFor(b, { extra: { code_challenge: verifier, code_challenge_method: 'plain' } });
    const tr = await call(is, '/oauth2/token', {
      form: { grant_type: 'authorization_code', code, redirect_uri: `${APP}/login`, client_id: MYCLINIC.client_id, client_secret: MYCLINIC.client_secret, code_verifier: verifier },
    });
    expect(tr.status).toBe(200);
    expect(tr.body.id_token).toBeTruthy();
    const log = (await call(is, '/__test/log')).body;
    const tokenReq = log.filter((e) => e.path === '/oauth2/token').at(-1);
    expect(tokenReq.body.code_verifier).toBe(verifier);
  });

  it('token endpoint errors use WSO2 texts', async () => {
    const b = browser(is);
    const { verifier, challenge } = pkce();
    const { code } = await codeFor(b, { extra: { code_challenge: challenge, code_challenge_method: 'S256' } });
    const basic = [MYCLINIC.client_id, MYCLINIC.client_secret];
    let r = await call(is, '/oauth2/token', { form: { code, redirect_uri: `${APP}/login` }, basic });
    expect(r.status).toBe(400);
    expect(r.body).toEqual({ error_description: 'Missing grant_type parameter value', error: 'invalid_request' });
    r = await call(is, '/oauth2/token', { form: { grant_type: 'authorization_code', code, redirect_uri: `${APP}/login` }, basic: [MYCLINIC.client_id, 'wrong'] });
    expect(r.status).toBe(401);
    expect(r.body).toEqual({ error_description: 'Client credentials are invalid.', error: 'invalid_client' });
    r = await call(is, '/oauth2/token', { form: { grant_type: 'authorization_code', code: crypto.randomUUID(), redirect_uri: `${APP}/login` }, basic });
    expect(r.body).toEqual({ error_description: 'Invalid authorization code received from token request', error: 'invalid_grant' });
    r = await call(is, '/oauth2/token', { form: { grant_type: 'authorization_code', code, redirect_uri: `${APP}/signin`, code_verifier: verifier }, basic });
    expect(r.body).toEqual({ error_description: 'Callback url mismatch', error: 'invalid_grant' });
    r = await call(is, '/oauth2/token', { form: { grant_type: 'authorization_code', code, redirect_uri: `${APP}/login`, code_verifier: pkce().verifier }, basic });
    expect(r.body).toEqual({ error_description: 'PKCE validation failed', error: 'invalid_grant' });
  });

  it('wrong password re-renders the login page', async () => {
    const b = browser(is);
    const q = new URLSearchParams({ client_id: MYCLINIC.client_id, redirect_uri: `${APP}/login`, response_type: 'code', scope: 'openid', state: 's' });
    const page = await b.follow(`/oauth2/authorize?${q}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('data-testid="login-page-username-input"');
    expect(page.text).toContain('data-testid="login-page-password-input"');
    const { action, fields } = parseForm(page.text, 'loginForm');
    expect(action).toBe('/commonauth');
    const r = await b.request(action, { form: { ...fields, usernameUserInput: 'admin', username: 'admin', password: 'bad' } });
    expect(r.status).toBe(200);
    expect(r.text).toContain('Login failed! Please check your username and password and try again.');
    expect(parseForm(r.text, 'loginForm').fields.sessionDataKey).toBe(fields.sessionDataKey);
  });

  it('consent deny → access_denied', async () => {
    const b = browser(is);
    const { res, state } = await authorizeAndLogin(b, { username: 'alice', password: 'alice123', consent: 'deny' });
    const cb = new URL(res.location);
    expect(cb.searchParams.get('error')).toBe('access_denied');
    expect(cb.searchParams.get('error_description')).toBe('User denied the consent');
    expect(cb.searchParams.get('state')).toBe(state);
  });

  it('consent page lists the claims the user has', async () => {
    const b = browser(is);
    const q = new URLSearchParams({ client_id: MYCLINIC.client_id, redirect_uri: `${APP}/login`, response_type: 'code', scope: 'openid profile email roles', state: 's' });
    const page = await b.follow(`/oauth2/authorize?${q}`);
    const { action, fields } = parseForm(page.text, 'loginForm');
    const c = await b.follow(action, { form: { ...fields, usernameUserInput: 'alice', username: 'alice', password: 'alice123' } });
    expect(c.text).toContain('myclinic wants to access your account.');
    expect(c.text).toContain('This will allow myclinic to:');
    expect(c.text).toContain('By giving consent, you agree to share your data with myclinic.');
    for (const claim of ['given_name', 'family_name', 'email', 'roles']) expect(c.text).toContain(claim);
    expect(c.text).not.toContain('middle_name');
  });

  it('skip_login_consent client goes straight to the callback', async () => {
    const b = browser(is);
    const { res } = await authorizeAndLogin(b, { clientId: MYCLINIC_SKIP.client_id, consent: 'deny' });
    expect(res.status).toBe(302);
    expect(new URL(res.location).searchParams.get('code')).toBeTruthy();
  });

  it('prompt=none without session → login_required', async () => {
    const b = browser(is);
    const q = new URLSearchParams({ client_id: MYCLINIC.client_id, redirect_uri: `${APP}/login`, response_type: 'code', scope: 'openid', state: 'pn', prompt: 'none' });
    const r = await b.request(`/oauth2/authorize?${q}`);
    const cb = new URL(r.location);
    expect(cb.searchParams.get('error')).toBe('login_required');
    expect(cb.searchParams.get('error_description')).toBe("Request with 'prompt=none' but user session does not exist");
    expect(cb.searchParams.get('state')).toBe('pn');
  });

  it('public client without PKCE → invalid_request (WSO2 text)', async () => {
    const b = browser(is);
    const q = new URLSearchParams({ client_id: MYCLINIC_SPA.client_id, redirect_uri: `${APP}/login`, response_type: 'code', scope: 'openid', state: 'pk' });
    const r = await b.request(`/oauth2/authorize?${q}`);
    const cb = new URL(r.location);
    expect(cb.searchParams.get('error')).toBe('invalid_request');
    expect(cb.searchParams.get('error_description')).toBe('PKCE is mandatory for this application. PKCE Challenge is not provided or is not upto RFC 7636 specification.');
  });

  it('public client with PKCE gets tokens without a secret', async () => {
    const b = browser(is);
    const { verifier, challenge } = pkce();
    const { code } = await codeFor(b, { clientId: MYCLINIC_SPA.client_id, extra: { code_challenge: challenge, code_challenge_method: 'S256' } });
    const tr = await call(is, '/oauth2/token', { form: { grant_type: 'authorization_code', code, redirect_uri: `${APP}/login`, client_id: MYCLINIC_SPA.client_id, code_verifier: verifier } });
    expect(tr.status).toBe(200);
  });

  it('invalid redirect_uri or client_id shows the error page (no redirect to the app)', async () => {
    const b = browser(is);
    let q = new URLSearchParams({ client_id: MYCLINIC.client_id, redirect_uri: 'https://evil.example/login', response_type: 'code', scope: 'openid' });
    let r = await b.follow(`/oauth2/authorize?${q}`);
    expect(r.status).toBe(200);
    expect(r.text).toContain('invalid_callback');
    q = new URLSearchParams({ client_id: 'nope', redirect_uri: `${APP}/login`, response_type: 'code', scope: 'openid' });
    r = await b.follow(`/oauth2/authorize?${q}`);
    expect(r.status).toBe(200);
    expect(r.text).toContain('invalid_client');
  });

  it('JWT access tokens per client option (with extra claims) work at userinfo', async () => {
    await call(is, `/__test/client/${MYCLINIC.client_id}`, { method: 'PUT', json: { access_token_type: 'jwt', extra_access_token_claims: { big: 'x'.repeat(100) } } });
    try {
      const b = browser(is);
      const { code } = await codeFor(b, { scope: 'openid' });
      const tr = await call(is, '/oauth2/token', { form: { grant_type: 'authorization_code', code, redirect_uri: `${APP}/login` }, basic: [MYCLINIC.client_id, MYCLINIC.client_secret] });
      const at = tr.body.access_token;
      const jwks = (await call(is, '/oauth2/jwks')).body;
      const { payload, protectedHeader } = await jwtVerify(at, createLocalJWKSet(jwks), { typ: 'at+jwt' });
      expect(protectedHeader.typ).toBe('at+jwt');
      expect(payload).toMatchObject({ aut: 'APPLICATION_USER', aud: MYCLINIC.client_id, azp: MYCLINIC.client_id, iss: is.issuer, big: 'x'.repeat(100) });
      for (const k of ['sub', 'nbf', 'scope', 'exp', 'iat', 'jti']) expect(payload[k]).toBeDefined();
      const ui = await call(is, '/oauth2/userinfo', { bearer: at });
      expect(ui.status).toBe(200);
    } finally {
      await call(is, `/__test/client/${MYCLINIC.client_id}`, { method: 'DELETE' });
    }
  });
});

describe('tenant wso2.com', () => {
  it('kim logs in with kim@wso2.com and gets a tenant issuer', async () => {
    const b = browser(is);
    const { res } = await authorizeAndLogin(b, { prefix: '/t/wso2.com', username: 'kim@wso2.com', password: 'kim12345' });
    const cb = new URL(res.location);
    const code = cb.searchParams.get('code');
    expect(code).toBeTruthy();
    const tr = await call(is, '/t/wso2.com/oauth2/token', { form: { grant_type: 'authorization_code', code, redirect_uri: `${APP}/login` }, basic: [MYCLINIC.client_id, MYCLINIC.client_secret] });
    expect(tr.status).toBe(200);
    const jwks = (await call(is, '/t/wso2.com/oauth2/jwks')).body;
    const { payload } = await jwtVerify(tr.body.id_token, createLocalJWKSet(jwks), { issuer: `${is.origin}/t/wso2.com/oauth2/token` });
    expect(payload.given_name).toBe('Kim');
    expect(payload.sub).toBe('c3d9a8b7-6e5f-4d2c-b1a0-9f8e7d6c5b42');
  });

  it('plain "kim" works too; admin is unknown in wso2.com', async () => {
    const b = browser(is);
    const { res } = await authorizeAndLogin(b, { prefix: '/t/wso2.com', username: 'kim', password: 'kim12345', clientId: MYCLINIC_SKIP.client_id });
    expect(new URL(res.location).searchParams.get('code')).toBeTruthy();
    const b2 = browser(is);
    const { res: r2 } = await authorizeAndLogin(b2, { prefix: '/t/wso2.com', username: 'admin', password: 'admin' });
    expect(r2.status).toBe(200);
    expect(r2.text).toContain('Login failed!');
  });
});
