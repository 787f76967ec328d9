// Self-registration (registration.mjs): the login page's Register link, register.do, processregistration.do.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  APP, MYCLINIC_SKIP, authorizeAndLogin, authorizeUrl, browser, call, claimsOf, parseForm, queryOf, startTestIs, submitLogin,
} from './helpers.mjs';

let is;
beforeAll(async () => { is = await startTestIs(); });
afterAll(async () => { await is?.close(); });
afterEach(async () => { await call(is, '/__test/reset', { method: 'DELETE' }); });

const SKIP = { clientId: MYCLINIC_SKIP.client_id, scope: 'openid profile email' };
const href = (html, id) => /href="([^"]*)"/.exec(new RegExp(`<a[^>]*id="${id}"[^>]*>`).exec(html)[0])[1].replace(/&#(\d+);/g, (_, n) => String.fromCharCode(Number(n)));
const dataUrl = (html) => /data-url="([^"]*)"/.exec(html)[1].replace(/&#(\d+);/g, (_, n) => String.fromCharCode(Number(n)));
const newUser = (username) => ({
  username, password: 'Secret123!', 'http://wso2.org/claims/givenname': 'Nina', 'http://wso2.org/claims/lastname': 'Novak', 'http://wso2.org/claims/emailaddress': `${username}@example.com`,
});

/** Opens the login page, follows "Register" and submits the form. */
async function register(b, prefix, username) {
  const login = await b.follow(authorizeUrl({ ...SKIP, prefix }));
  expect(login.text).toContain("Don't have an account?");
  const link = href(login.text, 'registerLink');
  const form = await b.request(link);
  expect(form.status).toBe(200);
  const { action, fields } = parseForm(form.text, 'register');
  return { login, link, fields, done: await b.request(action, { form: { ...fields, ...newUser(username) } }) };
}

describe('self-registration', () => {
  it('the Register link carries the login.do parameters and callback; the new user can sign in', async () => {
    const b = browser(is);
    const { login, link, fields, done } = await register(b, '', 'nina');
    const q = queryOf(link);
    expect(new URL(link, is.origin).pathname).toBe('/accountrecoveryendpoint/register.do');
    expect(q).toMatchObject({ client_id: MYCLINIC_SKIP.client_id, sp: 'myclinic-skip', tenantDomain: 'carbon.super' });
    expect(q.callback).toMatch(new RegExp(`^${is.origin}/authenticationendpoint/login\\.do\\?`));
    expect(fields).toMatchObject({ sessionDataKey: q.sessionDataKey, callback: q.callback, sp: 'myclinic-skip' });
    expect(done.text).toContain('Account created successfully');
    expect(done.text).toContain('You can now sign in to your account.');
    const cb = await submitLogin(b, login, 'nina', 'Secret123!');
    const code = new URL(cb.location).searchParams.get('code');
    const tr = await call(is, '/oauth2/token', { form: { grant_type: 'authorization_code', code, redirect_uri: `${APP}/login` }, basic: [MYCLINIC_SKIP.client_id, MYCLINIC_SKIP.client_secret] });
    expect(claimsOf(tr.body.id_token)).toMatchObject({ given_name: 'Nina', family_name: 'Novak', email: 'nina@example.com', username: 'nina' });
  });

  it('users live in their tenant; a taken name and a foreign callback are refused with WSO2\'s texts', async () => {
    const b = browser(is);
    expect((await register(b, '/t/wso2.com', 'tina')).done.text).toContain('Account created successfully');
    const { res } = await authorizeAndLogin(browser(is), { ...SKIP, username: 'tina', password: 'Secret123!' });
    expect(res.text).toContain('Login failed!');
    expect(new URL((await authorizeAndLogin(browser(is), { ...SKIP, prefix: '/t/wso2.com', username: 'tina', password: 'Secret123!' })).res.location).searchParams.get('code')).toBeTruthy();
    const taken = await register(browser(is), '', 'alice');
    expect(taken.done.text).toContain('Username alice is already taken. Please pick a different username');
    const form = await b.request('/accountrecoveryendpoint/register.do?sp=myclinic-skip&callback=https%3A%2F%2Fevil.example%2F');
    const { action, fields } = parseForm(form.text, 'register');
    const bad = await b.request(action, { form: { ...fields, ...newUser('eve') } });
    expect(bad.text).toContain('Configured callback URL format does not match with the provided callback URL in the request');
  });

  it('an application access URL gets the 3 s redirect; auto-login signs the user in through /commonauth', async () => {
    await call(is, `/__test/client/${MYCLINIC_SKIP.client_id}`, { method: 'PUT', json: { access_url: `${APP}/` } });
    const withAccess = await register(browser(is), '', 'ada');
    expect(withAccess.done.text).toContain('You will be redirected back to the application in');
    expect(dataUrl(withAccess.done.text)).toBe(`${APP}/`);
    await call(is, `/__test/client/${MYCLINIC_SKIP.client_id}`, { method: 'DELETE' });
    expect((await call(is, '/__test/self-registration', { method: 'PUT', json: { auto_login: true } })).body).toEqual({ enabled: true, auto_login: true });
    const b = browser(is);
    const { done } = await register(b, '', 'bob2');
    const to = dataUrl(done.text);
    expect(to).toMatch(/^\/commonauth\?sessionDataKey=/);
    expect(b.jar.get('ALOR')).toBeTruthy();
    const end = await b.follow(to);
    expect(queryOf(end.location).code).toBeTruthy();
  });

  it('self-registration off: no Register link and register.do refuses; reset removes registered users', async () => {
    expect((await register(browser(is), '', 'carl')).done.text).toContain('Account created successfully');
    await call(is, '/__test/reset', { method: 'DELETE' });
    expect((await authorizeAndLogin(browser(is), { ...SKIP, username: 'carl', password: 'Secret123!' })).res.text).toContain('Login failed!');
    await call(is, '/__test/self-registration', { method: 'PUT', json: { enabled: false } });
    const login = await browser(is).follow(authorizeUrl(SKIP));
    expect(login.text).not.toContain('registerLink');
    expect((await browser(is).request('/accountrecoveryendpoint/register.do?sp=x')).text).toContain('Self registration is disabled for tenant - carbon.super');
  });
});
