// Failure scenarios for the local IS. Add a scenario by adding an entry to `scenarios` below.
//
// A scenario may define:
//   before[kind](info, opts) -> undefined | 'hang' | 'close' | { status, type?, headers?, body?, delayMs? } | { delayMs }
//       called before the request is handled. kind is one of:
//       discovery, authorize, token, userinfo, jwks, revoke, introspect, logout
//   after[kind](res, helpers, opts) -> void   (mutate the response)
//       discovery/userinfo/jwks/token: res.body is the JSON object that will be sent
//       authorize: res.location is a URL object (the redirect back to the client, with code or error)
// helpers: { decodeJwt(jwt) -> { header, payload }, sign(payload, header?) -> jwt (real signing key),
//            issuer, now() }
// opts: the JSON given to PUT /__test/scenario (besides "name").

import * as crypto from 'node:crypto';

/**
 * Corrupts a JWT signature. Not the last character: for a 2048-bit RSA signature (342 base64url
 * characters) the last one carries only 2 bits, and changing its padding bits leaves the decoded
 * signature intact. A character in the middle always changes 6 signature bits.
 * @param {string} jwt
 */
function corruptSignature(jwt) {
  const dot = jwt.lastIndexOf('.');
  const at = dot + 1 + Math.floor((jwt.length - dot - 1) / 2);
  return jwt.slice(0, at) + (jwt[at] === 'A' ? 'B' : 'A') + jwt.slice(at + 1);
}

/**
 * Rewrites the id_token of a token response with `mutate(payload, header)` and re-signs it.
 * @param {(p: any, h: any) => void} mutate
 */
function resignIdToken(mutate) {
  return (res, h) => {
    if (!res.body?.id_token) return;
    const { header, payload } = h.decodeJwt(res.body.id_token);
    mutate(payload, header);
    res.body.id_token = h.sign(payload, header);
  };
}

const b64 = (o) => Buffer.from(typeof o === 'string' ? o : JSON.stringify(o)).toString('base64url');

/** Extra keys for signing scenarios, made on first use (never published unless a scenario says so). */
const extraKeys = {};
function key(name) {
  if (!extraKeys[name]) {
    extraKeys[name] = name.startsWith('ec')
      ? crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' })
      : crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  }
  return extraKeys[name];
}
function publicJwk(name, kid, extra = {}) {
  return { ...key(name).publicKey.export({ format: 'jwk' }), kid, alg: name.startsWith('ec') ? 'ES256' : 'RS256', use: 'sig', ...extra };
}
/** Signs `payload` with one of the extra keys (RS256/ES256) or HS256 with a shared secret. */
function signWith(payload, header, how) {
  const input = `${b64(header)}.${b64(payload)}`;
  let sig;
  if (header.alg === 'HS256') sig = crypto.createHmac('sha256', how.secret).update(input).digest();
  else if (header.alg === 'ES256') sig = crypto.sign('sha256', Buffer.from(input), { key: key(how.key).privateKey, dsaEncoding: 'ieee-p1363' });
  else sig = crypto.sign('sha256', Buffer.from(input), key(how.key).privateKey);
  return `${input}.${sig.toString('base64url')}`;
}

/** Applies `set` (values; null deletes) and `unset` (names) to an object. */
function patch(target, o) {
  for (const [k, v] of Object.entries(o.set || {})) {
    if (v === null) delete target[k];
    else target[k] = v;
  }
  for (const k of o.unset || []) delete target[k];
}

/** Resolves relative times in a claims patch: {"$now": -600} means now - 600 s. */
function withTimes(o, now) {
  const set = {};
  for (const [k, v] of Object.entries(o.set || {})) {
    set[k] = v && typeof v === 'object' && !Array.isArray(v) && '$now' in v ? now + v.$now : v;
  }
  return { ...o, set };
}

const html500 = () => ({
  status: 500,
  type: 'text/html; charset=utf-8',
  body: '<!DOCTYPE html><html><head><title>Error 500</title></head><body><h1>HTTP Status 500 – Internal Server Error</h1></body></html>',
});

