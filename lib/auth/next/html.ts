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

const STYLE = `
:root{color-scheme:light dark;--bg:#f6f7f9;--card:#fff;--text:#1b1f24;--muted:#4a5360;--accent:#c2410c;--accent-text:#fff;--border:#dde1e6}
@media (prefers-color-scheme:dark){:root{--bg:#0f1216;--card:#181c22;--text:#eef1f4;--muted:#b7bfc9;--accent:#fb923c;--accent-text:#111;--border:#2c333c}}
*{box-sizing:border-box}body{margin:0;min-height:100vh;display:grid;place-items:center;background:var(--bg);color:var(--text);font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;padding:16px}
main{background:var(--card);border:1px solid var(--border);border-radius:14px;max-width:520px;width:100%;padding:32px}
.brand{font-weight:700;letter-spacing:.02em;color:var(--accent);margin:0 0 16px}
h1{font-size:1.4rem;margin:0 0 8px}p{margin:0 0 16px;color:var(--muted)}
code{font:600 .85rem ui-monospace,SFMono-Regular,Menlo,monospace;background:var(--bg);border:1px solid var(--border);border-radius:6px;padding:2px 6px;color:var(--text)}
.actions{display:flex;gap:12px;flex-wrap:wrap;margin-top:24px}
a.button,button{display:inline-block;border:0;border-radius:8px;padding:10px 18px;font:600 1rem system-ui,sans-serif;text-decoration:none;cursor:pointer;background:var(--accent);color:var(--accent-text)}
a.secondary,button.secondary{background:transparent;color:var(--text);border:1px solid var(--border)}
a:focus-visible,button:focus-visible{outline:3px solid var(--text);outline-offset:2px}`

function page(title: string, body: string): string {
  return `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><meta name="referrer" content="no-referrer"><title>${escapeHtml(title)} · myclinic</title><style>${STYLE}</style></head><body>${body}</body></html>`
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
    `<main role="main" data-error-code="${escapeHtml(code)}" aria-labelledby="error-title">
<p class="brand">myclinic</p>
<h1 id="error-title">${escapeHtml(info.title)}</h1>
<p>${escapeHtml(info.message)}</p>
<p>Error code: <code data-testid="error-code">${escapeHtml(code)}</code></p>
<div class="actions"><a class="button" href="${escapeHtml(retryHref)}">Try again</a><a class="button secondary" href="/signin">Back to sign-in page</a></div>
</main>`,
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
    `<main role="main" aria-labelledby="logout-title">
<p class="brand">myclinic</p>
<h1 id="logout-title">Log out of myclinic?</h1>
<p>This request to log out did not come from a myclinic page. Confirm to end your session.</p>
<form method="post" action="/logout" class="actions"><button type="submit">Log out</button><a class="button secondary" href="/">Stay signed in</a></form>
</main>`,
  )
}
