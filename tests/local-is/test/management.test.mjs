// The management APIs of the stand-in (DCR, Application Management, the valve, M2M tokens, test control),
// against WSO2's shapes as /tmp/research/R1-wso2-management.md quotes them.
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MYCLINIC, MYCLINIC_M2M } from '../seed/index.mjs';
import { authorizeAndLogin, browser, call, startTestIs } from './helpers.mjs';

const DCR = '/api/identity/oauth2/dcr/v1.1/register';
const APPS = '/api/server/v1/applications';
const ADMIN = ['admin', 'admin'];
const NEW_APP = 'https://localhost:5105';
const UNAUTHORIZED = 'Authorization failure. Authorization information was invalid or missing from your request.';

let is;
beforeAll(async () => { is = await startTestIs(); });
afterAll(async () => { await is?.close(); });
beforeEach(async () => { await call(is, '/__test/reset', { method: 'DELETE' }); });

/** @param {Record<string, unknown>} [over] */
const registration = (over = {}) => ({
  client_name: 'setup-test', redirect_uris: [`${NEW_APP}/login`, `${NEW_APP}/signin`], grant_types: ['authorization_code', 'refresh_token'],
  ext_pkce_mandatory: true, backchannel_logout_uri: `${NEW_APP}/logout/backchannel`, token_endpoint_auth_method: 'client_secret_basic', ...over,
});
const register = (over, o = {}) => call(is, `${o.prefix || ''}${DCR}`, { method: 'POST', json: registration(over), basic: ADMIN, ...o });
const findApp = async (name, prefix = '') => (await call(is, `${prefix}${APPS}?filter=${encodeURIComponent(`name eq ${name}`)}&attributes=clientId`, { basic: ADMIN })).body.applications[0];
async function m2mToken(scope, prefix = '') {
  const r = await call(is, `${prefix}/oauth2/token`, { form: { grant_type: 'client_credentials', scope }, basic: [MYCLINIC_M2M.client_id, MYCLINIC_M2M.client_secret] });
  return r.body;
}

describe('authentication valve', () => {
  it('401 without or with wrong credentials, WWW-Authenticate per API', async () => {
    for (const [path, challenge] of [[DCR, 'Bearer'], [APPS, 'Bearer realm=localhost']]) {
      for (const o of [{}, { basic: ['admin', 'wrong'] }, { bearer: 'not-a-token' }]) {
        const r = await call(is, path, o);
        expect(r.status).toBe(401);
        expect(r.headers.get('www-authenticate')).toBe(challenge);
        expect(r.headers.get('content-type')).toBe('application/json;charset=UTF-8');
        expect(r.body).toMatchObject({ code: 401, message: 'Unauthorized', description: UNAUTHORIZED });
        expect(r.body.traceId).toMatch(/^[0-9a-f-]{36}$/);
      }
    }
  });

  it('malformed Basic headers get BasicAuthenticationHandler\'s texts', async () => {
    let r = await call(is, APPS, { headers: { authorization: 'Basic %%%' } });
    expect(r.body.description).toBe('Error occurred while trying to authenticate. The Authorization header values are not defined correctly.');
    r = await call(is, APPS, { headers: { authorization: `Basic ${Buffer.from('nocolon').toString('base64')}` } });
    expect(r.body.description).toBe('Error occurred while trying to authenticate. The auth user credentials are not defined correctly.');
  });

  it('a user without the admin role gets the 403 of the authorization valve', async () => {
    const r = await call(is, APPS, { basic: ['alice', 'alice123'] });
    expect(r.status).toBe(403);
    expect(r.body).toMatchObject({ code: 403, message: 'Forbidden', description: 'Operation is not permitted. You do not have permissions to make this request.' });
  });
});

