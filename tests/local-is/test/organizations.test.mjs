// Organization (B2B) login with fidp=OrganizationSSO (organizations.mjs).
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createLocalJWKSet, jwtVerify } from 'jose';
import {
  APP, BESTCARE, MYCLINIC_SKIP, authorizeAndLogin, authorizeUrl, browser, call, parseForm, queryOf, startTestIs, submitLogin,
} from './helpers.mjs';

let is;
beforeAll(async () => { is = await startTestIs(); });
afterAll(async () => { await is?.close(); });
afterEach(async () => { await call(is, '/__test/reset', { method: 'DELETE' }); });

const SKIP = { clientId: MYCLINIC_SKIP.client_id, scope: 'openid profile email' };
const OLIVIA_ID = '0c1a7e5d-2b3f-4c8e-9a6d-7f4b1e2c3d50';

async function tokensFor(location) {
  const code = new URL(location).searchParams.get('code');
  const tr = await call(is, '/oauth2/token', { form: { grant_type: 'authorization_code', code, redirect_uri: `${APP}/login` }, basic: [MYCLINIC_SKIP.client_id, MYCLINIC_SKIP.client_secret] });
  expect(tr.status).toBe(200);
  const jwks = createLocalJWKSet((await call(is, '/oauth2/jwks')).body);
  return { ...tr.body, claims: (await jwtVerify(tr.body.id_token, jwks, { issuer: is.issuer })).payload };
}

/** Authorize with organization parameters and land on the organization's login page. */
async function organizationLoginPage(b, extra) {
  const first = await b.request(authorizeUrl({ ...SKIP, fidp: 'OrganizationSSO', ...extra }));
  expect(new URL(first.location).pathname).toBe('/commonauth');
  expect(queryOf(first.location)).toMatchObject({ idp: 'SSO', authenticator: 'OrganizationAuthenticator' });
  return b.follow(first.location);
}

describe('organization login', () => {
  it('orgId → the organization\'s login page → ID token with org claims, a federated sub and OrganizationAuthenticator', async () => {
    const b = browser(is);
    const first = await b.request(authorizeUrl({ ...SKIP, fidp: 'OrganizationSSO', orgId: BESTCARE.id }));
    const step = await b.request(first.location);
    expect(new URL(step.location).pathname).toBe(`/t/carbon.super/o/${BESTCARE.id}/authenticationendpoint/login.do`);
    const page = await b.follow(step.location);
    expect(page.text).toContain('id="organization-name">BestCare<');
    expect(parseForm(page.text, 'loginForm').action).toBe(`/t/carbon.super/o/${BESTCARE.id}/commonauth`);
    const done = await submitLogin(b, page, 'olivia', 'olivia123');
    const { claims, access_token: at } = await tokensFor(done.location);
    expect(claims).toMatchObject({ org_id: BESTCARE.id, org_name: 'BestCare', user_org: BESTCARE.id, user_organization: BESTCARE.id, amr: ['OrganizationAuthenticator'] });
    expect(claims).toMatchObject({ given_name: 'Olivia', family_name: 'Brown', email: 'olivia@bestcare.example' });
    expect(claims.sub).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(claims.sub).not.toBe(OLIVIA_ID);
    const ui = await call(is, '/oauth2/userinfo', { bearer: at });
    expect(ui.body).toMatchObject({ sub: claims.sub, given_name: 'Olivia' });
    expect(ui.body.org_id).toBeUndefined();

    const again = await b.request(authorizeUrl({ ...SKIP, fidp: 'OrganizationSSO', orgId: BESTCARE.id }));
    expect(queryOf(again.location).code).toBeTruthy();
    expect((await tokensFor(again.location)).claims.sub).toBe(claims.sub);
  });

  it('org (name) and orgHandle resolve the organization too', async () => {
    for (const extra of [{ org: 'bestcare' }, { orgHandle: 'bestcare' }]) {
      const b = browser(is);
      const page = await organizationLoginPage(b, extra);
      expect(page.text).toContain('BestCare');
      expect(queryOf((await submitLogin(b, page, 'olivia', 'olivia123')).location).code).toBeTruthy();
    }
  });

  it('without an organization: "Sign In With SSO" asks for its name; an unknown one shows WSO2\'s text', async () => {
    const b = browser(is);
    const ask = await organizationLoginPage(b, {});
    expect(ask.text).toContain('Sign In With SSO');
    const { action, fields } = parseForm(ask.text, 'loginForm');
    expect(fields).toMatchObject({ idp: 'SSO', authenticator: 'OrganizationAuthenticator' });
    const bad = await b.follow(`${action}?${new URLSearchParams({ ...fields, org: 'NoSuchOrg' })}`);
    expect(bad.text).toContain('Invalid Organization Name');
    const good = await b.follow(`${action}?${new URLSearchParams({ ...fields, org: 'BestCare' })}`);
    expect(good.text).toContain('id="organization-name">BestCare<');
    expect(queryOf((await submitLogin(b, good, 'olivia', 'olivia123')).location).code).toBeTruthy();
  });

  it('unknown handle → "Invalid Organization Handle"; unknown orgId → login_required "Authentication required"', async () => {
    expect((await organizationLoginPage(browser(is), { orgHandle: 'nope' })).text).toContain('Invalid Organization Handle');
    const b = browser(is);
    const first = await b.request(authorizeUrl({ ...SKIP, fidp: 'OrganizationSSO', orgId: '00000000-0000-4000-8000-000000000000', state: 'o1' }));
    const end = await b.follow(first.location);
    expect(queryOf(end.location)).toMatchObject({ error: 'login_required', error_description: 'Authentication required', state: 'o1' });
  });

  it('an organization user is not a root user; a root session still goes through organization login', async () => {
    const { res } = await authorizeAndLogin(browser(is), { ...SKIP, username: 'olivia', password: 'olivia123' });
    expect(res.text).toContain('Login failed!');
    const b = browser(is);
    await authorizeAndLogin(b, SKIP);
    const page = await organizationLoginPage(b, { orgId: BESTCARE.id });
    expect(page.text).toContain('id="organization-name">BestCare<');
    expect((await submitLogin(b, page, 'olivia', 'wrong')).text).toContain('Login failed!');
  });
});
