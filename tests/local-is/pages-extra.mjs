// Server-rendered pages for organization login, self-registration and its completion, in the style of
// pages.mjs (WSO2's authentication and recovery portals). All dynamic values go through esc().
import { esc, layout } from './pages.mjs';

/**
 * `org_name.jsp`: "Sign In With SSO", input `org` (`#ORG_NAME`), hidden `idp`, `authenticator`,
 * `sessionDataKey`, GET to /commonauth (identity-apps authentication-portal org_name.jsp); `error` is the
 * authFailureMsg text.
 * @param {{ action: string, sessionDataKey: string, error?: string }} o
 */
export function organizationNamePage(o) {
  return layout('WSO2 Identity Server', `
<h2>Sign In With SSO</h2>
${o.error ? `<div class="err" id="error-msg" role="alert">${esc(o.error)}</div>` : ''}
<form id="loginForm" method="get" action="${esc(o.action)}">
  <label for="ORG_NAME">Organization Name</label>
  <input type="text" id="ORG_NAME" name="org" data-testid="org-name-input" autocomplete="organization" required>
  <input type="hidden" name="idp" value="SSO">
  <input type="hidden" name="authenticator" value="OrganizationAuthenticator">
  <input type="hidden" name="sessionDataKey" value="${esc(o.sessionDataKey)}">
  <button type="submit" data-testid="org-name-submit-button">Submit</button>
</form>`);
}

/**
 * Self-registration form (`self-registration-username-request.jsp` fields): username, password, first and
 * last name and email under their WSO2 claim URIs; every incoming query parameter is echoed as a hidden input.
 * @param {{ action: string, hidden: [string, string][], error?: string, values?: Record<string, string> }} o
 */
export function registrationPage(o) {
  const v = o.values || {};
  const field = (/** @type {string} */ id, /** @type {string} */ name, /** @type {string} */ label, type = 'text', testid = '') => `
  <label for="${id}">${esc(label)}</label>
  <input type="${type}" id="${id}" name="${esc(name)}"${testid ? ` data-testid="${testid}"` : ''} value="${type === 'password' ? '' : esc(v[name] || '')}" required>`;
  return layout('WSO2 Identity Server', `
<h2>Sign Up</h2>
${o.error ? `<div class="err" id="error-msg" role="alert">${esc(o.error)}</div>` : ''}
<form id="register" method="post" action="${esc(o.action)}">
  ${field('usernameUserInput', 'username', 'Username', 'text', 'self-register-page-username-input')}
  ${field('passwordUserInput', 'password', 'Password', 'password', 'self-register-page-password-input')}
  ${field('firstNameUserInput', 'http://wso2.org/claims/givenname', 'First Name')}
  ${field('lastNameUserInput', 'http://wso2.org/claims/lastname', 'Last Name')}
  ${field('emailUserInput', 'http://wso2.org/claims/emailaddress', 'Email', 'text')}
  ${o.hidden.map(([k, val]) => `<input type="hidden" name="${esc(k)}" value="${esc(val)}">`).join('')}
  <button type="submit" id="registrationSubmit" data-testid="self-register-page-submit-button">Sign Up</button>
</form>`);
}

/**
 * `self-registration-complete.jsp` without account lock: "Account created successfully", then a 3 s countdown
 * to `redirectTo` (the application's access URL, or /commonauth with auto-login) or "You can now sign in to
 * your account.".
 * @param {{ redirectTo?: string }} o
 */
export function registrationCompletePage(o) {
  const body = o.redirectTo
    ? `<p id="redirect" data-url="${esc(o.redirectTo)}">You will be redirected back to the application in <span id="countdown">3</span> seconds.</p>
<script>setTimeout(function(){window.location.href=document.getElementById('redirect').getAttribute('data-url')},3000);</script>
<noscript><a id="continue" href="${esc(o.redirectTo)}">Continue</a></noscript>`
    : '<p id="sign-in">You can now sign in to your account.</p>';
  return layout('WSO2 Identity Server', `
<h2 data-testid="self-register-complete-page-header">Account created successfully</h2>
${body}`);
}