describe('DCR register', () => {
  it('201 with WSO2\'s response shape and defaults; two URIs stored as regexp=(...)', async () => {
    const r = await register();
    expect(r.status).toBe(201);
    expect(r.headers.get('location')).toBeNull();
    const b = r.body;
    expect(b).toMatchObject({
      client_secret_expires_at: 0, redirect_uris: [`regexp=(${NEW_APP}/login|${NEW_APP}/signin)`],
      grant_types: ['authorization_code', 'refresh_token'], client_name: 'setup-test', ext_application_owner: 'admin',
      ext_application_token_lifetime: 3600, ext_user_token_lifetime: 3600, ext_refresh_token_lifetime: 86400, ext_id_token_lifetime: 3600,
      ext_pkce_mandatory: true, ext_pkce_support_plain: false, ext_public_client: false, token_type_extension: 'Default', ext_token_type: 'Default',
      token_endpoint_auth_method: 'client_secret_basic', subject_type: 'public',
    });
    expect(b.client_id).toMatch(/^[A-Za-z0-9]{28}$/);
    expect(b.client_secret.length).toBeGreaterThan(20);
    expect(b).not.toHaveProperty('backchannel_logout_uri');
    expect(Object.values(b)).not.toContain(null);
  });

  it('one URI is stored verbatim; decodeRedirectUris answers an array; only the first ? is escaped', async () => {
    expect((await register({ client_name: 'one', redirect_uris: [`${NEW_APP}/login`] })).body.redirect_uris).toEqual([`${NEW_APP}/login`]);
    const q = await register({ client_name: 'q', redirect_uris: ['https://a.example/cb?x=1&y=2', 'https://b.example/'] });
    expect(q.body.redirect_uris).toEqual(['regexp=(https://a.example/cb\\?x=1&y=2|https://b.example/)']);
    await call(is, '/__test/management', { method: 'PUT', json: { decodeRedirectUris: true } });
    expect((await register({ client_name: 'two' })).body.redirect_uris).toEqual([`${NEW_APP}/login`, `${NEW_APP}/signin`]);
  });

  it('errors: 400 with WSO2\'s error and text', async () => {
    await register();
    const cases = [
      [{}, 'invalid_client_metadata', 'Application with the name setup-test already exist in the system'],
      [{ client_name: ' ' }, 'invalid_client_metadata', 'The client name is missing or empty.'],
      [{ client_name: 'bad/name' }, 'invalid_client_metadata', 'Client Name is not adhering to the regex: ^[a-zA-Z0-9._-]+(?: [a-zA-Z0-9._-]+)*$'],
      [{ client_name: 'n1', redirect_uris: [] }, 'invalid_client_metadata', 'RedirectUris property must have at least one URI value when using Authorization code or implicit grant types.'],
      [{ client_name: 'n2', redirect_uris: ['not a uri'] }, 'invalid_redirect_uri', 'Invalid redirect URI: not a uri'],
      [{ client_name: 'n3', grant_types: ['authorization_code', 'password'] }, 'invalid_client_metadata', "'password' grant type is not allowed."],
      [{ client_name: 'n4', backchannel_logout_uri: 'https://x/#frag' }, 'invalid_client_metadata', 'Invalid back-channel logout URI: https://x/#frag'],
      [{ client_name: 'n5', token_endpoint_auth_method: 'tls_client_auth' }, 'invalid_client_metadata', "'tls_client_auth' Token endpoint authentication method is not allowed."],
    ];
    for (const [over, error, description] of cases) {
      const r = await register(over);
      expect(r.status, description).toBe(400);
      expect(r.body).toMatchObject({ error, error_description: description });
    }
    expect((await findApp('n1'))).toBeUndefined();
  });

  it('test control: mandate_ssa, forbidden, not_deployed', async () => {
    await call(is, '/__test/management', { method: 'PUT', json: { dcr: 'mandate_ssa' } });
    expect((await register()).body).toMatchObject({ error: 'invalid_software_statement', error_description: 'Mandatory software statement is missing' });
    await call(is, '/__test/management', { method: 'PUT', json: { dcr: 'forbidden' } });
    const f = await register();
    expect(f.status).toBe(403);
    expect(f.body.message).toBe('Forbidden');
    await call(is, '/__test/management', { method: 'PUT', json: { dcr: 'not_deployed' } });
    expect((await register()).status).toBe(404);
    expect((await call(is, '/__test/management', { method: 'PUT', json: { dcr: 'nope' } })).status).toBe(400);
    expect((await call(is, '/__test/management', { method: 'DELETE' })).body).toEqual({ dcr: 'enabled', decodeRedirectUris: false, apps: [] });
  });
});

