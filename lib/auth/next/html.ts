/**
 * Small self-contained HTML pages the auth route handlers answer with: the coded error page and the
 * logout confirmation. Route handlers cannot render the App Router's pages with a chosen status,
 * and an error page must carry the status that fits (4xx/5xx), so these are plain templates.
 * Everything interpolated is escaped; nothing from the IS is shown verbatim (rp-security AR-07).
 */
import { ERRORS, type AuthErrorCode } from '../errors'

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)
}

/** Headers for every auth response: never cached, never framed, no referrer leaking the URL. */
export function authHeaders(extra?: Record<string, string>): Headers {
  const headers = new Headers({
    'cache-control': 'private, no-store, max-age=0',
    pragma: 'no-cache',
    'referrer-policy': 'no-referrer',
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; frame-ancestors 'none'; base-uri 'none'",
    ...extra,
  })
  return headers
}

/** The design system of the app (app/globals.css) in plain CSS: same colours, radii and dark mode. */
const STYLE = `
:root{color-scheme:light dark;--bg:#f8fafc;--card:#fff;--text:#0f172a;--muted:#475569;--border:#e2e8f0;--subtle:#f1f5f9;--accent:#c2410c;--accent-hover:#9a3412;--accent-text:#fff;--tint:#ffedd5;--tint-text:#9a3412}
@media (prefers-color-scheme:dark){:root{--bg:#020617;--card:#0f172a;--text:#f1f5f9;--muted:#94a3b8;--border:#1e293b;--subtle:#020617;--accent:#fb923c;--accent-hover:#fed7aa;--accent-text:#020617;--tint:#431407;--tint-text:#fed7aa}}
*{box-sizing:border-box}
body{margin:0;min-height:100vh;display:flex;flex-direction:column;background:var(--bg);color:var(--text);font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;-webkit-font-smoothing:antialiased}
header{background:var(--card);border-bottom:1px solid var(--border)}
.bar{max-width:64rem;margin:0 auto;padding:12px 16px;display:flex;align-items:center;gap:12px;font-size:1.125rem;font-weight:700;letter-spacing:-.01em}
.bar svg{width:32px;height:32px;flex-shrink:0}.bar span{color:var(--accent)}
.wrap{flex:1;display:flex;align-items:flex-start;justify-content:center;padding:40px 16px}
main{background:var(--card);border:1px solid var(--border);border-radius:16px;max-width:560px;width:100%;overflow:hidden;box-shadow:0 1px 2px rgba(15,23,42,.05)}
main:before{content:"";display:block;height:6px;background:linear-gradient(90deg,#c2410c,#f47421,#fb923c)}
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
footer{border-top:1px solid var(--border)}footer p{max-width:64rem;margin:0 auto;padding:16px;font-size:.75rem}
@media (max-width:480px){.wrap{padding:24px 12px}.inner{padding:24px 20px}.actions a,.actions button{flex:1 1 100%}}`

const LOGO = '<svg viewBox="0 0 64 64" aria-hidden="true"><rect width="64" height="64" rx="14" fill="#c2410c"/><path d="M27 14h10v13h13v10H37v13H27V37H14V27h13z" fill="#fff"/></svg>'
const WARNING_ICON = '<svg viewBox="0 0 20 20" aria-hidden="true"><path d="M8.3 2.9a2 2 0 0 1 3.4 0l6.6 11.6A2 2 0 0 1 16.6 17H3.4a2 2 0 0 1-1.7-2.5L8.3 2.9ZM10 7a1 1 0 0 0-1 1v3a1 1 0 1 0 2 0V8a1 1 0 0 0-1-1Zm0 8a1.2 1.2 0 1 0 0-2.4 1.2 1.2 0 0 0 0 2.4Z"/></svg>'
const LOGOUT_ICON = '<svg viewBox="0 0 20 20" aria-hidden="true"><path d="M4 3a2 2 0 0 0-2 2v10a2 2 0 0 0 2 2h5a1 1 0 1 0 0-2H4V5h5a1 1 0 1 0 0-2H4Zm9.3 3.3a1 1 0 0 1 1.4 0l3 3a1 1 0 0 1 0 1.4l-3 3a1 1 0 0 1-1.4-1.4l1.3-1.3H8a1 1 0 1 1 0-2h6.6l-1.3-1.3a1 1 0 0 1 0-1.4Z"/></svg>'

/** The page frame: the app's header bar, the card (the `main` element the caller writes), the footer. */
function page(title: string, main: string): string {
  return `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><meta name="referrer" content="no-referrer"><meta name="color-scheme" content="light dark"><title>${escapeHtml(title)} · myclinic</title><style>${STYLE}</style></head><body>`
    + `<header><div class="bar">${LOGO}<div>my<span>clinic</span></div></div></header>`
    + `<div class="wrap">${main}</div>`
    + `<footer><p>myclinic — a reference app for OpenID Connect sign-in with WSO2 Identity Server and Asgardeo.</p></footer></body></html>`
}

export interface ErrorPageOptions {
  code: AuthErrorCode
  /** Where "Try again" goes: a fresh login keeping the original returnTo, or /signin. */
  retryHref: string
}

export function errorPageHtml({ code, retryHref }: ErrorPageOptions): string {
  const info = ERRORS[code]
  return page(
    info.title,
    `<main role="main" data-error-code="${escapeHtml(code)}" aria-labelledby="error-title"><div class="inner">
<div class="icon">${WARNING_ICON}</div>
<p class="eyebrow">Sign-in problem · HTTP ${info.status}</p>
<h1 id="error-title">${escapeHtml(info.title)}</h1>
<p>${escapeHtml(info.message)}</p>
<p>If trying again does not help, give the error code below to the clinic's support.</p>
<div class="code">Error code <code data-testid="error-code">${escapeHtml(code)}</code></div>
<div class="actions"><a class="button" href="${escapeHtml(retryHref)}">Try again</a><a class="button secondary" href="/signin">Back to sign-in page</a></div>
</div></main>`,
  )
}

export function errorResponse(code: AuthErrorCode, retryHref: string, setCookies: string[] = []): Response {
  const headers = authHeaders({ 'content-type': 'text/html; charset=utf-8' })
  for (const cookie of setCookies) headers.append('set-cookie', cookie)
  return new Response(errorPageHtml({ code, retryHref }), { status: ERRORS[code].status, headers })
}

export function logoutConfirmHtml(): string {
  return page(
    'Log out',
    `<main role="main" aria-labelledby="logout-title"><div class="inner">
<div class="icon">${LOGOUT_ICON}</div>
<p class="eyebrow">Log out</p>
<h1 id="logout-title">Log out of myclinic?</h1>
<p>This request to log out did not come from a myclinic page. Confirm to end your session.</p>
<form method="post" action="/logout" class="actions"><button type="submit">Log out</button><a class="button secondary" href="/">Stay signed in</a></form>
</div></main>`,
  )
}
