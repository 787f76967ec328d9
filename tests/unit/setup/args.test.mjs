import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { normalizeFingerprint, parseCommandLine, REPO_ROOT } from '../../../scripts/setup/args.mjs';

const FP = 'AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89';
const parse = (...argv) => { const r = parseCommandLine(argv); if (r.help) throw new Error('help'); return r.options; };
const usageError = (...argv) => { try { parseCommandLine(argv); } catch (err) { return err; } throw new Error('no error'); };

describe('args', () => {
  it('defaults: local WSO2 IS, super tenant, admin, myclinic on https://localhost:5000, the repository root', () => {
    expect(parse()).toMatchObject({
      asgardeo: false, origin: 'https://localhost:9443', host: 'localhost', port: 9443, tenant: 'carbon.super', tenantPath: '',
      credentials: { kind: 'basic', user: 'admin', passwordEnv: undefined }, name: 'myclinic', appUrl: 'https://localhost:5000',
      dir: REPO_ROOT, envFile: path.join(REPO_ROOT, '.env.local'), yes: false, trustFingerprint: undefined, timeoutMs: 15000,
    });
  });

  it('tenant, admin, password env, name, app url, dir, env file, timeout', () => {
    const o = parse('--server', 'https://is.example.com/', '--tenant', 'wso2.com', '--admin', 'root', '--password-env', 'PW', '--name', 'my app',
      '--app-url', 'https://localhost:5005', '--dir', '/tmp/x', '--env-file', 'custom.env', '--timeout', '2.5', '-y');
    expect(o).toMatchObject({ origin: 'https://is.example.com', port: 443, tenantPath: '/t/wso2.com', credentials: { user: 'root', passwordEnv: 'PW' }, name: 'my app', appUrl: 'https://localhost:5005', dir: '/tmp/x', envFile: '/tmp/x/custom.env', yes: true, timeoutMs: 2500 });
  });

  it('--asgardeo: api.asgardeo.io, /t/<org>, M2M credentials required', () => {
    expect(parse('--asgardeo', 'acme', '--m2m-client-id', 'id1', '--m2m-client-secret-env', 'S')).toMatchObject({
      asgardeo: true, origin: 'https://api.asgardeo.io', tenant: 'acme', tenantPath: '/t/acme', credentials: { kind: 'm2m', clientId: 'id1', secretEnv: 'S' },
    });
    expect(parse('--asgardeo', 'acme', '--m2m-client-id', 'id1', '--server', 'https://localhost:9443').origin).toBe('https://localhost:9443');
    expect(usageError('--asgardeo', 'acme').message).toMatch(/needs --m2m-client-id/);
    expect(usageError('--asgardeo', 'acme', '--tenant', 'x', '--m2m-client-id', 'a').message).toMatch(/not both/);
    expect(usageError('--m2m-client-id', 'a', '--admin', 'x').message).toMatch(/not both/);
  });

  it('refuses bad values with setup_usage', () => {
    for (const argv of [['--server', 'http://localhost:9443'], ['--server', 'https://localhost:9443/t/wso2.com'], ['--server', 'nope'],
      ['--app-url', 'https://localhost:5000/app'], ['--name', 'bad/name'], ['--tenant', '../x'], ['--timeout', '0'], ['--bogus'], ['extra']]) {
      const err = usageError(...argv);
      expect(err.code, argv.join(' ')).toBe('setup_usage');
    }
    expect(usageError('--server', 'https://localhost:9443/t/wso2.com').hint).toMatch(/--tenant/);
  });

  it('--help', () => { expect(parseCommandLine(['--help'])).toEqual({ help: true }); });
});

describe('fingerprints', () => {
  it('accepts openssl output, colon hex and plain hex in any case', () => {
    for (const v of [FP, FP.toLowerCase(), `sha256 Fingerprint=${FP}`, `SHA256 Fingerprint=${FP.toLowerCase()}`, FP.replace(/:/g, ''), ` ${FP.replace(/:/g, '').toLowerCase()} `]) {
      expect(normalizeFingerprint(v)).toBe(FP);
    }
    expect(parse('--trust-fingerprint', FP.replace(/:/g, '').toLowerCase()).trustFingerprint).toBe(FP);
  });

  it('refuses anything else', () => {
    for (const v of ['', 'AB:CD', `${FP}:00`, 'sha1 Fingerprint=AB:CD', FP.replace('A', 'G')]) expect(() => normalizeFingerprint(v)).toThrow(/64 hex digits/);
  });
});