/** @type {Record<string, { description: string, before?: Record<string, Function>, after?: Record<string, Function> }>} */
export const scenarios = {
  normal: { description: 'behave like WSO2 IS' },
  token_500: { description: 'token endpoint answers 500 with an HTML body', before: { token: html500 } },
  token_hang: { description: 'token endpoint never answers', before: { token: () => 'hang' } },
  discovery_500: { description: 'discovery answers 500 with an HTML body', before: { discovery: html500 } },
  discovery_issuer_mismatch: {
    description: 'discovery issuer differs from the real issuer',
    after: { discovery: (res, h, o) => { res.body.issuer = o.issuer || 'https://evil.example/oauth2/token'; } },
  },
  userinfo_sub_mismatch: {
    description: 'userinfo returns a different sub',
    after: { userinfo: (res, h, o) => { if (res.body && typeof res.body === 'object') res.body.sub = o.sub || '00000000-0000-4000-8000-000000000000'; } },
  },
  id_token_bad_signature: {
    description: 'one character in the middle of the id_token signature changed',
    after: { token: (res) => { if (res.body?.id_token) res.body.id_token = corruptSignature(res.body.id_token); } },
  },
  id_token_wrong_nonce: {
    description: 'id_token nonce replaced',
    after: { token: resignIdToken((p) => { p.nonce = 'wrong-nonce-from-local-is'; }) },
  },
  id_token_wrong_aud: {
    description: 'id_token aud is another client',
    after: { token: resignIdToken((p) => { p.aud = 'some-other-client-id'; }) },
  },
  id_token_wrong_iss: {
    description: 'id_token iss is not the discovery issuer',
    after: { token: resignIdToken((p) => { p.iss = 'https://evil.example/oauth2/token'; }) },
  },
  id_token_expired: {
    description: 'id_token exp/iat in the past (re-signed with the real key)',
    after: {
      token: resignIdToken((p) => {
        const now = Math.floor(Date.now() / 1000);
        p.iat = now - 7200; p.nbf = now - 7200; p.exp = now - 3600;
      }),
    },
  },
  id_token_alg_none: {
    description: 'id_token with alg none and no signature',
    after: {
      token: (res, h) => {
        if (!res.body?.id_token) return;
        const { payload } = h.decodeJwt(res.body.id_token);
        res.body.id_token = `${b64({ alg: 'none' })}.${b64(payload)}.`;
      },
    },
  },
  state_mismatch: {
    description: 'authorize redirect carries a different state',
    after: { authorize: (res) => { res.location.searchParams.set('state', `${res.location.searchParams.get('state') || ''}tampered`); } },
  },
  iss_mismatch: {
    description: 'authorize redirect carries iss=https://evil.example',
    after: { authorize: (res, h, o) => { res.location.searchParams.set('iss', o.iss || 'https://evil.example'); } },
  },

  // ---- generic scenarios, driven by options (used by the RP conformance suite in tests/e2e) ----
  respond: {
    description: 'answer {endpoint} with {status, type, body, headers} instead of handling it; {padTo: n} sends a JSON body of n bytes',
    before: Object.fromEntries(['discovery', 'authorize', 'token', 'userinfo', 'jwks', 'revoke', 'logout'].map((kind) => [
      kind, (info, o) => (o.endpoint === kind ? {
        status: o.status ?? 200,
        type: o.type || 'application/json',
        body: o.padTo ? JSON.stringify({ filler: 'a'.repeat(o.padTo) }) : (o.body ?? ''),
        headers: o.headers || {},
        delayMs: o.delayMs,
      } : undefined),
    ])),
  },
  hang: {
    description: 'never answer {endpoint}',
    before: Object.fromEntries(['discovery', 'token', 'userinfo', 'jwks', 'revoke'].map((kind) => [kind, (info, o) => (o.endpoint === kind ? 'hang' : undefined)])),
  },
  close: {
    description: 'close the connection of {endpoint} without an answer',
    before: Object.fromEntries(['discovery', 'token', 'userinfo', 'jwks', 'revoke'].map((kind) => [kind, (info, o) => (o.endpoint === kind ? 'close' : undefined)])),
  },
  json_patch: {
    description: 'set/unset top-level members of the JSON answer of {endpoint}; {replace} swaps the whole body',
    after: Object.fromEntries(['discovery', 'token', 'userinfo', 'jwks'].map((kind) => [kind, (res, h, o) => {
      if (o.endpoint !== kind) return;
      if ('replace' in o) { res.body = o.replace; return; }
      if (res.body && typeof res.body === 'object') patch(res.body, o);
    }])),
  },
  id_token_patch: {
    description: 'change id_token claims ({set}, {unset}; {"$now": n} = now+n) and header ({header}) and re-sign with the real key',
    after: {
      token: (res, h, o) => {
        if (!res.body?.id_token) return;
        const { header, payload } = h.decodeJwt(res.body.id_token);
        patch(payload, withTimes(o, h.now()));
        Object.assign(header, o.header || {});
        res.body.id_token = h.sign(payload, header);
      },
    },
  },
  id_token_foreign_signature: {
    description: 'id_token signed with {alg} RS256 (an unpublished key), ES256, or HS256 (client secret {secret}); {kid} keeps or replaces the kid',
    after: {
      token: (res, h, o) => {
        if (!res.body?.id_token) return;
        const { header, payload } = h.decodeJwt(res.body.id_token);
        const alg = o.alg || 'RS256';
        const next = { alg, ...(o.kid === null ? {} : { kid: o.kid || header.kid }) };
        // An attacker embedding its own key (jwk) or pointing at it (jku): a relying party must never trust either.
        if (o.embedJwk) Object.assign(next, { jwk: publicJwk(alg === 'ES256' ? 'ec1' : 'rsa-foreign', undefined), jku: 'https://evil.example/jwks' });
        res.body.id_token = signWith(payload, next, { key: alg === 'ES256' ? 'ec1' : 'rsa-foreign', secret: o.secret });
      },
    },
  },
  rotate_signing_key: {
    description: 'sign id_tokens with a new RSA key and publish only that key (OIDC Core 10.1.1 rotation)',
    after: {
      token: (res, h) => {
        if (!res.body?.id_token) return;
        const { payload } = h.decodeJwt(res.body.id_token);
        res.body.id_token = signWith(payload, { alg: 'RS256', kid: 'cm90YXRlZC1rZXktMg_RS256' }, { key: 'rsa-rotated' });
      },
      jwks: (res) => { res.body = { keys: [publicJwk('rsa-rotated', 'cm90YXRlZC1rZXktMg_RS256')] }; },
    },
  },
  jwks_patch: {
    description: 'JWKS variants: {kidless: true} drops kid from token and JWKS; {extra: "garbage"|"second"} adds a key; {use: "enc"} marks the key for encryption',
    after: {
      token: (res, h, o) => {
        if (!o.kidless || !res.body?.id_token) return;
        const { header, payload } = h.decodeJwt(res.body.id_token);
        res.body.id_token = h.sign(payload, { ...header, kid: null });
      },
      jwks: (res, h, o) => {
        const keys = res.body.keys.map((k) => ({ ...k }));
        if (o.kidless) for (const k of keys) delete k.kid;
        if (o.use) for (const k of keys) k.use = o.use;
        if (o.extra === 'garbage') keys.push({ kty: 'RSA', n: '!!', e: 'AQAB', kid: 'garbage' });
        if (o.extra === 'second') keys.push(publicJwk('rsa-second', o.kidless ? undefined : 'c2Vjb25k_RS256'));
        res.body = { keys };
      },
    },
  },
  authorize_patch: {
    description: 'set/unset parameters of the authorization response redirect ({set}, {unset}, {append})',
    after: {
      authorize: (res, h, o) => {
        const p = res.location.searchParams;
        for (const [k, v] of Object.entries(o.set || {})) p.set(k, v);
        for (const k of o.unset || []) p.delete(k);
        for (const [k, v] of o.append || []) p.append(k, v);
      },
    },
  },
};

/**
 * @param {{ name: string, [k: string]: any }} current
 * @param {string} kind
 * @param {any} info
 */
export function runBefore(current, kind, info) {
  const s = scenarios[current.name];
  const fn = s?.before?.[kind];
  return fn ? fn(info, current) : undefined;
}

/**
 * @param {{ name: string, [k: string]: any }} current
 * @param {string} kind
 * @param {any} res
 * @param {any} helpers
 */
export function runAfter(current, kind, res, helpers) {
  const s = scenarios[current.name];
  const fn = s?.after?.[kind];
  if (fn) fn(res, helpers, current);
}
