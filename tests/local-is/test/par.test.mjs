// PAR at /oauth2/par (par.mjs): WSO2's request_uri and 201 answer, single use, errors, PAR mandatory.
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  APP, MYCLINIC, MYCLINIC_SKIP, MYCLINIC_SPA, authorizeUrl, browser, call, pkce, queryOf, startTestIs, submitLogin,
} from './helpers.mjs';

let is;
beforeAll(async () => { is = await startTestIs(); });
afterAll(async () => { await is?.close(); });
afterEach(async () => { vi.useRealTimers(); await call(is, '/__test/reset', { method: 'DELETE' }); });

const URN = /^urn:ietf:params:oauth:par:request_uri:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const skip = [MYCLINIC_SKIP.client_id, MYCLINIC_SKIP.client_secret];
const params = (extra = {}) => ({ client_id: MYCLINIC_SKIP.client_id, response_type: 'code', redirect_uri: `${APP}/login`, scope: 'openid profile', state: 'par-state', ...extra });
const push = (form, basic = skip, prefix = '') => call(is, `${prefix}/oauth2/par`, { method: 'POST', form, basic });
const authorizeWith = (b, requestUri, clientId = MYCLINIC_SKIP.client_id, extra = {}) => b.follow(`/oauth2/authorize?${new URLSearchParams({ client_id: clientId, request_uri: requestUri, ...extra })}`);

