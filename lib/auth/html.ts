/**
 * The built-in pages auth routes answer with: the coded error page, the logout confirmation and
 * the signed-out page. Route handlers cannot render the App Router's pages with a chosen status,
 * and an error page must carry the status that fits, so these are small self-contained templates
 * (no script, no external resource). Everything interpolated is escaped; nothing from the IS is
 * shown verbatim. Apps replace the error page with `renderError`.
 *
 * Edge-safe.
 *
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-4.2.4 (no third-party resources on auth pages)
 */
import { ERRORS, type AuthErrorCode } from './errors'

/**
 * Escapes text for HTML content and attribute values.
 *
 * @param value - Text.
 * @returns Escaped text.
 * @example
 * ```ts
 * escapeHtml('<b>') // '&#60;b&#62;'
 * ```
 */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)
}

/** `Cache-Control` of everything that depends on the session (ASVS 8.2.1). */
export const NO_STORE = 'private, no-store, max-age=0'

/**
 * Headers of every auth response: never cached, never framed, no referrer leaking the URL (the
 * callback URL carries the code), no sniffing, a CSP that allows nothing but inline styles.
 *
 * @param extra - More headers.
 * @returns The headers.
 * @example
 * ```ts
 * new Response(null, { status: 303, headers: securityHeaders({ location: '/' }) })
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-4.2.4
 */
export function securityHeaders(extra?: Record<string, string>): Headers {
  return new Headers({
    'cache-control': NO_STORE,
    pragma: 'no-cache',
    'referrer-policy': 'no-referrer',
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; frame-ancestors 'none'; base-uri 'none'",
    ...extra,
  })
}

const STYLE = `
:root{color-scheme:light dark;--bg:#f8fafc;--card:#fff;--text:#0f172a;--muted:#475569;--border:#e2e8f0;--subtle:#f1f5f9;--accent:#c2410c;--accent-hover:#9a3412;--accent-text:#fff;--tint:#ffedd5;--tint-text:#9a3412}
@media (prefers-color-scheme:dark){:root{--bg:#020617;--card:#0f172a;--text:#f1f5f9;--muted:#94a3b8;--border:#1e293b;--subtle:#020617;--accent:#fb923c;--accent-hover:#fed7aa;--accent-text:#020617;--tint:#431407;--tint-text:#fed7aa}}
*{box-sizing:border-box}
body{margin:0;min-height:100vh;display:flex;flex-direction:column;background:var(--bg);color:var(--text);font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;-webkit-font-smoothing:antialiased}
header{background:var(--card);border-bottom:1px solid var(--border)}
.bar{max-width:64rem;margin:0 auto;padding:12px 16px;display:flex;align-items:center;gap:12px;font-size:1.125rem;font-weight:700;letter-spacing:-.01em}
.bar svg{width:32px;height:32px;flex-shrink:0;fill:var(--accent)}
.wrap{flex:1;display:flex;align-items:flex-start;justify-content:center;padding:40px 16px}
main{background:var(--card);border:1px solid var(--border);border-radius:16px;max-width:560px;width:100%;overflow:hidden;box-shadow:0 1px 2px rgba(15,23,42,.05)}
main:before{content:"";display:block;height:6px;background:var(--accent)}
.inner{padding:32px}
.icon{width:48px;height:48px;border-radius:999px;display:grid;place-items:center;background:var(--tint);color:var(--tint-text);margin-bottom:20px}
.icon svg{width:24px;height:24px;fill:currentColor}
.eyebrow{margin:0 0 4px;font-size:.75rem;font-weight:600;text-transform:uppercase;letter-spacing:.06em;color:var(--accent)}
h1{font-size:1.5rem;line-height:1.3;letter-spacing:-.01em;margin:0 0 12px}
p{margin:0 0 16px;color:var(--muted)}
.code{display:flex;flex-wrap:wrap;align-items:center;gap:8px;margin:20px 0 0;padding:12px 14px;background:var(--subtle);border:1px solid var(--border);border-radius:10px;font-size:.875rem;color:var(--muted)}
code{font:600 .8125rem/1.4 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;color:var(--text);overflow-wrap:anywhere}
.actions{display:flex;gap:12px;flex-wrap:wrap;margin-top:28px}
a.button,button{display:inline-flex;align-items:center;justify-content:center;min-height:44px;border:1px solid transparent;border-radius:8px;padding:10px 20px;font:600 1rem/1.25 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;text-decoration:none;cursor:pointer;background:var(--accent);color:var(--accent-text)}
a.button:hover,button:hover{background:var(--accent-hover)}
a.secondary,button.secondary{background:var(--card);color:var(--text);border-color:var(--border)}
a.secondary:hover,button.secondary:hover{background:var(--subtle)}
a:focus-visible,button:focus-visible{outline:3px solid var(--accent);outline-offset:2px}
@media (max-width:480px){.wrap{padding:24px 12px}.inner{padding:24px 20px}.actions a,.actions button{flex:1 1 100%}}`

