/**
 * The files auth:add writes, as functions of the import specifiers they need. docs/lib-auth.md
 * shows the same text for the manual path (a unit test keeps the two equal).
 */

/** The guard's matcher: everything except Next's static files, common files from public/ and the back-channel receiver. */
const MATCHER = "'/((?!_next/static|_next/image|favicon\\\\.ico|robots\\\\.txt|logout/backchannel|.*\\\\.(?:svg|png|jpg|jpeg|gif|webp|avif|ico|woff2?)$).*)'"

/**
 * `auth.ts`.
 *
 * @param {{ lib: string, appName: string, signInPage: boolean }} p - `lib`: specifier of lib/auth.
 */
export function authFile({ lib, appName, signInPage }) {
  const options = signInPage ? `{ appName: '${appName}', routes: { signIn: '/signin' } }` : `{ appName: '${appName}' }`
  return `/**
 * The app's auth object (lib/auth). Client id, identity server and secrets come from the AUTH_*
 * environment at run time (.env.local), so one build runs against any identity server.
 * All options: lib/auth/options.ts.
 */
import { createAuth } from '${lib}'

export const auth = createAuth(${options})
`
}

/** The route files: path under app/, the handler and its methods, and a one-line comment. */
export const ROUTES = [
  { path: 'login/route.ts', handler: 'login', methods: 'GET', doc: 'Login start and the OIDC callback (the registered redirect URI).' },
  { path: 'login/refresh/route.ts', handler: 'refresh', methods: 'GET', doc: 'Token refresh detour for page navigations, sent here by the guard when the access token is due.' },
  { path: 'logout/route.ts', handler: 'logout', methods: 'GET, POST', doc: 'POST from a Log out form; GET from a link or a typed URL (asks first when it comes from another site).' },
  { path: 'logout/backchannel/route.ts', handler: 'backchannelLogout', methods: 'POST', doc: 'OIDC Back-Channel Logout: register {host}/logout/backchannel at the identity server.' },
  { path: 'api/auth/session/route.ts', handler: 'session', methods: 'GET', doc: 'The signed-in user for Client Components (useSession from lib/auth/react); never a token.' },
]

/**
 * One route file.
 *
 * @param {(typeof ROUTES)[number]} route
 * @param {string} authSpec - Specifier of auth.ts.
 */
export function routeFile(route, authSpec) {
  return `import { auth } from '${authSpec}'

/** ${route.doc} */
export const { ${route.methods} } = auth.handlers.${route.handler}
`
}

/**
 * `middleware.ts` or `proxy.ts`.
 *
 * @param {'middleware' | 'proxy'} guard
 * @param {string} authSpec
 */
export function guardFile(guard, authSpec) {
  const doc = guard === 'proxy'
    ? ` * The session guard from lib/auth in proxy.ts (Node.js runtime): checks the session cookie and
 * revocations, and refreshes a due access token inline.`
    : ` * The session guard from lib/auth in middleware.ts (edge runtime): checks the session cookie only
 * (no call to the identity server). proxy.ts (Node.js) adds revocation checks and inline refresh.`
  return `/**
${doc}
 */
import { auth } from '${authSpec}'

export const ${guard} = auth.${guard}

export const config = {
  // Everything except Next's static files, common files from public/ and the back-channel logout
  // receiver (the guard would buffer its body). The auth routes pass inside the guard.
  matcher: [${MATCHER}],
}
`
}

/**
 * `app/signin/page.tsx`.
 *
 * @param {string} authSpec
 */
export function signInPageFile(authSpec) {
  return `import { auth } from '${authSpec}'

/** The public sign-in page: the guard sends visitors without a session here, and the identity server sends them back here after logout. */
export default async function SignInPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const params = await searchParams
  const returnTo = typeof params.returnTo === 'string' ? params.returnTo : undefined
  const session = await auth.getSession()
  return (
    <main>
      <h1>Sign in</h1>
      {params.reason === 'session_ended' && !session ? <p role="status">Your session has ended. Please log in again.</p> : null}
      {/* A plain <a>, not <Link>: /login must be a full page navigation. */}
      {session ? <a href="/">Continue as {session.username}</a> : <a href={auth.signInUrl({ returnTo })}>Login</a>}
    </main>
  )
}
`
}

/** `server.mjs` (with --server). */
export function serverFile() {
  return `/**
 * The production server: \`next start\` has no HTTPS, and Node's default limit for request headers
 * (16 KB) is too small for a large session, which lib/auth splits over several cookies.
 *
 *   npm run build && node server.mjs
 *
 * Env: PORT (3000), HOSTNAME (localhost), AUTH_TLS_KEY and AUTH_TLS_CERT (PEM files). Without
 * them it serves plain HTTP, for a reverse proxy that terminates TLS.
 */
import { createServer as createHttpsServer } from 'node:https'
import { createServer as createHttpServer } from 'node:http'
import { readFileSync } from 'node:fs'
import next from 'next'

process.env.NODE_ENV = 'production'
const port = Number(process.env.PORT || 3000)
const hostname = process.env.HOSTNAME || 'localhost'
const app = next({ dev: false, hostname, port })
const handle = app.getRequestHandler()
await app.prepare()

// Up to 6 session cookies of 3,800 bytes plus the other headers.
const options = { maxHeaderSize: 32 * 1024 }
const { AUTH_TLS_KEY: key, AUTH_TLS_CERT: cert } = process.env
const server = key && cert
  ? createHttpsServer({ ...options, key: readFileSync(key), cert: readFileSync(cert) }, handle)
  : createHttpServer(options, handle)
server.listen(port, hostname, () => console.log(\`> Ready on \${key && cert ? 'https' : 'http'}://\${hostname}:\${port}\`))
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => process.exit(0))
`
}

/** next.config.ts for an app that has none (as create-next-app writes it, wrapped). */
export function nextConfigFile(helperSpec) {
  return `import type { NextConfig } from 'next'
import { withAuth } from '${helperSpec}'

const nextConfig: NextConfig = {
  /* config options here */
}

export default withAuth(nextConfig)
`
}
