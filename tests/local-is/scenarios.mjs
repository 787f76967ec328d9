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

/** @param {string} jwt */
function flipLastChar(jwt) {
  const last = jwt.at(-1);
  return jwt.slice(0, -1) + (last === 'A' ? 'B' : 'A');
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
    description: 'last character of the id_token signature flipped',
    after: { token: (res) => { if (res.body?.id_token) res.body.id_token = flipLastChar(res.body.id_token); } },
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
        const enc = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
        res.body.id_token = `${enc({ alg: 'none' })}.${enc(payload)}.`;
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
