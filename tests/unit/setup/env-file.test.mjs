import { describe, expect, it } from 'vitest';
import { formatValue, isStrongSecret, MANAGED_KEYS, newSessionSecret, parseEnv, renderEnv } from '../../../scripts/setup/env-file.mjs';

const values = {
  AUTH_CLIENT_HOST: 'https://localhost:5000', AUTH_SERVER_ORIGIN: 'https://localhost:9443', AUTH_TENANT_PATH: '', AUTH_CLIENT_ID: 'id',
  AUTH_CLIENT_SECRET: 'se#cret "x"', AUTH_CERTIFICATE_PATH: 'certs/wso2-localhost-9443.crt', AUTH_SESSION_SECRET: 'S'.repeat(10),
  AUTH_LOGIN_CALLBACK_URL: 'https://localhost:5000/login', AUTH_LOGOUT_CALLBACK_URL: '', AUTH_TENANT: '', AUTH_ISSUER: '',
};

describe('env file', () => {
  it('parses dotenv syntax', () => {
    const m = parseEnv('# c\nA=1\nexport B = two \nC="q \\"x\\" # not a comment"\nD=plain # comment\nE=\'s\'\n\nnot a line\nA=last');
    expect(Object.fromEntries(m)).toEqual({ A: 'last', B: 'two', C: 'q "x" # not a comment', D: 'plain', E: 's' });
  });

  it('a new file: header and the managed keys only; values round-trip', () => {
    const { text, changed } = renderEnv(undefined, values, '# header');
    expect(text.startsWith('# header\n')).toBe(true);
    const parsed = parseEnv(text);
    expect([...parsed.keys()]).toEqual([...MANAGED_KEYS]);
    for (const k of MANAGED_KEYS) expect(parsed.get(k)).toBe(values[k]);
    expect(changed).toEqual([...MANAGED_KEYS]);
  });

  it('an existing file: managed keys replaced in place (every occurrence), dependent keys only where present, other lines kept', () => {
    const existing = '# mine\nREDIS_URL=redis://x\nAUTH_CLIENT_ID=old\nAUTH_LOGIN_CALLBACK_URL=https://old/login\nAUTH_CLIENT_ID=older\n';
    const { text, changed } = renderEnv(existing, values, '# header');
    const lines = text.split('\n');
    expect(lines.slice(0, 5)).toEqual(['# mine', 'REDIS_URL=redis://x', 'AUTH_CLIENT_ID=id', 'AUTH_LOGIN_CALLBACK_URL=https://localhost:5000/login', 'AUTH_CLIENT_ID=id']);
    expect(text).not.toContain('AUTH_TENANT=');
    expect(text).not.toContain('# header');
    expect(changed).toContain('AUTH_LOGIN_CALLBACK_URL');
    expect(changed).not.toContain('AUTH_TENANT');
    expect(parseEnv(text).get('AUTH_CLIENT_SECRET')).toBe(values.AUTH_CLIENT_SECRET);
  });

  it('nothing changed → no changed keys', () => {
    const { text } = renderEnv(undefined, values, '# h');
    expect(renderEnv(text, values, '# h').changed).toEqual([]);
  });

  it('quotes values that need it', () => {
    expect(formatValue('abc+/=:.-_@,')).toBe('abc+/=:.-_@,');
    expect(formatValue('a b')).toBe('"a b"');
    expect(parseEnv(`X=${formatValue('a\\b"c\nd')}`).get('X')).toBe('a\\b"c\nd');
  });

  it('session secrets: 32 random bytes; weak ones are not kept', () => {
    const s = newSessionSecret();
    expect(Buffer.from(s, 'base64')).toHaveLength(32);
    expect(isStrongSecret(s)).toBe(true);
    expect(isStrongSecret(`${s},${newSessionSecret()}`)).toBe(true);
    for (const weak of [undefined, '', 'x'.repeat(40), 'abcdefghijklmnopqrstuvwxyzabcdef'.slice(0, 31), `${s},short`]) expect(isStrongSecret(weak)).toBe(false);
  });
});
