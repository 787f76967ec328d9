/**
 * What every auth route needs to answer: the resolved runtime (configuration, context, the app's
 * hooks and error renderer), redirects with security headers, coded error pages (the app's
 * `renderError` when it has one, the built-in page otherwise), one log line per failure, and hooks
 * that can never break a login.
 *
 * Node only.
 */
import 'server-only'
import type { AuthConfig } from '../config'
import { AuthError, ERRORS, toAuthError, type AuthErrorCode } from '../errors'
import { errorPageHtml, htmlResponse, securityHeaders } from '../html'
import { pageContext } from '../guard'
import type { AuthHooks, AuthOptions } from '../options'
import { getContext, type AuthContext } from './context'

/** The configuration, context and app callbacks a request works with. */
export interface Runtime {
  config: AuthConfig
  ctx: AuthContext
  options: AuthOptions
}

/** Resolves the configuration lazily; throws a ConfigError. */
export type ConfigSource = () => AuthConfig

/**
 * The runtime, or the coded `config_invalid` page (503) to answer with. The log names the setting
 * to fix; the page does not.
 */
export function loadRuntime(options: AuthOptions, config: ConfigSource): Runtime | Response {
  try {
    const resolved = config()
    return { config: resolved, ctx: getContext(resolved), options }
  } catch (error) {
    logFailure('config', toAuthError(error, 'config_invalid'))
    const appName = typeof options.appName === 'string' ? options.appName : 'app'
    return htmlResponse(errorPageHtml({ appName, signInHref: '/' }, 'config_invalid', '/'), ERRORS.config_invalid.status)
  }
}

/**
 * The runtime; throws the `ConfigError` (code `config_invalid`) when the configuration is invalid.
 * For callers that report errors themselves (`getAccessToken()` in an API route).
 */
export function runtimeOrThrow(options: AuthOptions, config: ConfigSource): Runtime {
  const resolved = config()
  return { config: resolved, ctx: getContext(resolved), options }
}

/**
 * Logs one line per failure: the code and a sanitised reason, never a token, code or cookie.
 *
 * @param where - The step that failed.
 * @param error - The coded error.
 */
export function logFailure(where: string, error: AuthError): void {
  const detail = error.message.replace(/[^\x20-\x7e]/g, '?').slice(0, 300)
  const cause = error.cause instanceof Error ? ` cause=${error.cause.name}` : ''
  console.warn(`[auth] ${where} failed code=${error.code} detail="${detail}"${cause}`)
}

const HOOK_TIMEOUT_MS = 2000

/**
 * Runs an app hook. A hook that throws is logged; one that takes longer than 2 s is left to finish
 * on its own. Either way the request goes on.
 *
 * @param options - The app's options.
 * @param name - The hook.
 * @param event - Its argument.
 */
export async function runHook<K extends keyof AuthHooks>(options: AuthOptions, name: K, event: Parameters<NonNullable<AuthHooks[K]>>[0]): Promise<void> {
  const hook = options.hooks?.[name] as ((e: typeof event) => unknown) | undefined
  if (!hook) return
  let timer: ReturnType<typeof setTimeout> | undefined
  try {
    await Promise.race([
      Promise.resolve().then(() => hook(event)),
      new Promise((resolve) => {
        timer = setTimeout(resolve, HOOK_TIMEOUT_MS)
      }),
    ])
  } catch (error) {
    console.warn(`[auth] hook ${name} threw: ${(error as Error)?.message ?? error}`)
  } finally {
    clearTimeout(timer)
  }
}

/**
 * A redirect with the auth security headers.
 *
 * @param location - Absolute URL.
 * @param setCookies - Set-Cookie values.
 * @param status - 303 by default (302 to the IS, 307 from the guard).
 * @returns The response.
 */
export function redirect(location: string, setCookies: string[] = [], status = 303): Response {
  const headers = securityHeaders({ location })
  for (const cookie of setCookies) headers.append('set-cookie', cookie)
  return new Response(null, { status, headers })
}

/**
 * The coded error page for `code`, rendered by the app's `renderError` when it has one (falling
 * back to the built-in page if that throws), with the given cookies and the `onError` hook run.
 *
 * @param rt - The runtime.
 * @param request - The failed request.
 * @param error - The coded error.
 * @param where - The step, for the log.
 * @param retryHref - Where "Try again" goes.
 * @param setCookies - Set-Cookie values (spent transaction, cleared session).
 * @returns The response.
 */
export async function errorResponse(rt: Runtime, request: Request, error: AuthError, where: string, retryHref: string, setCookies: string[] = []): Promise<Response> {
  logFailure(where, error)
  await runHook(rt.options, 'onError', { code: error.code, error, where, request })
  const code: AuthErrorCode = error.code
  const status = ERRORS[code].status
  let response: Response | undefined
  if (rt.options.renderError) {
    try {
      response = await rt.options.renderError(code, { status, retryHref, request })
    } catch (renderError) {
      console.warn(`[auth] renderError threw: ${(renderError as Error)?.message ?? renderError}`)
    }
  }
  if (!response) return htmlResponse(errorPageHtml(pageContext(rt.config), code, retryHref), status, setCookies)
  const headers = new Headers(response.headers)
  if (!headers.has('cache-control')) headers.set('cache-control', 'private, no-store, max-age=0')
  for (const cookie of setCookies) headers.append('set-cookie', cookie)
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers })
}

/** "Try again": a fresh login that keeps where the user was going. */
export function retryHref(config: AuthConfig, returnTo: string): string {
  return returnTo === '/' ? config.routes.login : `${config.routes.login}?returnTo=${encodeURIComponent(returnTo)}`
}
