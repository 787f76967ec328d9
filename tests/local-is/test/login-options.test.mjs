// Authorization request options (login-options.mjs): prompt, max_age / auth_time, login_hint, ui_locales,
// fidp and acr_values.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  APP, MYCLINIC, MYCLINIC_SKIP, authorizeAndLogin, authorizeUrl, browser, call, claimsOf, parseForm, queryOf, startTestIs, submitLogin,
} from './helpers.mjs';

let is;
beforeAll(async () => { is = await startTestIs(); });
afterAll(async () => { await is?.close(); });
afterEach(async () => { await call(is, '/__test/reset', { method: 'DELETE' }); });

const SKIP = { clientId: MYCLINIC_SKIP.client_id };
const skipBasic = [MYCLINIC_SKIP.client_id, MYCLINIC_SKIP.client_secret];

/** A browser with an IS session (admin, via the skip-consent client). */
async function loggedInBrowser(username = 'admin', password = 'admin') {
  const b = browser(is);
  const { res } = await authorizeAndLogin(b, { ...SKIP, username, password });
  expect(new URL(res.location).searchParams.get('code')).toBeTruthy();
  return b;
}

/** Exchanges the code of a callback for the ID token claims. */
async function idTokenOf(location, basic = skipBasic) {
  const cb = new URL(location);
  const tr = await call(is, '/oauth2/token', { form: { grant_type: 'authorization_code', code: cb.searchParams.get('code'), redirect_uri: `${cb.origin}${cb.pathname}` }, basic });
  expect(tr.status).toBe(200);
  return claimsOf(tr.body.id_token);
}

const callbackError = (r) => { const q = queryOf(r.location); return [q.error, q.error_description]; };

describe('prompt', () => {
  it('prompt=login shows the login page despite the IS session; no auth_time (WSO2 adds it only for max_age)', async () => {
    const b = await loggedInBrowser();
    const page = await b.follow(authorizeUrl({ ...SKIP, prompt: 'login' }));
    expect(page.text).toContain('id="loginForm"');
    const p = await idTokenOf((await submitLogin(b, page, 'admin', 'admin')).location);
    expect(p.auth_time).toBeUndefined();
  });

  it('prompt=none: login_required without a session, consent_required without (or with less) consent', async () => {
    expect(callbackError(await browser(is).request(authorizeUrl({ prompt: 'none' }))))
      .toEqual(['login_required', "Request with 'prompt=none' but user session does not exist"]);
    const b = await loggedInBrowser();
    expect(callbackError(await b.request(authorizeUrl({ prompt: 'none', scope: 'openid profile' }))))
      .toEqual(['consent_required', 'Required consent not found']);
    await authorizeAndLogin(b, { scope: 'openid' });
    expect(callbackError(await b.request(authorizeUrl({ prompt: 'none', scope: 'openid profile' }))))
      .toEqual(['consent_required', 'Consent approved always without prompting for new consent']);
    const ok = await b.request(authorizeUrl({ prompt: 'none', scope: 'openid' }));
    expect(queryOf(ok.location).code).toBeTruthy();
  });

  it('prompt errors and value handling follow AuthzUtil', async () => {
    const b = await loggedInBrowser();
    expect(callbackError(await b.request(authorizeUrl({ ...SKIP, prompt: 'none login' }))))
      .toEqual(['invalid_request', "Invalid prompt variable combination. The value 'none' cannot be used with others prompts."]);
    expect(callbackError(await b.request(authorizeUrl({ ...SKIP, prompt: 'foo' }))))
      .toEqual(['invalid_request', 'Invalid prompt variables passed with the authorization request']);
    expect(queryOf((await b.request(authorizeUrl({ ...SKIP, prompt: 'select_account' }))).location).code).toBeTruthy();
    expect((await b.follow(authorizeUrl({ ...SKIP, prompt: 'login foo' }))).text).toContain('id="loginForm"');
  });

  it('prompt=consent removes the remembered consent and shows the consent page', async () => {
    const b = await loggedInBrowser();
    await authorizeAndLogin(b, { scope: 'openid' });
    const page = await b.follow(authorizeUrl({ prompt: 'consent' }));
    expect(page.text).toContain('wants to access your account');
    const { action, fields } = parseForm(page.text, 'profile');
    const denied = await b.follow(action, { form: { ...fields, consent: 'deny' } });
    expect(callbackError(denied)).toEqual(['access_denied', 'User denied the consent']);
    expect(callbackError(await b.request(authorizeUrl({ prompt: 'none' })))).toEqual(['consent_required', 'Required consent not found']);
  });
});