describe('DCR read, update, delete', () => {
  it('GET by client id and by name; unknown → 401 with an empty body', async () => {
    const { body: reg } = await register();
    expect((await call(is, `${DCR}/${reg.client_id}`, { basic: ADMIN })).body).toEqual(reg);
    expect((await call(is, `${DCR}?client_name=setup-test`, { basic: ADMIN })).body).toEqual(reg);
    for (const path of [`${DCR}/nope`, `${DCR}?client_name=nope`, `${DCR}?client_name=myclinic-saml`]) {
      const r = await call(is, path, { basic: ADMIN });
      expect(r.status).toBe(401);
      expect(r.text).toBe('');
    }
    expect((await call(is, `${DCR}?client_name=`, { basic: ADMIN })).body.error_description).toBe('Insufficient data in the request');
  });

  it('PUT: empty lists keep the old value, omitted booleans become false, renames are checked', async () => {
    const { body: reg } = await register();
    const r = await call(is, `${DCR}/${reg.client_id}`, { method: 'PUT', basic: ADMIN, json: { client_name: 'renamed', redirect_uris: [], grant_types: [] } });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ client_name: 'renamed', redirect_uris: reg.redirect_uris, grant_types: reg.grant_types, ext_pkce_mandatory: false, client_secret: reg.client_secret });
    const dup = await call(is, `${DCR}/${reg.client_id}`, { method: 'PUT', basic: ADMIN, json: { client_name: 'myclinic' } });
    expect(dup.body.error_description).toBe('Application with the name myclinic already exist in the system');
  });

  it('DELETE → 204, then unknown; seed apps cannot be deleted (403)', async () => {
    const { body: reg } = await register();
    const d = await call(is, `${DCR}/${reg.client_id}`, { method: 'DELETE', basic: ADMIN });
    expect(d.status).toBe(204);
    expect((await call(is, `${DCR}/${reg.client_id}`, { basic: ADMIN })).status).toBe(401);
    expect(await findApp('setup-test')).toBeUndefined();
    expect((await call(is, `${DCR}/${MYCLINIC.client_id}`, { method: 'DELETE', basic: ADMIN })).status).toBe(403);
  });
});

