// private_key_jwt client authentication (client-auth.mjs): keys set at run time, WSO2's checks and texts.
import * as crypto from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { wso2ClientMetadata } from '../client-auth.mjs';
import { APP, MYCLINIC_PKJWT, authorizeAndLogin, browser, call, startTestIs } from './helpers.mjs';

let is;
let rsa;
let ec;
beforeAll(async () => {
  is = await startTestIs();
  rsa = await generateKeyPair('RS256');
  ec = await generateKeyPair('ES256');
});
afterAll(async () => { await is?.close(); });
afterEach(async () => { await call(is, '/__test/reset', { method: 'DELETE' }); });

const ID = MYCLINIC_PKJWT.client_id;
const TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
const now = () => Math.floor(Date.now() / 1000);

/** Registers public keys for the client, as the app's e2e does through test control. */
async function setKeys(...pairs) {
  const keys = await Promise.all(pairs.map(async ([p, alg]) => ({ ...(await exportJWK(p.publicKey)), alg, use: 'sig', kid: crypto.randomUUID() })));
  const r = await call(is, `/__test/client/${ID}`, { method: 'PUT', json: { jwks: { keys } } });
  expect(r.status).toBe(200);
  return keys;
}

/** A client assertion like oauth4webapi's (iss = sub = client_id, aud = issuer, exp = now + 60, iat, nbf, jti). */
function assertion({ key = rsa.privateKey, alg = 'RS256', claims = {}, omit = [] } = {}) {
  const t = now();
  const payload = { iss: ID, sub: ID, aud: is.issuer, exp: t + 60, iat: t, nbf: t, jti: crypto.randomUUID(), ...claims };
  for (const k of omit) delete payload[k];
  return new SignJWT(payload).setProtectedHeader({ alg }).sign(key);
}

async function code() {
  const { res } = await authorizeAndLogin(browser(is), { clientId: ID, scope: 'openid' });
  return new URL(res.location).searchParams.get('code');
}

const tokenWith = async (clientAssertion, extra = {}) => call(is, '/oauth2/token', {
  form: { grant_type: 'authorization_code', code: await code(), redirect_uri: `${APP}/login`, client_assertion_type: TYPE, client_assertion: clientAssertion, ...extra },
});

