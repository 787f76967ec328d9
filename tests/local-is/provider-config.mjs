// oidc-provider configuration of one tenant, shaped so that the provider looks like WSO2 IS 7: WSO2 paths,
// cookie names, clients, interaction URLs of the authentication portal, WSO2 error pages, consent rules and
// lifetimes (README.md, "What it mimics").
import * as crypto from 'node:crypto';
import { fetch as undiciFetch } from 'undici';

import { releasableClaims } from './claim-uris.mjs';
import { MANAGEMENT_SCOPES } from './mgmt-auth.mjs';
import * as pages from './pages.mjs';
import { assertWso2ClientAssertion, PKJWT_VERIFY_ALGS, wso2ClientMetadata } from './client-auth.mjs';
import { loginPageParams, wso2InteractionPolicy } from './login-options.mjs';
import { isOrganizationLogin, organizationLoginStart } from './organizations.mjs';
import { clientOpts, consentForgotten, rememberedConsent } from './state.mjs';
import { accountOf } from './users.mjs';
import { callbackUrls, DEFAULT_LIFETIMES, SCOPE_CLAIMS, SUPER } from './wso2.mjs';

/** WSO2 IS endpoint paths (tenant-relative). */
const ROUTES = Object.freeze({
  authorization: '/oauth2/authorize',
  token: '/oauth2/token',
  userinfo: '/oauth2/userinfo',
  jwks: '/oauth2/jwks',
  revocation: '/oauth2/revoke',
  introspection: '/oauth2/introspect',
  end_session: '/oidc/logout',
  pushed_authorization_request: '/oauth2/par',
});

/**
 * oidc-provider client metadata of a seed client. Redirect and post-logout URIs are only for oidc-provider's
 * validation: matching uses the WSO2 callback rule (provider.mjs). private_key_jwt keys and PAR: client-auth.mjs.
 * @param {any} c seed client
 */
export function clientMetadata(c) {
  const code = c.grant_types.includes('authorization_code');
  const urls = code ? callbackUrls(c.callback_url) : [];
  return {
    client_id: c.client_id,
    ...(c.public_client ? {} : { client_secret: c.client_secret }),
    client_name: c.name,
    redirect_uris: urls,
    post_logout_redirect_uris: urls,
    grant_types: c.grant_types,
    response_types: code ? ['code'] : [],
    token_endpoint_auth_method: c.public_client ? 'none' : (c.token_endpoint_auth_method || 'client_secret_basic'),
    backchannel_logout_uri: c.backchannel_logout_uri || 'https://localhost:5000/logout/backchannel',
    backchannel_logout_session_required: c.backchannel_logout_session_required !== false,
    id_token_signed_response_alg: 'RS256',
    ...wso2ClientMetadata(c),
  };
}

/**
 * WSO2 cookie names: the IS session is `commonAuthId` (`commonAuthId_<tenant>` in a tenant).
 * @param {string[]} keys @param {string} suffix
 */
function cookiesConfig(keys, suffix) {
  return {
    keys,
    names: { session: `commonAuthId${suffix}`, interaction: `_interaction${suffix}`, resume: `_interaction_resume${suffix}` },
    long: { httpOnly: true, sameSite: 'none', secure: true },
    short: { httpOnly: true, sameSite: 'lax', secure: true, path: '/' },
  };
}

/**
 * WSO2's logout confirmation ("Are you sure that you want to logout?") around oidc-provider's form; a
 * `skip_logout_consent` client skips it through `/oidc/logout/auto` (README.md, "What it mimics": Logout).
 * @param {import('./state.mjs').LocalIsRuntime} is @param {string} tenant @param {string} prefix
 */
function logoutSource(is, tenant, prefix) {
  return async (/** @type {any} */ ctx, /** @type {string} */ form) => {
    const client = ctx.oidc.client;
    const copts = client ? clientOpts(is.state, client.clientId) : undefined;
    if (copts?.skip_logout_consent) {
      const k = crypto.randomUUID();
      is.state.logoutKeys.set(k, { kind: 'auto', tenant, xsrf: ctx.oidc.session.state.secret });
      ctx.status = 303;
      ctx.redirect(`${prefix}/oidc/logout/auto?k=${k}`);
      return;
    }
    const denyKey = crypto.randomUUID();
    is.state.logoutKeys.set(denyKey, {
      kind: 'deny', tenant,
      uri: ctx.oidc.params.post_logout_redirect_uri,
      state: ctx.oidc.params.state,
    });
    ctx.type = 'html';
    ctx.body = pages.logoutConfirmPage({ providerForm: form, denyAction: `${prefix}/oidc/logout`, denyKey });
  };
}