const SHIELD = '<svg viewBox="0 0 20 20" aria-hidden="true"><path d="M10 1 3 4v5c0 4.4 3 8.4 7 9.5 4-1.1 7-5.1 7-9.5V4l-7-3Z"/></svg>'
const WARNING_ICON = '<svg viewBox="0 0 20 20" aria-hidden="true"><path d="M8.3 2.9a2 2 0 0 1 3.4 0l6.6 11.6A2 2 0 0 1 16.6 17H3.4a2 2 0 0 1-1.7-2.5L8.3 2.9ZM10 7a1 1 0 0 0-1 1v3a1 1 0 1 0 2 0V8a1 1 0 0 0-1-1Zm0 8a1.2 1.2 0 1 0 0-2.4 1.2 1.2 0 0 0 0 2.4Z"/></svg>'
const LOGOUT_ICON = '<svg viewBox="0 0 20 20" aria-hidden="true"><path d="M4 3a2 2 0 0 0-2 2v10a2 2 0 0 0 2 2h5a1 1 0 1 0 0-2H4V5h5a1 1 0 1 0 0-2H4Zm9.3 3.3a1 1 0 0 1 1.4 0l3 3a1 1 0 0 1 0 1.4l-3 3a1 1 0 0 1-1.4-1.4l1.3-1.3H8a1 1 0 1 1 0-2h6.6l-1.3-1.3a1 1 0 0 1 0-1.4Z"/></svg>'

/** What every built-in page needs to know about the app. */
export interface PageContext {
  appName: string
  /** Where "Back to sign-in" goes: the sign-in page, or the login route. */
  signInHref: string
}

function page(ctx: PageContext, title: string, main: string): string {
  const app = escapeHtml(ctx.appName)
  return `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><meta name="referrer" content="no-referrer"><meta name="color-scheme" content="light dark"><title>${escapeHtml(title)} · ${app}</title><style>${STYLE}</style></head><body>`
    + `<header><div class="bar">${SHIELD}<div>${app}</div></div></header>`
    + `<div class="wrap">${main}</div></body></html>`
}

/**
 * The coded error page (`data-error-code`), with "Try again" and a way back to sign-in.
 *
 * @param ctx - App name and sign-in link.
 * @param code - The error code.
 * @param retryHref - Where "Try again" goes.
 * @returns HTML.
 */
export function errorPageHtml(ctx: PageContext, code: AuthErrorCode, retryHref: string): string {
  const info = ERRORS[code]
  return page(ctx, info.title, `<main role="main" data-error-code="${escapeHtml(code)}" aria-labelledby="error-title"><div class="inner">
<div class="icon">${WARNING_ICON}</div>
<p class="eyebrow">Sign-in problem · HTTP ${info.status}</p>
<h1 id="error-title">${escapeHtml(info.title)}</h1>
<p>${escapeHtml(info.message)}</p>
<p>If trying again does not help, give the error code below to the support of ${escapeHtml(ctx.appName)}.</p>
<div class="code">Error code <code data-testid="error-code">${escapeHtml(code)}</code></div>
<div class="actions"><a class="button" href="${escapeHtml(retryHref)}">Try again</a><a class="button secondary" href="${escapeHtml(ctx.signInHref)}">Back to sign-in page</a></div>
</div></main>`)
}

/**
 * The confirmation shown for a logout request that did not come from one of the app's pages.
 *
 * @param ctx - App name.
 * @param logoutPath - The logout route the form posts to.
 * @returns HTML.
 */
export function logoutConfirmHtml(ctx: PageContext, logoutPath: string): string {
  const app = escapeHtml(ctx.appName)
  return page(ctx, 'Log out', `<main role="main" aria-labelledby="logout-title"><div class="inner">
<div class="icon">${LOGOUT_ICON}</div>
<p class="eyebrow">Log out</p>
<h1 id="logout-title">Log out of ${app}?</h1>
<p>This request to log out did not come from a ${app} page. Confirm to end your session.</p>
<form method="post" action="${escapeHtml(logoutPath)}" class="actions"><button type="submit">Log out</button><a class="button secondary" href="/">Stay signed in</a></form>
</div></main>`)
}

/**
 * The page after logout when the app has no sign-in page of its own.
 *
 * @param ctx - App name and login link.
 * @returns HTML.
 */
export function signedOutHtml(ctx: PageContext): string {
  const app = escapeHtml(ctx.appName)
  return page(ctx, 'Signed out', `<main role="main" aria-labelledby="out-title" data-signed-out="true"><div class="inner">
<div class="icon">${LOGOUT_ICON}</div>
<p class="eyebrow">Signed out</p>
<h1 id="out-title">You are signed out of ${app}</h1>
<p>Your session has ended. Sign in again to continue.</p>
<div class="actions"><a class="button" href="${escapeHtml(ctx.signInHref)}">Sign in</a></div>
</div></main>`)
}

/**
 * An HTML response with the security headers.
 *
 * @param html - The page.
 * @param status - HTTP status.
 * @param setCookies - Set-Cookie values to add.
 * @returns The response.
 */
export function htmlResponse(html: string, status: number, setCookies: string[] = []): Response {
  const headers = securityHeaders({ 'content-type': 'text/html; charset=utf-8' })
  for (const cookie of setCookies) headers.append('set-cookie', cookie)
  return new Response(html, { status, headers })
}
