import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { exitCodeFor, formatError, SetupError } from '../../../scripts/setup/errors.mjs';
import { commitFiles, readIfExists } from '../../../scripts/setup/files.mjs';
import { basicAuth, clientBasicAuth, createHttp, describeResponse } from '../../../scripts/setup/http.mjs';
import { createReporter } from '../../../scripts/setup/progress.mjs';
import { createPrompter } from '../../../scripts/setup/prompts.mjs';
import { Agent } from 'undici';

const sink = () => { const s = new PassThrough(); let text = ''; s.on('data', (d) => { text += d; }); return { s, text: () => text }; };

describe('prompts without a terminal', () => {
  it('reads one line per question; confirm is yes only for y/yes; hidden answers are not echoed', async () => {
    const input = new PassThrough();
    const out = sink();
    const p = createPrompter({ input, output: out.s });
    input.end('y\nno\ns3cret\n');
    expect(await p.confirm('Trust?')).toBe(true);
    expect(await p.confirm('Replace?')).toBe(false);
    expect(await p.ask('Password: ', { hidden: true })).toBe('s3cret');
    await expect(p.ask('More? ')).rejects.toMatchObject({ code: 'setup_needs_input' });
    p.close();
    expect(out.text()).toContain('Trust? [y/N] y\n');
    expect(out.text()).not.toContain('s3cret');
  });
});

const tmpDirs = [];
afterAll(() => { for (const d of tmpDirs) fs.rmSync(d, { recursive: true, force: true }); });
const tmpDir = () => { const d = fs.mkdtempSync(path.join(os.tmpdir(), 'setup-files-')); tmpDirs.push(d); return d; };

describe('files', () => {
  it('writes atomically, with the mode, skips unchanged files, leaves no temp files', async () => {
    const dir = tmpDir();
    const env = path.join(dir, '.env.local');
    const cert = path.join(dir, 'certs', 'x.crt');
    expect(await commitFiles([{ path: env, content: 'A=1\n', mode: 0o600 }, { path: cert, content: 'PEM\n', mode: 0o644 }])).toEqual([env, cert]);
    expect(fs.statSync(env).mode & 0o777).toBe(0o600);
    expect(await readIfExists(cert)).toBe('PEM\n');
    expect(await commitFiles([{ path: env, content: 'A=1\n', mode: 0o600 }, { path: cert, content: 'PEM2\n', mode: 0o644 }])).toEqual([cert]);
    expect(fs.readdirSync(dir).sort()).toEqual(['.env.local', 'certs']);
    expect(fs.readdirSync(path.join(dir, 'certs'))).toEqual(['x.crt']);
    expect(await readIfExists(path.join(dir, 'none'))).toBeUndefined();
  });

  it('when one file cannot be written, none is changed (setup_write_failed)', async () => {
    const dir = tmpDir();
    fs.writeFileSync(path.join(dir, 'certs'), 'a file where a folder should be');
    const env = path.join(dir, '.env.local');
    await expect(commitFiles([{ path: env, content: 'A=1\n', mode: 0o600 }, { path: path.join(dir, 'certs', 'x.crt'), content: 'PEM', mode: 0o644 }])).rejects.toMatchObject({ code: 'setup_write_failed' });
    expect(fs.readdirSync(dir)).toEqual(['certs']);
  });
});

describe('errors and output', () => {
  it('formats a coded error with its hint; exit codes', () => {
    const err = new SetupError('setup_auth_failed', 'The IS refused the password.', { hint: 'line 1\nline 2' });
    expect(formatError(err)).toEqual(['✖ setup_auth_failed: The IS refused the password.', '  line 1', '  line 2', '  No file was written.']);
    expect(exitCodeFor(err)).toBe(1);
    expect(exitCodeFor(new SetupError('setup_usage', 'x'))).toBe(2);
    expect(formatError(new Error('boom'))[0]).toBe('✖ setup_internal: boom');
  });

  it('reporter numbers steps and counts changes', () => {
    const out = sink();
    const ui = createReporter(out.s, 2);
    ui.step('One');
    ui.ok('fine');
    ui.field('subject', 'CN=x');
    ui.changed('this');
    expect(out.text()).toBe('\n[1/2] One\n      ✓ fine\n      subject      CN=x\n      ~ this\n');
    expect(ui.changes()).toBe(1);
  });

  it('http: Basic credentials as WSO2 reads them, client credentials form-encoded; descriptions; network errors coded', async () => {
    expect(basicAuth('admin', 'a:b')).toBe(`Basic ${Buffer.from('admin:a:b').toString('base64')}`);
    expect(clientBasicAuth('id', 'p@ss word')).toBe(`Basic ${Buffer.from('id:p%40ss+word').toString('base64')}`);
    expect(describeResponse({ status: 401, text: '', json: undefined })).toBe('HTTP 401 with an empty body');
    expect(describeResponse({ status: 400, text: '{}', json: { error: 'invalid_grant', error_description: 'Bad' } })).toBe('HTTP 400: invalid_grant — Bad');
    expect(describeResponse({ status: 403, text: '', json: { code: 403, message: 'Forbidden' } })).toBe('HTTP 403: Forbidden');
    const dispatcher = new Agent();
    const http = createHttp({ dispatcher, timeoutMs: 2000 });
    await expect(http.request('GET', 'https://localhost:1/')).rejects.toMatchObject({ code: 'setup_unreachable' });
    await dispatcher.close();
  });
});
