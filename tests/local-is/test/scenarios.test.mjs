import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createLocalJWKSet, jwtVerify, decodeJwt } from 'jose';
import { Agent, fetch } from 'undici';
import { APP, MYCLINIC, authorizeAndLogin, browser, call, startTestIs } from './helpers.mjs';

let is;
beforeAll(async () => { is = await startTestIs(); });
afterAll(async () => { await is?.close(); });
afterEach(async () => { await call(is, '/__test/reset', { method: 'DELETE' }); });

const scenario = (name, extra = {}) => call(is, '/__test/scenario', { method: 'PUT', json: { name, ...extra } });

async function tokens() {
  const b = browser(is);
  const { res } = await authorizeAndLogin(b, { scope: 'openid' });
  const code = new URL(res.location).searchParams.get('code');
  return call(is, '/oauth2/token', { form: { grant_type: 'authorization_code', code, redirect_uri: `${APP}/login` }, basic: [MYCLINIC.client_id, MYCLINIC.client_secret] });
}

describe('test control', () => {
  it('log records token requests with decoded Basic auth; DELETE clears', async () => {
    await call(is, '/__test/log', { method: 'DELETE' });
    await tokens();
    const log = (await call(is, '/__test/log')).body;
    const t = log.find((e) => e.path === '/oauth2/token');
    expect(t.method).toBe('POST');
    expect(t.authorization).toEqual({ scheme: 'Basic', user: MYCLINIC.client_id, pass: MYCLINIC.client_secret });
    expect(t.body.grant_type).toBe('authorization_code');
    expect(t.tenant).toBe('carbon.super');
    await call(is, '/__test/log', { method: 'DELETE' });
    expect((await call(is, '/__test/log')).body).toEqual([]);
  });

  it('unknown scenario → 400; GET returns the current one', async () => {
    expect((await scenario('nope')).status).toBe(400);
    await scenario('token_500');
    expect((await call(is, '/__test/scenario')).body.name).toBe('token_500');
  });

  it('token_500', async () => {
    await scenario('token_500');
    const r = await call(is, '/oauth2/token', { form: { grant_type: 'authorization_code', code: 'x' } });
    expect(r.status).toBe(500);
    expect(r.headers.get('content-type')).toContain('text/html');
  });

  it('token_hang never answers', async () => {
    await scenario('token_hang');
    const agent = new Agent({ connect: { ca: is.caCert } });
    await expect(fetch(`${is.origin}/oauth2/token`, { method: 'POST', dispatcher: agent, signal: AbortSignal.timeout(300) })).rejects.toThrow();
    await agent.close().catch(() => {});
  });

  it('discovery_500 and discovery_issuer_mismatch', async () => {
    await scenario('discovery_500');
    expect((await call(is, '/oauth2/token/.well-known/openid-configuration')).status).toBe(500);
    await scenario('discovery_issuer_mismatch');
    expect((await call(is, '/oauth2/token/.well-known/openid-configuration')).body.issuer).toBe('https://evil.example/oauth2/token');
  });

  it('id_token scenarios', async () => {
    const jwks = createLocalJWKSet((await call(is, '/oauth2/jwks')).body);
    await scenario('id_token_bad_signature');
    await expect(jwtVerify((await tokens()).body.id_token, jwks)).rejects.toThrow();
    await scenario('id_token_wrong_aud');
    const aud = await jwtVerify((await tokens()).body.id_token, jwks);
    expect(aud.payload.aud).toBe('some-other-client-id');
    await scenario('id_token_wrong_iss');
    expect((await jwtVerify((await tokens()).body.id_token, jwks)).payload.iss).toBe('https://evil.example/oauth2/token');
    await scenario('id_token_wrong_nonce');
    expect(decodeJwt((await tokens()).body.id_token).nonce).toBe('wrong-nonce-from-local-is');
    await scenario('id_token_expired');
    await expect(jwtVerify((await tokens()).body.id_token, jwks)).rejects.toThrow(/exp/);
    await scenario('id_token_alg_none');
    const none = (await tokens()).body.id_token;
    expect(JSON.parse(Buffer.from(none.split('.')[0], 'base64url').toString()).alg).toBe('none');
  });

  it('userinfo_sub_mismatch', async () => {
    const t = (await tokens()).body;
    await scenario('userinfo_sub_mismatch');
    const ui = await call(is, '/oauth2/userinfo', { bearer: t.access_token });
    expect(ui.body.sub).not.toBe(decodeJwt(t.id_token).sub);
  });

  it('state_mismatch and iss_mismatch rewrite the callback', async () => {
    await scenario('state_mismatch');
    let { res, state } = await authorizeAndLogin(browser(is), { scope: 'openid' });
    expect(new URL(res.location).searchParams.get('state')).not.toBe(state);
    await scenario('iss_mismatch');
    ({ res } = await authorizeAndLogin(browser(is), { scope: 'openid' }));
    expect(new URL(res.location).searchParams.get('iss')).toBe('https://evil.example');
  });

  it('lifetimes are adjustable', async () => {
    await call(is, '/__test/lifetimes', { method: 'PUT', json: { AccessToken: 30, IdToken: 40 } });
    const t = (await tokens()).body;
    expect(t.expires_in).toBe(30);
    const p = decodeJwt(t.id_token);
    expect(p.exp - p.iat).toBe(40);
    await call(is, '/__test/lifetimes', { method: 'DELETE' });
    expect((await tokens()).body.expires_in).toBe(3600);
  });

  it('client options change at run time (skip_login_consent)', async () => {
    const r = await call(is, `/__test/client/${MYCLINIC.client_id}`, { method: 'PUT', json: { skip_login_consent: true } });
    expect(r.body.skip_login_consent).toBe(true);
    const { res } = await authorizeAndLogin(browser(is), { username: 'alice', password: 'alice123', consent: 'deny' });
    expect(new URL(res.location).searchParams.get('code')).toBeTruthy();
  });
});