/** @param {import('./state.mjs').LocalIsRuntime} is @param {string} tenant @param {string} prefix */
function features(is, tenant, prefix) {
  return {
    devInteractions: { enabled: false },
    dPoP: { enabled: false },
    backchannelLogout: { enabled: true },
    clientCredentials: { enabled: true },
    revocation: { enabled: true, allowedPolicy: async () => true },
    introspection: { enabled: true, allowedPolicy: async () => true },
    userinfo: { enabled: true },
    resourceIndicators: { enabled: false },
    pushedAuthorizationRequests: { enabled: true },
    rpInitiatedLogout: {
      enabled: true,
      logoutSource: logoutSource(is, tenant, prefix),
      async postLogoutSuccessSource(/** @type {any} */ ctx) {
        ctx.type = 'html';
        ctx.body = pages.loggedOutPage();
      },
    },
  };
}

/**
 * WSO2 login page URL: `/authenticationendpoint/login.do?sessionDataKey=..&client_id=..&tenantDomain=..&sp=..`.
 * @param {string} tenant @param {string} prefix @param {any} client @param {any} interaction
 */
function loginUrl(tenant, prefix, client, interaction) {
  const p = interaction.params;
  const q = new URLSearchParams({
    client_id: String(p.client_id || ''),
    commonAuthCallerPath: `${prefix}/oauth2/authorize`,
    forceAuth: 'false',
    passiveAuth: 'false',
    redirect_uri: String(p.redirect_uri || ''),
    response_type: String(p.response_type || ''),
    scope: String(p.scope || ''),
    ...(p.state ? { state: String(p.state) } : {}),
    tenantDomain: tenant,
    sessionDataKey: interaction.uid,
    relyingParty: String(p.client_id || ''),
    type: 'oidc',
    sp: client?.clientName || String(p.client_id),
    isSaaSApp: 'false',
    authenticators: 'BasicAuthenticator:LOCAL',
  });
  for (const [k, v] of loginPageParams(p)) q.append(k, v);
  return `${prefix}/authenticationendpoint/login.do?${q}`;
}

/**
 * WSO2 consent page URL: `/authenticationendpoint/oauth2_consent.do?sessionDataKeyConsent=..`.
 * @param {string} tenant @param {string} prefix @param {any} client @param {any} interaction
 */
function consentUrl(tenant, prefix, client, interaction) {
  const p = interaction.params;
  const q = new URLSearchParams({
    sessionDataKeyConsent: interaction.uid,
    spId: String(p.client_id || ''),
    application: client?.clientName || String(p.client_id),
    tenantDomain: tenant,
  });
  return `${prefix}/authenticationendpoint/oauth2_consent.do?${q}`;
}

/**
 * The existing grant, else one made from the remembered consent or for a `skip_login_consent` client, so that
 * oidc-provider asks for consent only when WSO2 would.
 * @param {import('./state.mjs').LocalIsRuntime} is @param {string} tenant
 */
function loadExistingGrant(is, tenant) {
  return async (/** @type {any} */ ctx) => {
    const { provider } = ctx.oidc;
    const clientId = ctx.oidc.client.clientId;
    const forgotten = consentForgotten(is.state, tenant, ctx.oidc.session.accountId, clientId); // prompt=consent
    const grantId = ctx.oidc.result?.consent?.grantId || (forgotten ? undefined : ctx.oidc.session.grantIdFor(clientId));
    if (grantId) {
      const g = await provider.Grant.find(grantId);
      if (g) return g;
    }
    const accountId = ctx.oidc.session.accountId;
    if (!accountId) return undefined;
    const copts = clientOpts(is.state, clientId);
    const remembered = rememberedConsent(is.state, tenant, accountId, clientId);
    if (!copts?.skip_login_consent && !remembered) return undefined;
    const requested = String(ctx.oidc.params.scope || 'openid').split(' ').filter(Boolean);
    const scopes = copts?.skip_login_consent ? requested : requested.filter((s) => remembered.has(s));
    const g = new provider.Grant({ accountId, clientId });
    g.addOIDCScope(scopes.join(' '));
    await g.save();
    return g;
  };
}

/**
 * Error code and text on WSO2's `oauth2_error.do` page: bad client_id (`invalid_client`), bad redirect_uri
 * (`invalid_callback` / `callback.not.match`), bad post_logout_redirect_uri (`access_denied`); see
 * docs/troubleshooting.md ("Callback mismatch", "Post-logout redirect mismatch").
 * @param {{ error: string, error_description?: string }} out
 */
