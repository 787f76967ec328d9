// SCIM 2.0 GET /scim2/Me (scim.mjs).
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { APP, BESTCARE, MYCLINIC, MYCLINIC_SKIP, authorizeAndLogin, authorizeUrl, browser, call, startTestIs, submitLogin } from './helpers.mjs';

let is;
beforeAll(async () => { is = await startTestIs(); });
afterAll(async () => { await is?.close(); });
afterEach(async () => { await call(is, '/__test/reset', { method: 'DELETE' }); });

const skipBasic = [MYCLINIC_SKIP.client_id, MYCLINIC_SKIP.client_secret];
const ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error';

async function tokensFor(location, prefix = '') {
  const code = new URL(location).searchParams.get('code');
  const tr = await call(is, `${prefix}/oauth2/token`, { form: { grant_type: 'authorization_code', code, redirect_uri: `${APP}/login` }, basic: skipBasic });
  expect(tr.status).toBe(200);
  return tr.body;
}

async function login({ scope = 'openid internal_login', prefix = '', username = 'admin', password = 'admin' } = {}) {
  const { res } = await authorizeAndLogin(browser(is), { clientId: MYCLINIC_SKIP.client_id, scope, prefix, username, password });
  return tokensFor(res.location, prefix);
}

const me = (token, prefix = '') => call(is, `${prefix}/scim2/Me`, token ? { bearer: token } : {});

describe('GET /scim2/Me', () => {
  it('answers WSO2\'s User resource for a token with internal_login', async () => {
    const t = await login();
    expect(t.scope.split(' ')).toContain('internal_login');
    const r = await me(t.access_token);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('application/scim+json');
    const id = '4b8f3c2e-9a1d-4e6b-8c7f-2d5a1e0b9c31';
    expect(r.headers.get('location')).toBe(`${is.origin}/scim2/Users/${id}`);
    expect(r.body).toMatchObject({
      id, userName: 'admin', name: { givenName: 'Admin', familyName: 'User' }, emails: ['admin@wso2.com'],
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User', 'urn:scim:wso2:schema'],
      meta: { resourceType: 'User', location: `${is.origin}/scim2/Users/${id}` },
    });
    expect(r.body.meta.created).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    expect(r.body.roles.map((x) => x.display)).toEqual(['admin', 'everyone']);
    expect(r.body.roles[0]).toMatchObject({ audienceType: 'organization', audienceDisplay: 'carbon.super', $ref: expect.stringMatching(new RegExp(`^${is.origin}/scim2/v2/Roles/`)) });
    expect(r.body.groups).toEqual([{ display: 'admin', value: expect.any(String), $ref: expect.stringContaining('/scim2/Groups/') }]);
  });

  it('401 without or with a bad token (WSO2\'s JSON and WWW-Authenticate), 403 without internal_login', async () => {
    for (const token of [undefined, 'nope']) {
      const r = await me(token);
      expect(r.status).toBe(401);
      expect(r.headers.get('www-authenticate')).toBe('Bearer realm=localhost');
      expect(r.headers.get('content-type')).toBe('application/json;charset=UTF-8');
      expect(r.body).toEqual({ schemas: [ERROR], detail: 'Authorization failure. Authorization information was invalid or missing from your request.', status: 401 });
    }
    const t = await login({ scope: 'openid profile' });
    const r = await me(t.access_token);
    expect(r.status).toBe(403);
    expect(r.body).toEqual({ schemas: [ERROR], detail: 'Operation is not permitted. You do not have permissions to make this request.', status: 403 });
  });

  it('JWT access tokens work; revoked tokens and ended sessions give 401', async () => {
    await call(is, `/__test/client/${MYCLINIC_SKIP.client_id}`, { method: 'PUT', json: { access_token_type: 'jwt' } });
    const t = await login();
    expect(t.access_token.split('.')).toHaveLength(3);
    expect((await me(t.access_token)).status).toBe(200);
    await call(is, '/oauth2/revoke', { form: { token: t.access_token }, basic: skipBasic });
    expect((await me(t.access_token)).status).toBe(401);
    const t2 = await login();
    expect((await me(t2.access_token)).status).toBe(200);
    await call(is, '/__test/logout-session', { method: 'POST', json: { username: 'admin' } });
    expect((await me(t2.access_token)).status).toBe(401);
  });

  it('per tenant: /t/wso2.com/scim2/Me for kim; a super-tenant token is not valid there', async () => {
    const t = await login({ prefix: '/t/wso2.com', username: 'kim', password: 'kim12345' });
    const r = await me(t.access_token, '/t/wso2.com');
    expect(r.body).toMatchObject({ userName: 'kim', id: 'c3d9a8b7-6e5f-4d2c-b1a0-9f8e7d6c5b42', meta: { location: `${is.origin}/t/wso2.com/scim2/Users/c3d9a8b7-6e5f-4d2c-b1a0-9f8e7d6c5b42` } });
    expect(r.body.roles[0].audienceDisplay).toBe('wso2.com');
    expect((await me((await login()).access_token, '/t/wso2.com')).status).toBe(401);
  });

  it('an organization (federated) user is not in the root user store: 404 "No such user exist"', async () => {
    const b = browser(is);
    const step = await b.follow(authorizeUrl({ clientId: MYCLINIC_SKIP.client_id, scope: 'openid internal_login', fidp: 'OrganizationSSO', orgId: BESTCARE.id }));
    const t = await tokensFor((await submitLogin(b, step, 'olivia', 'olivia123')).location);
    const r = await me(t.access_token);
    expect([r.status, r.headers.get('content-type'), r.body]).toEqual([404, 'application/scim+json', { schemas: [ERROR], detail: 'No such user exist', status: '404' }]);
    expect(MYCLINIC.name).toBe('myclinic');
  });
});