describe('PAR', () => {
  it('discovery advertises /oauth2/par (also per tenant), nothing about requiring it', async () => {
    for (const prefix of ['', '/t/wso2.com']) {
      const d = (await call(is, `${prefix}/oauth2/token/.well-known/openid-configuration`)).body;
      expect(d.pushed_authorization_request_endpoint).toBe(`${is.origin}${prefix}/oauth2/par`);
      expect(d.require_pushed_authorization_requests).toBeUndefined();
    }
  });

  it('201 with WSO2 request_uri and expires_in 60; the browser carries only client_id and request_uri', async () => {
    await call(is, '/__test/log', { method: 'DELETE' });
    const { verifier, challenge } = pkce();
    const r = await push(params({ code_challenge: challenge, code_challenge_method: 'S256' }));
    expect(r.status).toBe(201);
    expect(Object.keys(r.body).sort()).toEqual(['expires_in', 'request_uri']);
    expect(r.body.request_uri).toMatch(URN);
    expect(r.body.expires_in).toBe(60);
    const b = browser(is);
    const page = await authorizeWith(b, r.body.request_uri);
    expect(page.text).toContain('id="loginForm"');
    const done = await submitLogin(b, page, 'admin', 'admin');
    const cb = new URL(done.location);
    expect(`${cb.origin}${cb.pathname}`).toBe(`${APP}/login`);
    expect(cb.searchParams.get('state')).toBe('par-state');
    const tr = await call(is, '/oauth2/token', { form: { grant_type: 'authorization_code', code: cb.searchParams.get('code'), redirect_uri: `${APP}/login`, code_verifier: verifier }, basic: skip });
    expect(tr.status).toBe(200);
    const log = (await call(is, '/__test/log')).body;
    const parEntry = log.find((e) => e.path === '/oauth2/par');
    expect(parEntry).toMatchObject({ method: 'POST', authorization: { scheme: 'Basic', user: MYCLINIC_SKIP.client_id } });
    expect(parEntry.body.code_challenge).toBe(challenge);
    const authz = log.find((e) => e.path === '/oauth2/authorize');
    expect(Object.keys(authz.query).sort()).toEqual(['client_id', 'request_uri']);
  });

  it('a request_uri is gone after its first /oauth2/authorize, even before the login', async () => {
    const { body } = await push(params());
    const b = browser(is);
    expect((await authorizeWith(b, body.request_uri)).text).toContain('id="loginForm"');
    const again = await authorizeWith(browser(is), body.request_uri);
    expect(again.status).toBe(200);
    expect(again.text).toContain('invalid_request_uri');
    expect(again.text).toContain('The request_uri is not valid. (par.invalid.request.uri)');
  });

  it('unknown, expired and other-client request_uris → WSO2 error pages', async () => {
    const b = browser(is);
    let r = await b.request(`/oauth2/authorize?client_id=${MYCLINIC_SKIP.client_id}&request_uri=urn:ietf:params:oauth:par:request_uri:00000000-0000-4000-8000-000000000000`);
    expect(queryOf(r.location)).toEqual({ oauthErrorCode: 'invalid_request_uri', oauthErrorMsg: 'par.invalid.request.uri' });
    const other = await push(params());
    r = await b.request(`/oauth2/authorize?client_id=${MYCLINIC.client_id}&request_uri=${encodeURIComponent(other.body.request_uri)}`);
    expect(queryOf(r.location)).toEqual({ oauthErrorCode: 'invalid_request', oauthErrorMsg: 'par.client.id.not.match' });
    expect((await b.follow(r.location)).text).toContain('The client_id does not match that of the pushed authorization request.');
    const old = await push(params());
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + 61_000 });
    r = await b.request(`/oauth2/authorize?client_id=${MYCLINIC_SKIP.client_id}&request_uri=${encodeURIComponent(old.body.request_uri)}`);
    expect(queryOf(r.location)).toEqual({ oauthErrorCode: 'invalid_request_uri', oauthErrorMsg: 'par.request.uri.expired' });
  });

  it('front-channel parameters outside the pushed request are kept (ui_locales reaches login.do)', async () => {
    const { body } = await push(params());
    const b = browser(is);
    const r = await b.request(`/oauth2/authorize?${new URLSearchParams({ client_id: MYCLINIC_SKIP.client_id, request_uri: body.request_uri, ui_locales: 'fr' })}`);
    const login = await b.request(r.location);
    expect(login.text).toContain('<html lang="fr">');
    expect(queryOf(r.location).ui_locales).toBe('fr');
  });

  it('PAR endpoint errors use WSO2 texts', async () => {
    const { client_id: _none, ...noClientId } = params();
    let r = await call(is, '/oauth2/par', { method: 'POST', form: noClientId });
    expect([r.status, r.body]).toEqual([401, { error_description: 'Client ID not found in the request.', error: 'invalid_client' }]);
    r = await push(params(), [MYCLINIC_SKIP.client_id, 'wrong']);
    expect([r.status, r.body]).toEqual([401, { error_description: 'Client credentials are invalid.', error: 'invalid_client' }]);
    r = await call(is, '/oauth2/par', { method: 'POST', form: params() });
    expect([r.status, r.body]).toEqual([400, { error_description: 'Client authentication required.', error: 'unauthorized_client' }]);
    r = await push(params({ request_uri: 'urn:x' }));
    expect([r.status, r.body]).toEqual([400, { error_description: 'Request with request_uri not allowed.', error: 'invalid_request' }]);
    r = await push(`${new URLSearchParams(params())}&scope=openid`);
    expect([r.status, r.body]).toEqual([400, { error_description: 'Invalid request with repeated parameters.', error: 'invalid_request' }]);
    r = await push(params({ response_type: 'token' }));
    expect([r.status, r.body]).toEqual([400, { error_description: 'Invalid response_type parameter value', error: 'invalid_request' }]);
    r = await push(params({ redirect_uri: 'https://evil.example/cb' }));
    expect([r.status, r.body]).toEqual([400, { error_description: 'callback.not.match', error: 'invalid_request' }]);
  });

  it('a public client pushes with client_id only; tenants have their own /t/{tenant}/oauth2/par', async () => {
    const { challenge } = pkce();
    const r = await call(is, '/oauth2/par', { method: 'POST', form: params({ client_id: MYCLINIC_SPA.client_id, code_challenge: challenge, code_challenge_method: 'S256' }) });
    expect(r.status).toBe(201);
    const t = await push(params(), skip, '/t/wso2.com');
    expect(t.status).toBe(201);
    const b = browser(is);
    const page = await b.follow(`/t/wso2.com/oauth2/authorize?${new URLSearchParams({ client_id: MYCLINIC_SKIP.client_id, request_uri: t.body.request_uri })}`);
    expect(new URL((await submitLogin(b, page, 'kim', 'kim12345')).location).searchParams.get('code')).toBeTruthy();
  });

  it('par_mandatory: a plain authorize request is refused with WSO2\'s text, a pushed one works', async () => {
    await call(is, `/__test/client/${MYCLINIC_SKIP.client_id}`, { method: 'PUT', json: { par_mandatory: true } });
    const b = browser(is);
    const r = await b.request(authorizeUrl({ clientId: MYCLINIC_SKIP.client_id, state: 'pm' }));
    const cb = new URL(r.location);
    expect(`${cb.origin}${cb.pathname}`).toBe(`${APP}/login`);
    expect(cb.searchParams.get('error')).toBe('invalid_request');
    expect(cb.searchParams.get('error_description')).toBe('PAR request is mandatory for the application.');
    expect(cb.searchParams.get('state')).toBe('pm');
    const noRedirect = await b.follow(`/oauth2/authorize?client_id=${MYCLINIC_SKIP.client_id}&response_type=code&scope=openid`);
    expect(noRedirect.text).toContain('PAR request is mandatory for the application.');
    const { body } = await push(params());
    const page = await authorizeWith(b, body.request_uri);
    expect(new URL((await submitLogin(b, page, 'admin', 'admin')).location).searchParams.get('code')).toBeTruthy();
  });
});
