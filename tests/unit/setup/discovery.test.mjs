import { describe, expect, it } from 'vitest';
import { checkIssuer, discoveryUrl, expectedIssuer, explainIssuerMismatch } from '../../../scripts/setup/discovery.mjs';

describe('issuer', () => {
  it('is the token endpoint URL of the tenant', () => {
    expect(expectedIssuer('https://localhost:9443', '')).toBe('https://localhost:9443/oauth2/token');
    expect(discoveryUrl('https://localhost:9443', '/t/wso2.com')).toBe('https://localhost:9443/t/wso2.com/oauth2/token/.well-known/openid-configuration');
  });

  it('explains a port offset', () => {
    const [r] = explainIssuerMismatch('https://localhost:9443/oauth2/token', 'https://localhost:9444/oauth2/token');
    expect(r).toMatch(/port offset of 1 \(\[server\] offset = 1/);
    expect(r).toMatch(/--server https:\/\/localhost:9444/);
  });

  it('explains a proxy (no port, another host) and a path prefix', () => {
    const r = explainIssuerMismatch('https://localhost:9443/t/wso2.com/oauth2/token', 'https://is.example.com/auth/t/wso2.com/oauth2/token');
    expect(r).toHaveLength(3);
    expect(r[0]).toMatch(/Host: the IS calls itself "is.example.com" \(\[server\] hostname/);
    expect(r[1]).toMatch(/proxyPort = 443/);
    expect(r[2]).toMatch(/proxy_context_path/);
    expect(explainIssuerMismatch('https://localhost:9443/oauth2/token', 'nonsense')[0]).toMatch(/not a URL/);
  });

  it('checkIssuer refuses a mismatch with setup_issuer_mismatch and the explanation as hint', () => {
    expect(() => checkIssuer({ issuer: 'https://localhost:9443/oauth2/token' }, 'https://localhost:9443/oauth2/token')).not.toThrow();
    try {
      checkIssuer({ issuer: 'https://localhost:9445/oauth2/token' }, 'https://localhost:9443/oauth2/token');
      throw new Error('no error');
    } catch (err) {
      expect(err.code).toBe('setup_issuer_mismatch');
      expect(err.hint).toMatch(/offset of 2/);
    }
  });
});
