// HTTP plumbing of the local IS: responses, request bodies, Authorization headers, endpoint kinds and the
// hand-over of a request to a tenant's oidc-provider.
import * as querystring from 'node:querystring';

/**
 * Sends a complete response (JSON unless `body` is a string or Buffer), `cache-control: no-store` like WSO2.
 * Does nothing once headers are sent or the response is destroyed.
 * @param {import('node:http').ServerResponse} res
 * @param {number} status
 * @param {any} body
 * @param {string} [type]
 * @param {Record<string, string>} [headers]
 */
export function send(res, status, body, type = 'application/json', headers = {}) {
  if (res.headersSent || res.destroyed) return;
  const payload = typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body);
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store', ...headers });
  res.end(payload);
}

/** An HTML page (WSO2's portal pages are server-rendered HTML). @param {import('node:http').ServerResponse} res @param {number} status @param {string} html */
export const sendHtml = (res, status, html) => send(res, status, html, 'text/html; charset=utf-8');

/** A redirect with an empty body (default 302, as WSO2 answers). @param {import('node:http').ServerResponse} res @param {string} location @param {number} [status] */
export const redirect = (res, location, status = 302) => send(res, status, '', 'text/plain', { location });

/** Whether the client is a browser (WSO2 answers browsers with HTML error pages, others with JSON). @param {import('node:http').IncomingMessage} req */
export const acceptsHtml = (req) => String(req.headers.accept || '').includes('text/html');

/** Reads the whole request body (at most 1 MiB; plumbing, not WSO2 behaviour). @param {import('node:http').IncomingMessage} req */
export async function readBody(req) {
  const chunks = [];
  let n = 0;
  for await (const c of req) { n += c.length; if (n > 1024 * 1024) throw new Error('body too large'); chunks.push(c); }
  return Buffer.concat(chunks);
}

/**
 * Reads and parses a form or JSON body. A form body is also handed to oidc-provider as `req.body` (it then
 * warns "already parsed request body detected", see README.md).
 * @param {any} req
 * @returns {Promise<any>} the parsed body, or undefined
 */
export async function readRequestBody(req) {
  const raw = await readBody(req);
  const ctype = String(req.headers['content-type'] || '').split(';')[0].trim().toLowerCase();
  let body;
  if (raw.length && ctype === 'application/x-www-form-urlencoded') body = querystring.parse(raw.toString('utf8'));
  else if (raw.length && ctype === 'application/json') { try { body = JSON.parse(raw.toString('utf8')); } catch { body = undefined; } }
  if (body !== undefined && ctype === 'application/x-www-form-urlencoded') req.body = body;
  return body;
}

/**
 * Authorization header as logged by `GET /__test/log`: Basic (user/pass form-decoded as RFC 6749 2.3.1 asks),
 * Bearer, or anything else.
 * @param {string | undefined} h
 */
export function parseAuthorization(h) {
  if (!h) return undefined;
  const [scheme, value = ''] = h.split(' ');
  if (/^basic$/i.test(scheme)) {
    const dec = Buffer.from(value, 'base64').toString('utf8');
    const i = dec.indexOf(':');
    const unesc = (/** @type {string} */ s) => { try { return decodeURIComponent(s.replace(/\+/g, '%20')); } catch { return s; } };
    return { scheme: 'Basic', user: unesc(dec.slice(0, i)), pass: unesc(dec.slice(i + 1)) };
  }
  if (/^bearer$/i.test(scheme)) return { scheme: 'Bearer', token: value };
  return { scheme, value };
}

/**
 * Endpoint kind of a tenant-relative path, as scenario hooks name them (README.md, "Scenarios"). The consent
 * decision posted to /oauth2/authorize is not an authorization request.
 * @param {string} rest path without the `/t/<tenant>` prefix
 * @param {string | undefined} method
 * @param {any} body
 */
export function kindOf(rest, method, body) {
  if (/^\/oauth2\/[^/]+\/\.well-known\/openid-configuration$/.test(rest) || rest === '/.well-known/openid-configuration') return 'discovery';
  if (rest === '/oauth2/authorize' && !(method === 'POST' && body?.sessionDataKeyConsent)) return 'authorize';
  if (rest === '/oauth2/token') return 'token';
  if (rest === '/oauth2/userinfo') return 'userinfo';
  if (rest === '/oauth2/jwks') return 'jwks';
  if (rest === '/oauth2/revoke') return 'revoke';
  if (rest === '/oauth2/introspect') return 'introspect';
  if (rest.startsWith('/oidc/logout')) return 'logout';
  return undefined;
}

/**
 * Hands the request to the tenant's oidc-provider under a tenant-relative path.
 * @param {any} t tenant
 * @param {any} req
 * @param {import('node:http').ServerResponse} res
 * @param {string} pathAndQuery
 */
export async function dispatchToProvider(t, req, res, pathAndQuery) {
  req.url = pathAndQuery;
  req.originalUrl = `${t.prefix}${pathAndQuery}`;
  await t.callback(req, res);
}