describe('private_key_jwt', () => {
  it('discovery lists private_key_jwt and WSO2\'s signing algorithms', async () => {
    const d = (await call(is, '/oauth2/token/.well-known/openid-configuration')).body;
    expect(d.token_endpoint_auth_methods_supported).toContain('private_key_jwt');
    expect(d.token_endpoint_auth_signing_alg_values_supported).toEqual(['PS256', 'ES256', 'ES384', 'RS384', 'RS256']);
    expect(d.revocation_endpoint_auth_methods_supported).toEqual(['client_secret_basic', 'client_secret_post']);
  });

  it('a key set at run time authenticates token, refresh, revocation and PAR; a reused jti is refused', async () => {
    await setKeys([rsa, 'RS256']);
    const a = await assertion();
    const tr = await tokenWith(a);
    expect(tr.status).toBe(200);
    expect(tr.body.id_token).toBeTruthy();
    const jti = JSON.parse(Buffer.from(a.split('.')[1], 'base64url')).jti;
    const replay = await call(is, '/oauth2/token', { form: { grant_type: 'refresh_token', refresh_token: tr.body.refresh_token, client_assertion_type: TYPE, client_assertion: a } });
    expect([replay.status, replay.body]).toEqual([400, { error_description: `JWT Token with jti: ${jti} has been replayed`, error: 'invalid_request' }]);
    const rt = await call(is, '/oauth2/token', { form: { grant_type: 'refresh_token', refresh_token: tr.body.refresh_token, client_assertion_type: TYPE, client_assertion: await assertion() } });
    expect(rt.status).toBe(200);
    const rv = await call(is, '/oauth2/revoke', { form: { token: rt.body.access_token, client_assertion_type: TYPE, client_assertion: await assertion() } });
    expect([rv.status, rv.text]).toEqual([200, '']);
    const par = await call(is, '/oauth2/par', {
      method: 'POST',
      form: { client_id: ID, response_type: 'code', redirect_uri: `${APP}/login`, scope: 'openid', client_assertion_type: TYPE, client_assertion: await assertion({ claims: { aud: `${is.origin}/oauth2/par` } }) },
    });
    expect(par.status).toBe(201);
  });

  it('EC keys work; the seed may carry jwks too (same metadata path)', async () => {
    await setKeys([ec, 'ES256']);
    expect((await tokenWith(await assertion({ key: ec.privateKey, alg: 'ES256' }))).status).toBe(200);
    const jwks = { keys: [{ kty: 'EC', crv: 'P-256', x: 'x', y: 'y' }] };
    expect(wso2ClientMetadata({ token_endpoint_auth_method: 'private_key_jwt', jwks })).toEqual({ jwks });
    expect(wso2ClientMetadata({ token_endpoint_auth_method: 'private_key_jwt', jwks: null })).toEqual({ jwks: { keys: [] } });
  });

  it('assertion failures get WSO2 texts', async () => {
    await setKeys([rsa, 'RS256']);
    const other = await generateKeyPair('RS256');
    const cases = [
      [{ key: other.privateKey }, 401, 'invalid_client', 'Client credentials are invalid.'],
      [{ claims: { aud: 'https://evil.example/token' } }, 401, 'invalid_client', 'Failed to match audience values.'],
      [{ claims: { exp: now() - 5, iat: now() - 65, nbf: now() - 65 } }, 400, 'invalid_request', /^JWT Token is expired\. Expired Time: \w{3} \w{3} \d{2} \d{2}:\d{2}:\d{2} UTC \d{4}$/],
      [{ claims: { exp: now() - 120, iat: now() - 180, nbf: now() - 180 } }, 400, 'invalid_request', /^JWT Token is expired\. Expired Time: /],
      [{ claims: { nbf: now() + 10 } }, 400, 'invalid_request', 'The token is used before the nbf claim value.'],
      [{ claims: { iat: now() - 301 * 60 } }, 400, 'invalid_request', 'The jwt is too old to use.'],
      [{ omit: ['jti'] }, 400, 'invalid_request', 'Mandatory field :jti is missing in the JWT assertion.'],
      [{ omit: ['exp'] }, 400, 'invalid_request', 'Mandatory field :exp is missing in the JWT assertion.'],
      [{ claims: { iss: 'someone-else' } }, 400, 'invalid_request', "Invalid issuer 'someone-else' is found in the JWT. "],
      [{ key: new TextEncoder().encode('x'.repeat(32)), alg: 'HS256' }, 400, 'invalid_request', 'Signature Algorithm not supported : HS256'],
    ];
    for (const [opts, status, error, text] of cases) {
      const r = await tokenWith(await assertion(opts));
      expect([r.status, r.body.error], JSON.stringify(opts.claims || opts.omit || opts.alg)).toEqual([status, error]);
      if (typeof text === 'string') expect(r.body.error_description).toBe(text); else expect(r.body.error_description).toMatch(text);
    }
    const garbled = await tokenWith('not-a-jwt');
    expect([garbled.status, garbled.body]).toEqual([400, { error_description: 'Error while parsing the JWT.', error: 'invalid_request' }]);
  });

  it('a registered signing algorithm, a client secret and two methods at once are refused as WSO2 does', async () => {
    await setKeys([rsa, 'RS256']);
    await call(is, `/__test/client/${ID}`, { method: 'PUT', json: { token_endpoint_auth_signing_alg: 'PS256' } });
    let r = await tokenWith(await assertion());
    expect([r.status, r.body]).toEqual([401, { error_description: 'Signature algorithm used in the request is invalid.', error: 'invalid_client' }]);
    r = await call(is, '/oauth2/token', { form: { grant_type: 'authorization_code', code: await code(), redirect_uri: `${APP}/login` }, basic: [ID, 'secret'] });
    expect([r.status, r.body]).toEqual([401, { error_description: 'Unsupported Client Authentication Method!', error: 'invalid_client' }]);
    r = await call(is, '/oauth2/token', { form: { grant_type: 'authorization_code', code: 'x', redirect_uri: `${APP}/login`, client_assertion_type: TYPE, client_assertion: await assertion() }, basic: [ID, 'secret'] });
    expect([r.status, r.body]).toEqual([400, { error_description: 'The client MUST NOT use more than one authentication method in each', error: 'invalid_request' }]);
  });

  it('token_endpoint_allow_reuse_pvt_key_jwt lets a jti be used again', async () => {
    await setKeys([rsa, 'RS256']);
    await call(is, `/__test/client/${ID}`, { method: 'PUT', json: { token_endpoint_allow_reuse_pvt_key_jwt: true } });
    const a = await assertion();
    expect((await tokenWith(a)).status).toBe(200);
    expect((await tokenWith(a)).status).toBe(200);
  });
});