describe('max_age and auth_time', () => {
  it('max_age keeps a fresh session and adds auth_time; an old one must log in again, except with prompt=none', async () => {
    const b = await loggedInBrowser();
    const fresh = await b.request(authorizeUrl({ ...SKIP, max_age: '3600' }));
    const p = await idTokenOf(fresh.location);
    expect(p.auth_time).toBeGreaterThan(0);
    await new Promise((ok) => { setTimeout(ok, 2100); });
    expect((await b.follow(authorizeUrl({ ...SKIP, max_age: '1' }))).text).toContain('id="loginForm"');
    expect(queryOf((await b.request(authorizeUrl({ ...SKIP, max_age: '1', prompt: 'none' }))).location).code).toBeTruthy();
  });

  it('max_age=0 forces a login but gives no auth_time; a bad max_age is refused', async () => {
    const b = await loggedInBrowser();
    const page = await b.follow(authorizeUrl({ ...SKIP, max_age: '0' }));
    expect(page.text).toContain('id="loginForm"');
    expect((await idTokenOf((await submitLogin(b, page, 'admin', 'admin')).location)).auth_time).toBeUndefined();
    expect(callbackError(await b.request(authorizeUrl({ ...SKIP, max_age: 'abc' }))))
      .toEqual(['invalid_request', 'Invalid max_age parameter value sent in the authorization request.']);
  });
});

describe('login_hint, ui_locales, fidp', () => {
  it('login_hint: login.do gets inputType=login_hint; the page carries the hint in the hidden #username only', async () => {
    const b = browser(is);
    const r = await b.request(authorizeUrl({ ...SKIP, login_hint: 'alice' }));
    expect(queryOf(r.location)).toMatchObject({ inputType: 'login_hint', login_hint: 'alice' });
    const page = await b.follow(r.location);
    expect(page.text).toContain('<h2>Welcome</h2>');
    expect(page.text).toContain('<span id="user-name-label">alice</span>');
    expect(page.text).toContain('<input id="username" name="username" type="hidden" data-testid="login-page-username-input" value="alice">');
    expect(page.text).not.toContain('id="usernameUserInput"');
    const { action, fields } = parseForm(page.text, 'loginForm');
    expect(fields.username).toBe('alice');
    const done = await b.follow(action, { form: { ...fields, password: 'alice123' } });
    expect((await idTokenOf(done.location)).sub).toBe('a7c1e5d2-3f4b-4a8e-9d6c-5b2e8f1a0d47');
  });

  it('ui_locales is accepted and passed to the login page URL', async () => {
    const b = browser(is);
    const r = await b.request(authorizeUrl({ ...SKIP, ui_locales: 'fr-FR en' }));
    expect(queryOf(r.location).ui_locales).toBe('fr-FR en');
    expect((await b.request(r.location)).text).toContain('<html lang="fr">');
  });

  it('an unknown fidp shows "Authentication Failed! Please Retry" above the normal login', async () => {
    const b = browser(is);
    const r = await b.request(authorizeUrl({ ...SKIP, fidp: 'NoSuchIdP' }));
    expect(queryOf(r.location)).toMatchObject({ authFailure: 'true', authFailureMsg: 'domain.unknown', hrd: 'true' });
    const page = await b.follow(r.location);
    expect(page.text).toContain('Authentication Failed! Please Retry');
    expect(queryOf((await submitLogin(b, page, 'admin', 'admin')).location).code).toBeTruthy();
  });
});

describe('acr_values (an app whose adaptive script selects the ACR)', () => {
  it('a supported ACR forces a password login and is in the ID token; others give no acr', async () => {
    await call(is, `/__test/client/${MYCLINIC_SKIP.client_id}`, { method: 'PUT', json: { acr_values_supported: ['LOA1', 'LOA2'] } });
    const b = await loggedInBrowser();
    const page = await b.follow(authorizeUrl({ ...SKIP, acr_values: 'LOA3 LOA2' }));
    expect(page.text).toContain('id="loginForm"');
    expect((await idTokenOf((await submitLogin(b, page, 'admin', 'admin')).location)).acr).toBe('LOA2');
    const unsupported = await b.request(authorizeUrl({ ...SKIP, acr_values: 'LOA9' }));
    expect((await idTokenOf(unsupported.location)).acr).toBeUndefined();
    expect((await idTokenOf((await b.request(authorizeUrl(SKIP))).location)).acr).toBeUndefined();
  });

  it('without the option (no script) acr_values changes nothing; discovery has no acr_values_supported', async () => {
    const b = await loggedInBrowser();
    const r = await b.request(authorizeUrl({ ...SKIP, acr_values: 'LOA2' }));
    expect((await idTokenOf(r.location)).acr).toBeUndefined();
    const d = (await call(is, '/oauth2/token/.well-known/openid-configuration')).body;
    expect(d.acr_values_supported).toBeUndefined();
    expect(d.claims_supported).toContain('acr');
  });

  it('the myclinic client (consent shown) also gets its acr', async () => {
    await call(is, `/__test/client/${MYCLINIC.client_id}`, { method: 'PUT', json: { acr_values_supported: ['LOA1'] } });
    const { res } = await authorizeAndLogin(browser(is), { extra: { acr_values: 'LOA1' } });
    expect((await idTokenOf(res.location, [MYCLINIC.client_id, MYCLINIC.client_secret])).acr).toBe('LOA1');
    expect(APP).toBe('https://localhost:5000');
  });
});
