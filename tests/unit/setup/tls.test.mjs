import * as https from 'node:https';
import * as net from 'node:net';
import selfsigned from 'selfsigned';
import { fetch } from 'undici';
import { afterAll, describe, expect, it } from 'vitest';
import { chainPem, checkCertificate, describeCertificate, fetchServerCertificate, pemFingerprint, trustingDispatcher } from '../../../scripts/setup/tls.mjs';

const servers = [];
/** Tracks a server and its connections, so that afterAll can close them all. @param {net.Server} server */
function track(server) {
  const sockets = new Set();
  server.on('connection', (s) => { sockets.add(s); s.on('close', () => sockets.delete(s)); });
  servers.push({ server, sockets });
  return server;
}
afterAll(async () => {
  await Promise.all(servers.map(({ server, sockets }) => new Promise((ok) => { for (const s of sockets) s.destroy(); server.close(ok); })));
});

/** An HTTPS server with a fresh self-signed certificate (CN/SAN `name`), on an ephemeral port. */
async function serve({ name = 'localhost', notBeforeDate, notAfterDate } = {}) {
  const pems = await selfsigned.generate([{ name: 'commonName', value: name }, { name: 'organizationName', value: 'WSO2' }], {
    keySize: 2048, algorithm: 'sha256', notBeforeDate, notAfterDate,
    extensions: [{ name: 'subjectAltName', altNames: [{ type: 2, value: name }] }],
  });
  const server = track(https.createServer({ key: pems.private, cert: pems.cert }, (req, res) => res.end('hello')));
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  return { port: server.address().port, cert: pems.cert };
}

describe('server certificate', () => {
  it('fetches, describes and pins a self-signed certificate; the dispatcher then trusts it', async () => {
    const { port, cert } = await serve();
    const sc = await fetchServerCertificate('localhost', port, 5000);
    expect(sc.publiclyTrusted).toBe(false);
    expect(sc.chain).toHaveLength(1);
    const d = describeCertificate(sc.chain[0]);
    expect(d).toMatchObject({ subject: 'CN=localhost, O=WSO2', issuer: 'CN=localhost, O=WSO2', selfSigned: true });
    expect(d.fingerprint).toBe(pemFingerprint(cert));
    expect(d.fingerprint).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    expect(() => checkCertificate(sc, 'localhost', port)).not.toThrow();
    const pem = chainPem(sc.chain);
    expect(pemFingerprint(pem)).toBe(d.fingerprint);
    const dispatcher = trustingDispatcher(pem);
    expect(await (await fetch(`https://localhost:${port}/`, { dispatcher })).text()).toBe('hello');
    await dispatcher.close();
    const plain = trustingDispatcher(undefined);
    await expect(fetch(`https://localhost:${port}/`, { dispatcher: plain })).rejects.toThrow();
    await plain.close();
  });

  it('refuses a certificate for another host, an expired one and one not yet valid (setup_cert_invalid)', async () => {
    const other = await serve({ name: 'is.example.com' });
    const sc = await fetchServerCertificate('localhost', other.port, 5000);
    expect(() => checkCertificate(sc, 'localhost', other.port)).toThrow(expect.objectContaining({ code: 'setup_cert_invalid', message: expect.stringMatching(/not for "localhost".*is\.example\.com/) }));
    const day = 24 * 3600 * 1000;
    const expired = await serve({ notBeforeDate: new Date(Date.now() - 10 * day), notAfterDate: new Date(Date.now() - day) });
    const e = await fetchServerCertificate('localhost', expired.port, 5000);
    expect(() => checkCertificate(e, 'localhost', expired.port)).toThrow(expect.objectContaining({ code: 'setup_cert_invalid', message: expect.stringMatching(/expired/) }));
    const future = await serve({ notBeforeDate: new Date(Date.now() + day), notAfterDate: new Date(Date.now() + 10 * day) });
    const f = await fetchServerCertificate('localhost', future.port, 5000);
    expect(() => checkCertificate(f, 'localhost', future.port)).toThrow(expect.objectContaining({ code: 'setup_cert_invalid', message: expect.stringMatching(/valid only from/) }));
  });

  it('unreachable: refused, not TLS, silent (setup_unreachable)', async () => {
    const probe = net.createServer();
    await new Promise((ok) => probe.listen(0, '127.0.0.1', ok));
    const closedPort = probe.address().port;
    await new Promise((ok) => probe.close(ok));
    await expect(fetchServerCertificate('localhost', closedPort, 2000)).rejects.toMatchObject({ code: 'setup_unreachable', message: expect.stringMatching(/nothing listens there \(ECONNREFUSED\)/) });
    const plain = track(net.createServer((s) => s.end('HTTP/1.1 400 Bad Request\r\n\r\n')));
    await new Promise((ok) => plain.listen(0, '127.0.0.1', ok));
    await expect(fetchServerCertificate('localhost', plain.address().port, 2000)).rejects.toMatchObject({ code: 'setup_unreachable' });
    const silent = track(net.createServer(() => {}));
    await new Promise((ok) => silent.listen(0, '127.0.0.1', ok));
    await expect(fetchServerCertificate('localhost', silent.address().port, 300)).rejects.toMatchObject({ code: 'setup_unreachable', message: expect.stringMatching(/no TLS handshake within 0.3 s/) });
  });

  it('pemFingerprint of garbage is undefined', () => {
    expect(pemFingerprint('nope')).toBeUndefined();
  });
});
