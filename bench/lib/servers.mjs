/**
 * Starting the servers under test: the local WSO2 IS stand-in and myclinic's production build
 * (`node scripts/start.mjs`, HTTPS), each measured as its own process tree.
 */
import { join } from 'node:path'
import { CLIENTS, ROOT, SESSION_SECRET } from './config.mjs'
import { startNode, waitForHttp } from './procs.mjs'
import { treeSampler } from './proc-stats.mjs'

/**
 * The local IS with its test-control API.
 * @param {number} port
 * @returns {Promise<{ proc: import('./procs.mjs').Child, origin: string, sampler: ReturnType<typeof treeSampler> }>}
 */
export async function startIs(port) {
  const origin = `https://localhost:${port}`
  const proc = startNode('local-is', [join(ROOT, 'tests/local-is/server.mjs')], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', LOCAL_IS_PORT: String(port), LOCAL_IS_TEST_CONTROL: '1' },
  })
  await waitForHttp(`${origin}/oauth2/token/.well-known/openid-configuration`, proc)
  return { proc, origin, sampler: treeSampler(proc.child.pid) }
}

/**
 * myclinic's environment for one instance.
 * @param {{ port: number, origin: string, isOrigin: string, redisUrl?: string, http?: boolean, extra?: Record<string, string> }} o
 *   origin: the public origin (AUTH_CLIENT_HOST); http: serve plain HTTP behind a TLS proxy
 */
export function appEnv({ port, origin, isOrigin, redisUrl, http = false, extra = {} }) {
  return {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    NODE_ENV: 'production',
    NEXT_TELEMETRY_DISABLED: '1',
    PORT: String(port),
    AUTH_SERVER_ORIGIN: isOrigin,
    AUTH_CLIENT_HOST: origin,
    AUTH_CLIENT_ID: CLIENTS.myclinic.id,
    AUTH_CLIENT_SECRET: CLIENTS.myclinic.secret,
    AUTH_CERTIFICATE_PATH: join(ROOT, 'certs/local-is.crt'),
    AUTH_SESSION_SECRET: SESSION_SECRET,
    ...(redisUrl ? { REDIS_URL: redisUrl } : {}),
    ...(http ? { AUTH_HTTP: '1' } : {}),
    ...extra,
  }
}

/**
 * One myclinic instance: `node [nodeArgs] scripts/start.mjs` in `dir` (the app, or a copy of it).
 * @param {{ name?: string, dir?: string, port: number, origin: string, isOrigin: string, nodeArgs?: string[], redisUrl?: string, http?: boolean, extra?: Record<string, string> }} o
 */
export async function startApp({ name = 'app', dir = ROOT, port, origin, isOrigin, nodeArgs = [], redisUrl, http = false, extra }) {
  const proc = startNode(name, [...nodeArgs, join(dir, 'scripts/start.mjs')], { cwd: dir, env: appEnv({ port, origin, isOrigin, redisUrl, http, extra }) })
  await waitForHttp(`${http ? 'http' : 'https'}://localhost:${port}/signin`, proc)
  return { proc, origin, dir, sampler: treeSampler(proc.child.pid) }
}

/**
 * Lets the stand-in's myclinic client come back to these origins, without consent.
 * @param {ReturnType<import('./http-client.mjs').isControl>} control
 * @param {string[]} origins
 */
export async function allowMyclinicCallbacks(control, origins) {
  const alternatives = origins.flatMap((o) => [`${o}/login`, `${o}/signin`]).join('|')
  await control.call('PUT', `/__test/client/${CLIENTS.myclinic.id}`, { callback_url: `regexp=(${alternatives})`, skip_login_consent: true, backchannel_logout_uri: null })
}

/**
 * Lets the peers' shared client come back to their callbacks, without consent.
 * @param {ReturnType<import('./http-client.mjs').isControl>} control
 * @param {string[]} callbackUrls
 */
export async function allowPeerCallbacks(control, callbackUrls) {
  await control.call('PUT', `/__test/client/${CLIENTS.peers.id}`, { callback_url: `regexp=(${callbackUrls.join('|')})`, skip_login_consent: true, backchannel_logout_uri: null })
}
