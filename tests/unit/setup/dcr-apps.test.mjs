import { describe, expect, it } from 'vitest';
import { DASHBOARD_CLAIMS, desiredClaims, desiredOidc, mergedCallback } from '../../../scripts/setup/apps.mjs';
import { appUrls, callbackAdmits, callbackEntryOf, registrationChanges, registrationRequest, urlsOfEntry } from '../../../scripts/setup/dcr.mjs';

const urls = appUrls('https://localhost:5000');
const ENTRY = 'regexp=(https://localhost:5000/login|https://localhost:5000/signin)';

describe('DCR request and answers', () => {
  it('the registration request', () => {
    expect(registrationRequest('myclinic', urls)).toEqual({
      client_name: 'myclinic', redirect_uris: ['https://localhost:5000/login', 'https://localhost:5000/signin'],
      grant_types: ['authorization_code', 'refresh_token'], token_endpoint_auth_method: 'client_secret_basic',
      ext_pkce_mandatory: true, ext_pkce_support_plain: false, ext_public_client: false, backchannel_logout_uri: 'https://localhost:5000/logout/backchannel',
    });
    expect(registrationRequest('x', urls, { grants: ['client_credentials', 'refresh_token'] }).grant_types).toEqual(['client_credentials', 'refresh_token', 'authorization_code']);
  });

  it('callback entries: literal or regexp=, both answer forms', () => {
    expect(callbackAdmits(ENTRY, urls.login)).toBe(true);
    expect(callbackAdmits(ENTRY, urls.signin)).toBe(true);
    expect(callbackAdmits(ENTRY, 'https://localhost:5000/login/x')).toBe(false);
    expect(callbackAdmits(urls.login, urls.login)).toBe(true);
    expect(callbackAdmits('regexp=(', urls.login)).toBe(false);
    expect(callbackEntryOf([ENTRY])).toBe(ENTRY);
    expect(callbackEntryOf([urls.login, urls.signin])).toBe(ENTRY);
    expect(callbackEntryOf([])).toBe('');
    expect(urlsOfEntry(ENTRY)).toEqual([urls.login, urls.signin]);
    expect(urlsOfEntry('regexp=(https://a/cb\\?x=1|https://b/)')).toEqual(['https://a/cb?x=1', 'https://b/']);
    expect(urlsOfEntry('regexp=https://a/.*')).toBeUndefined();
  });

  it('registration changes', () => {
    const good = { redirect_uris: [ENTRY], grant_types: ['authorization_code', 'refresh_token'], ext_pkce_mandatory: true, ext_public_client: false };
    expect(registrationChanges(good, urls)).toEqual([]);
    expect(registrationChanges({ ...good, redirect_uris: [urls.login] }, urls)).toEqual(['callback URLs https://localhost:5000/login and https://localhost:5000/signin']);
    expect(registrationChanges({ redirect_uris: [ENTRY], grant_types: ['authorization_code'], ext_pkce_mandatory: false, ext_public_client: true, token_endpoint_auth_method: 'client_secret_post' }, urls)).toHaveLength(4);
  });
});

describe('Application Management settings', () => {
  it('merged callback entry keeps other plain URLs', () => {
    expect(mergedCallback(ENTRY, [urls.login, urls.signin])).toBe(ENTRY);
    expect(mergedCallback(urls.login, [urls.login, urls.signin])).toBe(ENTRY);
    expect(mergedCallback('https://other/cb', [urls.login, urls.signin])).toBe(`regexp=(https://other/cb|${urls.login}|${urls.signin})`);
    expect(mergedCallback('regexp=https://x/.*', [urls.login])).toBe(urls.login);
  });

  it('desired OIDC inbound', () => {
    const oidc = { clientId: 'c', clientSecret: 's', grantTypes: ['authorization_code', 'refresh_token'], callbackURLs: [ENTRY], publicClient: false, pkce: { mandatory: true, supportPlainTransformAlgorithm: false }, logout: { backChannelLogoutUrl: urls.backchannel, frontChannelLogoutUrl: '' } };
    expect(desiredOidc(oidc, urls).changes).toEqual([]);
    const { changes, body } = desiredOidc({ ...oidc, grantTypes: ['authorization_code'], callbackURLs: [urls.login], pkce: { mandatory: false }, logout: { backChannelLogoutUrl: '' } }, urls);
    expect(changes).toHaveLength(4);
    expect(body).toMatchObject({ callbackURLs: [ENTRY], grantTypes: ['authorization_code', 'refresh_token'], pkce: { mandatory: true }, logout: { backChannelLogoutUrl: urls.backchannel }, clientId: 'c', clientSecret: 's' });
  });

  it('desired claims: the dashboard\'s attributes added, others kept', () => {
    const { added, claimConfiguration } = desiredClaims({ dialect: 'LOCAL', requestedClaims: [{ claim: { uri: 'http://wso2.org/claims/roles', id: 'x', displayName: 'Roles' }, mandatory: true }, { claim: { uri: DASHBOARD_CLAIMS.email } }], subject: { claim: { uri: 'u' } } });
    expect(added).toEqual(['given_name', 'family_name', 'username']);
    expect(claimConfiguration.subject).toEqual({ claim: { uri: 'u' } });
    expect(claimConfiguration.requestedClaims.map((r) => r.claim.uri)).toEqual(['http://wso2.org/claims/roles', DASHBOARD_CLAIMS.email, DASHBOARD_CLAIMS.given_name, DASHBOARD_CLAIMS.family_name, DASHBOARD_CLAIMS.username]);
    expect(claimConfiguration.requestedClaims[0]).toEqual({ claim: { uri: 'http://wso2.org/claims/roles' }, mandatory: true });
    expect(desiredClaims(claimConfiguration).added).toEqual([]);
    expect(desiredClaims(undefined).claimConfiguration.dialect).toBe('LOCAL');
  });
});
