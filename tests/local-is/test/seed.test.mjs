import * as fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import startDefault, { callbackMatches, DEFAULT_LIFETIMES, SCOPE_CLAIMS, startLocalIs } from '../index.mjs';
import seed, { BESTCARE, clients, MYCLINIC, MYCLINIC_PKJWT, MYCLINIC_SKIP, MYCLINIC_SPA, organizations, users } from '../seed/index.mjs';
import { startTestIs } from './helpers.mjs';

const json = (f) => JSON.parse(fs.readFileSync(new URL(`../seed/${f}`, import.meta.url), 'utf8'));

describe('seed', () => {
  it('exports clients.json and users.json, read-only', () => {
    expect(clients).toEqual(json('clients.json'));
    expect(users).toEqual(json('users.json'));
    expect(seed).toEqual({ clients, users });
    expect(Object.isFrozen(clients[0])).toBe(true);
    expect(Object.isFrozen(users['carbon.super'][0].claims)).toBe(true);
  });

  it('names the seeded clients', () => {
    const byName = Object.fromEntries(json('clients.json').map((c) => [c.name, c]));
    for (const c of [MYCLINIC, MYCLINIC_SKIP, MYCLINIC_SPA]) {
      expect(c).toEqual({ name: c.name, client_id: byName[c.name].client_id, client_secret: byName[c.name].client_secret });
      expect(Object.isFrozen(c)).toBe(true);
    }
    expect([MYCLINIC.name, MYCLINIC_SKIP.name, MYCLINIC_SPA.name]).toEqual(['myclinic', 'myclinic-skip', 'myclinic-spa']);
    expect(MYCLINIC_SPA.client_secret).toBeUndefined();
  });

  it('names the private_key_jwt client and the BestCare organization', () => {
    expect(MYCLINIC_PKJWT).toEqual({ name: 'myclinic-pkjwt', client_id: 'myclinicPrivateKeyJwtClient1', client_secret: undefined });
    expect(json('clients.json').find((c) => c.name === 'myclinic-pkjwt')).toMatchObject({ token_endpoint_auth_method: 'private_key_jwt', jwks: null });
    expect(organizations).toEqual(json('organizations.json'));
    expect(BESTCARE).toEqual({ id: 'b2b0a1c4-5e6f-4a7b-8c9d-0e1f2a3b4c5d', handle: 'bestcare', name: 'BestCare' });
    expect(organizations['carbon.super'][0].users.map((u) => u.username)).toEqual(['olivia']);
  });

  it('index.mjs keeps its exports; an instance works on its own copy of the seed', async () => {
    expect(startDefault).toBe(startLocalIs);
    expect(DEFAULT_LIFETIMES).toEqual({ AccessToken: 3600, IdToken: 3600, RefreshToken: 86400, AuthorizationCode: 300 });
    expect(SCOPE_CLAIMS.email).toEqual(['email', 'email_verified']);
    expect(callbackMatches('regexp=(https://a/x|https://a/y)', 'https://a/y')).toBe(true);
    const is = await startTestIs();
    try {
      expect(is.clients).toEqual(clients);
      expect(is.clients).not.toBe(clients);
      expect(is.users).toEqual(users);
      expect(is.state.clients.get(MYCLINIC.client_id)).toEqual(clients[0]);
    } finally {
      await is.close();
    }
  });
});