function wso2ErrorPageParams(out) {
  let code = out.error;
  let msg = out.error_description;
  if (msg === 'post_logout_redirect_uri not registered') {
    code = 'access_denied';
    msg = 'Post logout URI does not match with registered callback URI.';
  } else if (out.error === 'invalid_redirect_uri' || /redirect_uri/.test(String(msg))) {
    code = 'invalid_callback';
    msg = 'callback.not.match';
  } else if (out.error === 'invalid_request_uri') {
    msg = 'par.invalid.request.uri';
  } else if (/^Pushed Authorization Request must be used/.test(String(msg))) {
    msg = 'PAR request is mandatory for the application.';
  } else if (out.error === 'invalid_client') {
    code = 'invalid_client';
    msg = 'Cannot find an application associated with the given consumer key.';
  }
  return new URLSearchParams({ oauthErrorCode: code, oauthErrorMsg: /** @type {string} */ (msg) });
}

/**
 * oidc-provider configuration of one tenant (issuer-independent; provider.mjs builds the provider once the port
 * is known).
 * @param {import('./state.mjs').LocalIsRuntime} is
 * @param {{ tenant: string, prefix: string, Adapter: any }} t
 */
export function tenantConfig(is, t) {
  const { tenant, prefix } = t;
  const suffix = tenant === SUPER ? '' : `_${tenant}`;
  const usersById = { get: (/** @type {string} */ sub) => accountOf(is, tenant, sub)?.user }; // seed, self-registered and federated users
  const ttl = (/** @type {keyof typeof DEFAULT_LIFETIMES} */ name) => () => is.state.lifetimes[name] ?? DEFAULT_LIFETIMES[name];
  return {
    adapter: t.Adapter,
    clients: is.seed.clients.map(clientMetadata),
    clientAuthMethods: ['client_secret_basic', 'client_secret_post', 'private_key_jwt', 'none'],
    assertJwtClientAuthClaimsAndHeader: assertWso2ClientAssertion,
    extraParams: ['fidp', 'orgId', 'org', 'orgHandle', 'orgDiscoveryType'],
    acrValues: ['acr1', 'acr2', 'acr3', 'LOA1', 'LOA2', 'LOA3'],
    claims: { ...SCOPE_CLAIMS, acr: null, sid: null, auth_time: null, iss: null, amr: null },
    scopes: ['openid', 'offline_access', 'internal_login', ...Object.keys(SCOPE_CLAIMS), ...MANAGEMENT_SCOPES],
    conformIdTokenClaims: false,
    cookies: cookiesConfig(is.cookieKeys, suffix),
    enableHttpPostMethods: true,
    enabledJWA: { idTokenSigningAlgValues: ['RS256'], clientAuthSigningAlgValues: [...PKJWT_VERIFY_ALGS] },
    expiresWithSession: async () => false,
    features: features(is, tenant, prefix),
    fetch: (/** @type {any} */ url, /** @type {any} */ options) => undiciFetch(url, { ...options, dispatcher: is.outbound }),
    async findAccount(/** @type {any} */ ctx, /** @type {string} */ sub) {
      const user = usersById.get(sub);
      if (!user) return undefined;
      const released = releasableClaims(clientOpts(is.state, ctx.oidc?.client?.clientId), user.claims);
      return { accountId: sub, async claims() { return { sub, ...released }; } };
    },
    interactions: {
      policy: wso2InteractionPolicy(is),
      async url(/** @type {any} */ ctx, /** @type {any} */ interaction) {
        if (interaction.prompt.name === 'login' && isOrganizationLogin(interaction.params)) return organizationLoginStart(prefix, interaction);
        const make = interaction.prompt.name === 'login' ? loginUrl : consentUrl;
        return make(tenant, prefix, ctx.oidc.client, interaction);
      },
    },
    issueRefreshToken: async (/** @type {any} */ ctx, /** @type {any} */ client) => client.grantTypeAllowed('refresh_token'),
    jwks: { keys: [is.sig.privateJwk] },
    loadExistingGrant: loadExistingGrant(is, tenant),
    pkce: {
      required: (/** @type {any} */ ctx, /** @type {any} */ client) => client.clientAuthMethod === 'none' || !!clientOpts(is.state, client.clientId)?.pkce_mandatory,
    },
    async renderError(/** @type {any} */ ctx, /** @type {any} */ out) {
      ctx.status = 302;
      ctx.redirect(`${prefix}/authenticationendpoint/oauth2_error.do?${wso2ErrorPageParams(out)}`);
    },
    responseTypes: ['code'],
    rotateRefreshToken: true,
    routes: { ...ROUTES },
    subjectTypes: ['public'],
    ttl: {
      AccessToken: ttl('AccessToken'),
      IdToken: ttl('IdToken'),
      RefreshToken: ttl('RefreshToken'),
      AuthorizationCode: ttl('AuthorizationCode'),
      ClientCredentials: ttl('AccessToken'),
      Interaction: 3600,
      Session: 14 * 24 * 3600,
      Grant: 14 * 24 * 3600,
    },
  };
}
