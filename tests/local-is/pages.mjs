// Server-rendered HTML pages that look vaguely like WSO2 IS 7's authentication portal.
// No external fonts or scripts. All dynamic values go through esc().

/** @param {unknown} v */
export function esc(v) {
  return String(v ?? '').replace(/[&<>"'`=\/]/g, (c) => `&#${c.charCodeAt(0)};`);
}

const CSS = `
body{margin:0;background:#f5f6f6;font-family:system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;color:#333}
.top{background:#fff;border-bottom:1px solid #e0e1e2;padding:14px 24px;font-weight:700;color:#ff7300;letter-spacing:.5px}
.box{max-width:420px;margin:48px auto;background:#fff;border-radius:6px;box-shadow:0 1px 3px rgba(0,0,0,.15);padding:28px 32px}
h2{font-weight:600;font-size:1.4em;margin:0 0 18px}
label{display:block;font-size:.9em;margin:12px 0 4px}
input[type=text],input[type=password]{width:100%;box-sizing:border-box;padding:10px;border:1px solid #ccc;border-radius:4px;font-size:1em}
button{margin-top:18px;padding:10px 22px;border:0;border-radius:4px;background:#ff7300;color:#fff;font-size:1em;cursor:pointer}
button.secondary{background:#e0e1e2;color:#333}
.err{background:#fff6f6;border:1px solid #e0b4b4;color:#9f3a38;padding:10px;border-radius:4px;margin-bottom:12px}
ul{padding-left:20px}
.foot{text-align:center;color:#888;font-size:.8em;margin-top:20px}
`;

/**
 * @param {string} title
 * @param {string} inner HTML (already escaped)
 * @param {string} [lang] page language (from `ui_locales`)
 */
export function layout(title, inner, lang = 'en') {
  return `<!DOCTYPE html>
<html lang="${esc(lang)}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title><style>${CSS}</style></head>
<body><div class="top">WSO2 Identity Server (local stand-in)</div>
<main class="box">${inner}</main><div class="foot">local-is &middot; test double of WSO2 Identity Server 7</div></body></html>`;
}

/**
 * The user name part of basicauth.jsp: a visible `#usernameUserInput` copied into hidden `#username`, or with
 * a login hint (`inputType=login_hint`) only the hidden `#username` carrying the hint.
 * @param {{ username?: string, loginHint?: string }} o
 */
function usernameFields(o) {
  if (o.loginHint) {
    return `<input id="username" name="username" type="hidden" data-testid="login-page-username-input" value="${esc(o.loginHint)}">`;
  }
  return `<label for="usernameUserInput">Username</label>
  <input type="text" id="usernameUserInput" name="usernameUserInput" data-testid="login-page-username-input" autocomplete="username" value="${esc(o.username || '')}" required>
  <input type="hidden" id="username" name="username" value="${esc(o.username || '')}">`;
}

/**
 * @param {{ action: string, sessionDataKey: string, appName?: string, tenantDomain: string, failed?: boolean, username?: string,
 *   loginHint?: string, authFailureMessage?: string, lang?: string, registerUrl?: string, organizationName?: string }} o
 */
export function loginPage(o) {
  const copy = o.loginHint ? '' : ` onclick="document.getElementById('username').value=document.getElementById('usernameUserInput').value"`;
  return layout('WSO2 Identity Server', `
<h2>${o.loginHint ? 'Welcome' : 'Sign In'}</h2>
${o.organizationName ? `<p id="organization-name">${esc(o.organizationName)}</p>` : ''}
${o.loginHint ? `<p><span id="user-name-label">${esc(o.loginHint)}</span></p>` : ''}
${o.authFailureMessage ? `<div class="err" id="error-msg" role="alert">${esc(o.authFailureMessage)}</div>` : ''}
${o.failed ? '<div class="err" id="error-msg" role="alert">Login failed! Please check your username and password and try again.</div>' : ''}
<form id="loginForm" method="post" action="${esc(o.action)}">
  ${usernameFields(o)}
  <label for="password">Password</label>
  <input type="password" id="password" name="password" data-testid="login-page-password-input" autocomplete="current-password" required>
  <input type="hidden" name="sessionDataKey" value="${esc(o.sessionDataKey)}">
  <input type="hidden" name="tenantDomain" value="${esc(o.tenantDomain)}">
  <button type="submit" data-testid="login-page-continue-login-button"${copy}>Sign In</button>
</form>
${o.registerUrl ? `<p id="registerLinkBlock">Don't have an account? <a id="registerLink" data-testid="login-page-create-account-button" href="${esc(o.registerUrl)}">Register</a></p>` : ''}
<p class="foot">${o.appName ? `Signing in to ${esc(o.appName)}` : ''}</p>`, o.lang);
}

/**
 * @param {{ action: string, sessionDataKey: string, appName: string, claims: string[] }} o
 */
export function consentPage(o) {
  return layout('WSO2 Identity Server', `
<h2>${esc(o.appName)} wants to access your account.</h2>
<p>This will allow ${esc(o.appName)} to:</p>
<p><strong>Read your profile</strong></p>
<ul id="claims">${o.claims.map((c) => `<li><label><input type="checkbox" checked disabled name="consent_${esc(c)}"> ${esc(c)}</label></li>`).join('')}</ul>
<p>By giving consent, you agree to share your data with ${esc(o.appName)}.</p>
<form id="profile" method="post" action="${esc(o.action)}">
  <input type="hidden" name="sessionDataKey" value="${esc(o.sessionDataKey)}">
  <button type="submit" name="consent" value="approveAlways" id="approve" data-testid="consent-page-allow-button">Allow</button>
  <button type="submit" name="consent" value="deny" class="secondary" id="deny" data-testid="consent-page-deny-button">Deny</button>
</form>`);
}

/**
 * @param {{ code: string, message: string }} o
 */
export function errorPage(o) {
  return layout('Error', `
<h2>Something went wrong</h2>
<div class="err" id="oauth-error"><strong id="errorCode">${esc(o.code)}</strong><br><span id="errorMsg">${esc(o.message)}</span></div>
<p>Please contact the application administrator.</p>`);
}

/**
 * @param {{ providerForm: string, denyAction: string, denyKey: string }} o
 */
export function logoutConfirmPage(o) {
  // providerForm is oidc-provider's own <form id="op.logoutForm"> with its xsrf hidden field.
  const form = o.providerForm.replace('</form>',
    '<input type="hidden" name="logout" value="yes"><input type="hidden" name="denyKey" value="' + esc(o.denyKey) + '"></form>');
  return layout('Logout', `
<h2>Logout</h2>
<p>Are you sure that you want to logout?</p>
${form}
<button type="submit" form="op.logoutForm" name="consent" value="approve" id="approve" data-testid="logout-page-yes-button">Yes</button>
<button type="submit" form="op.logoutForm" name="consent" value="deny" formaction="${esc(o.denyAction)}" class="secondary" id="deny" data-testid="logout-page-no-button">No</button>`);
}

export function loggedOutPage() {
  return layout('Logout', '<h2>Logout</h2><p id="logged-out">You have successfully logged out.</p>');
}

export function checkSessionPage() {
  return `<!DOCTYPE html><html><head><meta charset="utf-8"><title>OIDC Check Session</title></head><body>
<script>window.addEventListener('message',function(e){try{e.source.postMessage('unchanged',e.origin)}catch(_){}},false);</script></body></html>`;
}