describe('a registered app', () => {
  it('logs in at once; releases user attributes only after requestedClaims are set', async () => {
    const { body: reg } = await register({ ext_pkce_mandatory: false });
    const token = async () => {
      const { res } = await authorizeAndLogin(browser(is), { clientId: reg.client_id, redirectUri: `${NEW_APP}/login` });
      expect(res.status).toBe(302);
      const code = new URL(res.location).searchParams.get('code');
      const tr = await call(is, '/oauth2/token', { form: { grant_type: 'authorization_code', code, redirect_uri: `${NEW_APP}/login` }, basic: [reg.client_id, reg.client_secret] });
      expect(tr.status).toBe(200);
      return tr.body;
    };
    let t = await token();
    expect(decodeJwt(t.id_token)).not.toHaveProperty('given_name');
    expect(Object.keys((await call(is, '/oauth2/userinfo', { bearer: t.access_token })).body)).toEqual(['sub']);
    const app = await findApp('setup-test');
    const p = await call(is, `${APPS}/${app.id}`, { method: 'PATCH', basic: ADMIN, json: { claimConfiguration: { requestedClaims: [{ claim: { uri: 'http://wso2.org/claims/givenname' } }, { claim: { uri: 'http://wso2.org/claims/username' } }] } } });
    expect(p.status).toBe(200);
    expect(p.text).toBe('');
    t = await token();
    const claims = decodeJwt(t.id_token);
    expect(claims).toMatchObject({ given_name: 'Admin', username: 'admin', aud: reg.client_id });
    expect(claims).not.toHaveProperty('email');
  });

  it('belongs to its tenant only (the super tenant\'s admin is no user of wso2.com; its M2M app is)', async () => {
    expect((await register({}, { prefix: '/t/wso2.com' })).status).toBe(401);
    const t = await m2mToken('internal_dcr_create internal_dcr_view internal_application_mgt_view', '/t/wso2.com');
    const reg = await register({ ext_pkce_mandatory: false }, { prefix: '/t/wso2.com', basic: undefined, bearer: t.access_token });
    expect(reg.status).toBe(201);
    const list = (await call(is, `/t/wso2.com${APPS}?filter=name+eq+setup-test`, { bearer: t.access_token })).body;
    expect(list.applications[0].self).toMatch(/^\/t\/wso2\.com\/api\/server\/v1\/applications\//);
    expect(await findApp('setup-test')).toBeUndefined();
    expect((await call(is, `${DCR}/${reg.body.client_id}`, { basic: ADMIN })).status).toBe(401);
    const { res } = await authorizeAndLogin(browser(is), { prefix: '/t/wso2.com', clientId: reg.body.client_id, redirectUri: `${NEW_APP}/login`, username: 'kim', password: 'kim12345' });
    expect(new URL(res.location).searchParams.get('code')).toBeTruthy();
  });
});

describe('Application Management', () => {
  it('list: filter, attributes, paging', async () => {
    const all = (await call(is, `${APPS}?limit=100`, { basic: ADMIN })).body;
    expect(all).toMatchObject({ startIndex: 1, links: [] });
    expect(all.count).toBe(all.totalResults);
    expect(all.applications[0]).not.toHaveProperty('clientId');
    const my = (await call(is, `${APPS}?filter=name+eq+myclinic&attributes=clientId`, { basic: ADMIN })).body;
    expect(my).toMatchObject({ totalResults: 1, count: 1, applications: [{ name: 'myclinic', clientId: MYCLINIC.client_id, access: 'WRITE' }] });
    expect((await call(is, `${APPS}?filter=name+sw+myclinic-`, { basic: ADMIN })).body.totalResults).toBeGreaterThan(2);
    expect((await call(is, `${APPS}?filter=${encodeURIComponent(`clientId eq ${MYCLINIC.client_id}`)}`, { basic: ADMIN })).body.applications[0].clientId).toBe(MYCLINIC.client_id);
    const page = (await call(is, `${APPS}?limit=2&offset=1`, { basic: ADMIN })).body;
    expect(page).toMatchObject({ startIndex: 2, count: 2 });
    expect(page.links.map((l) => l.rel)).toEqual(['next', 'previous']);
  });

  it('list errors: APP-60004 for a bad filter, APP-60505 for an attribute', async () => {
    for (const [f, d] of [['name', 'Filter needs to be in the format <attribute>+<operation>+<value>. Eg: name+eq+john'], ['owner eq x', 'Filtering using the attempted attribute is not supported.'], ['name gt x', 'Attempted filtering operation is invalid.']]) {
      const r = await call(is, `${APPS}?filter=${encodeURIComponent(f)}`, { basic: ADMIN });
      expect(r.status).toBe(400);
      expect(r.body).toMatchObject({ code: 'APP-60004', message: 'Invalid filter query format.', description: d });
    }
    expect((await call(is, `${APPS}?attributes=name,imageUrl`, { basic: ADMIN })).body.code).toBe('APP-60505');
  });

  it('get by id; unknown id → 404 APP-60006', async () => {
    const app = await findApp('myclinic');
    const r = await call(is, `${APPS}/${app.id}`, { basic: ADMIN });
    expect(r.body).toMatchObject({ id: app.id, name: 'myclinic', clientId: MYCLINIC.client_id, inboundProtocols: [{ type: 'oauth2', self: `${APPS}/${app.id}/inbound-protocols/oidc` }], claimConfiguration: { dialect: 'LOCAL' }, advancedConfigurations: { skipLoginConsent: false, skipLogoutConsent: false } });
    const nf = await call(is, `${APPS}/nope`, { basic: ADMIN });
    expect(nf.status).toBe(404);
    expect(nf.body).toMatchObject({ code: 'APP-60006', message: 'Application not found.', description: 'Application cannot be found for the provided id: nope in the tenantDomain: carbon.super.' });
    expect(nf.body.traceId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('OIDC inbound: GET shape; a SAML app has none (404 APP-60502)', async () => {
    await register();
    const app = await findApp('setup-test');
    const o = (await call(is, `${APPS}/${app.id}/inbound-protocols/oidc`, { basic: ADMIN })).body;
    expect(o).toMatchObject({ state: 'ACTIVE', callbackURLs: [`regexp=(${NEW_APP}/login|${NEW_APP}/signin)`], publicClient: false, pkce: { mandatory: true, supportPlainTransformAlgorithm: false }, logout: { backChannelLogoutUrl: `${NEW_APP}/logout/backchannel`, frontChannelLogoutUrl: '' }, accessToken: { type: 'Default' }, scopeValidators: [] });
    expect(o.clientSecret).toBeTruthy();
    const saml = await findApp('myclinic-saml');
    const r = await call(is, `${APPS}/${saml.id}/inbound-protocols/oidc`, { basic: ADMIN });
    expect(r.status).toBe(404);
    expect(r.body.code).toBe('APP-60502');
  });

  it('OIDC inbound PUT: client id and secret must be echoed; several callbacks → 501; the change applies to logins', async () => {
    await register();
    const app = await findApp('setup-test');
    const path = `${APPS}/${app.id}/inbound-protocols/oidc`;
    const o = (await call(is, path, { basic: ADMIN })).body;
    const put = (body) => call(is, path, { method: 'PUT', basic: ADMIN, json: body });
    expect((await put({ ...o, clientId: 'other' })).body).toMatchObject({ code: 'APP-60001', message: 'Invalid Request.', description: 'Invalid ClientID provided for update.' });
    const { clientSecret: _s, ...noSecret } = o;
    expect((await put(noSecret)).body.description).toBe('Invalid ClientSecret provided for update.');
    const multi = await put({ ...o, callbackURLs: ['https://a/x', 'https://a/y'] });
    expect(multi.status).toBe(501);
    expect(multi.body).toMatchObject({ message: 'Server error while trying the attempted operation.', description: 'Multiple callbacks for OAuth2 are not supported yet. Please use regex to define multiple callbacks.' });
    expect(multi.body).not.toHaveProperty('code');
    const ok = await put({ ...o, callbackURLs: ['regexp=(https://localhost:5106/login|https://localhost:5106/signin)'], pkce: { mandatory: false } });
    expect(ok.status).toBe(200);
    const { res } = await authorizeAndLogin(browser(is), { clientId: o.clientId, redirectUri: 'https://localhost:5106/login' });
    expect(new URL(res.location).origin).toBe('https://localhost:5106');
  });

  it('PATCH: claim configuration and consent options; a taken name → 409 APP-60007', async () => {
    await register();
    const app = await findApp('setup-test');
    await call(is, `${APPS}/${app.id}`, { method: 'PATCH', basic: ADMIN, json: { claimConfiguration: { dialect: 'LOCAL', requestedClaims: [{ claim: { uri: 'http://wso2.org/claims/emailaddress' }, mandatory: true }] }, advancedConfigurations: { skipLoginConsent: true } } });
    const r = (await call(is, `${APPS}/${app.id}`, { basic: ADMIN })).body;
    expect(r.claimConfiguration.requestedClaims).toEqual([{ claim: { uri: 'http://wso2.org/claims/emailaddress' }, mandatory: true }]);
    expect(r.advancedConfigurations.skipLoginConsent).toBe(true);
    const c = await call(is, `${APPS}/${app.id}`, { method: 'PATCH', basic: ADMIN, json: { name: 'myclinic' } });
    expect(c.status).toBe(409);
    expect(c.body).toMatchObject({ code: 'APP-60007', description: "An application with name: 'myclinic' already exists in tenantDomain: carbon.super" });
  });
});

describe('machine-to-machine application', () => {
  it('client_credentials: a UUID token with the authorized scopes only; the APIs accept it', async () => {
    const t = await m2mToken('internal_application_mgt_view internal_dcr_create bogus_scope openid');
    expect(t).toMatchObject({ token_type: 'Bearer', expires_in: 3600, scope: 'internal_application_mgt_view internal_dcr_create' });
    expect(t.access_token).toMatch(/^[0-9a-f-]{36}$/);
    expect(t).not.toHaveProperty('refresh_token');
    expect((await call(is, APPS, { bearer: t.access_token })).status).toBe(200);
    const reg = await call(is, DCR, { method: 'POST', bearer: t.access_token, json: registration() });
    expect(reg.status).toBe(201);
    expect(reg.body.ext_application_owner).toBe(MYCLINIC_M2M.client_id);
    expect((await call(is, `${DCR}/${reg.body.client_id}`, { bearer: t.access_token })).status).toBe(403);
    const app = await findApp('setup-test');
    expect((await call(is, `${APPS}/${app.id}/inbound-protocols/oidc`, { bearer: t.access_token })).body).not.toHaveProperty('clientSecret');
  });

  it('wrong secret → 401 invalid_client; a token is valid in its tenant only', async () => {
    const bad = await call(is, '/oauth2/token', { form: { grant_type: 'client_credentials' }, basic: [MYCLINIC_M2M.client_id, 'wrong'] });
    expect(bad.status).toBe(401);
    expect(bad.body).toEqual({ error_description: 'Client credentials are invalid.', error: 'invalid_client' });
    const t = await m2mToken('internal_application_mgt_view');
    expect((await call(is, `/t/wso2.com${APPS}`, { bearer: t.access_token })).status).toBe(401);
  });
});

describe('discovery and test control', () => {
  it('discovery publishes registration_endpoint', async () => {
    expect((await call(is, '/oauth2/token/.well-known/openid-configuration')).body.registration_endpoint).toBe(`${is.origin}${DCR}`);
    expect((await call(is, '/t/wso2.com/oauth2/token/.well-known/openid-configuration')).body.registration_endpoint).toBe(`${is.origin}/t/wso2.com${DCR}`);
  });

  it('/__test/reset deletes registered apps; an unknown tenant answers as before', async () => {
    const { body: reg } = await register();
    expect((await call(is, '/__test/management')).body.apps).toEqual([expect.objectContaining({ name: 'setup-test', clientId: reg.client_id, tenant: 'carbon.super' })]);
    await call(is, '/__test/reset', { method: 'DELETE' });
    expect((await call(is, '/__test/management')).body.apps).toEqual([]);
    expect((await call(is, `${DCR}/${reg.client_id}`, { basic: ADMIN })).status).toBe(401);
    const t = await call(is, `/t/nope.example${APPS}`, { basic: ADMIN });
    expect(t.status).toBe(404);
    expect(t.body).toMatchObject({ code: '18013', message: 'Tenant not found' });
  });
});
