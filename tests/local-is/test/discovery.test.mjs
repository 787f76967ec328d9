import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, startTestIs } from './helpers.mjs';

let is;
beforeAll(async () => { is = await startTestIs({ testControl: false }); });
afterAll(async () => { await is?.close(); });

const REQUIRED = ['issuer', 'authorization_endpoint', 'token_endpoint', 'userinfo_endpoint', 'jwks_uri', 'end_session_endpoint',
  'revocation_endpoint', 'introspection_endpoint', 'check_session_iframe', 'response_types_supported', 'subject_types_supported',
  'id_token_signing_alg_values_supported', 'scopes_supported', 'claims_supported', 'code_challenge_methods_supported',
  'token_endpoint_auth_methods_supported', 'backchannel_logout_supported', 'backchannel_logout_session_supported',
  'authorization_response_iss_parameter_supported'];

describe('discovery', () => {
  for (const [prefix, issuerPath] of [['', ''], ['/t/carbon.super', ''], ['/t/wso2.com', '/t/wso2.com']]) {
    for (const kind of ['token', 'oidcdiscovery']) {
      it(`${prefix || '(super)'} /oauth2/${kind}/.well-known/openid-configuration`, async () => {
        const r = await call(is, `${prefix}/oauth2/${kind}/.well-known/openid-configuration`);
        expect(r.status).toBe(200);
        const d = r.body;
        for (const k of REQUIRED) expect(d[k], k).toBeDefined();
        const base = `${is.origin}${issuerPath}`;
        expect(d.issuer).toBe(`${base}/oauth2/token`);
        expect(d.token_endpoint).toBe(`${base}/oauth2/token`);
        expect(d.authorization_endpoint).toBe(`${base}/oauth2/authorize`);
        expect(d.userinfo_endpoint).toBe(`${base}/oauth2/userinfo`);
        expect(d.jwks_uri).toBe(`${base}/oauth2/jwks`);
        expect(d.revocation_endpoint).toBe(`${base}/oauth2/revoke`);
        expect(d.introspection_endpoint).toBe(`${base}/oauth2/introspect`);
        expect(d.end_session_endpoint).toBe(`${base}/oidc/logout`);
        expect(d.id_token_signing_alg_values_supported).toEqual(['RS256']);
        expect(d.code_challenge_methods_supported).toEqual(['S256', 'plain']);
        expect(d.backchannel_logout_supported).toBe(true);
        expect(d.backchannel_logout_session_supported).toBe(true);
        if (!issuerPath) expect(JSON.stringify(d)).not.toContain('/t/');
      });
    }
  }

  it('other /oauth2/<x>/.well-known path → 400', async () => {
    expect((await call(is, '/oauth2/foo/.well-known/openid-configuration')).status).toBe(400);
    expect((await call(is, '/t/wso2.com/oauth2/authorize/.well-known/openid-configuration')).status).toBe(400);
  });

  it('unknown tenant → 404', async () => {
    const r = await call(is, '/t/nope.example/oauth2/token/.well-known/openid-configuration');
    expect(r.status).toBe(404);
    expect(r.body.message).toBe('Tenant not found');
  });

  it('check_session_iframe serves a page', async () => {
    const r = await call(is, '/oidc/checksession');
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toContain('text/html');
  });

  it('test control is 404 when off', async () => {
    for (const p of ['/__test/log', '/__test/scenario', '/__test/reset']) expect((await call(is, p)).status).toBe(404);
    expect((await call(is, '/__test/logout-session', { method: 'POST', json: { username: 'admin' } })).status).toBe(404);
  });
});
