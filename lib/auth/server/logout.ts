/**
 * RP-initiated logout: revoke the refresh token (RFC 7009), then send the browser to the IS's
 * end_session_endpoint with `id_token_hint`, `client_id`, `post_logout_redirect_uri` and a fresh
 * `state`. oauth4webapi has no helper for building the end-session URL.
 *
 * Node only.
 *
 * @see https://openid.net/specs/openid-connect-rpinitiated-1_0.html#RPLogout
 * @see https://www.rfc-editor.org/rfc/rfc7009#section-2.1
 */
import 'server-only'
import * as oauth from 'oauth4webapi'
import type { TokenSet } from '../session'
import type { AuthContext } from './context'

/**
 * Revokes the refresh token so a copied session cannot be renewed. Best effort: the local session
 * ends whatever the IS says, and WSO2 answers a successful revoke with 200 and an empty body.
 *
 * @param ctx - The context.
 * @param tokens - The session's tokens.
 * @returns Whether the IS confirmed.
 */
export async function revokeRefreshToken(ctx: AuthContext, tokens: Pick<TokenSet, 'refreshToken'>): Promise<boolean> {
  if (!tokens.refreshToken) return false
  try {
    const as = await ctx.discovery.get()
    if (!as.revocation_endpoint) return false
    const { client, clientAuth } = await ctx.client()
    const response = await oauth.revocationRequest(as, client, clientAuth, tokens.refreshToken, {
      additionalParameters: { token_type_hint: 'refresh_token' },
      [oauth.customFetch]: ctx.fetch as typeof fetch,
    })
    await oauth.processRevocationResponse(response)
    return true
  } catch {
    return false
  }
}

/**
 * The end-session URL, or null when the IS publishes none (the caller then lands the user on the
 * local signed-out page). Its origin was pinned to the issuer's at discovery.
 *
 * @param ctx - The context.
 * @param idToken - For `id_token_hint`, when the session still had one.
 * @param state - A fresh random state.
 * @returns The URL, or null.
 */
export async function endSessionUrl(ctx: AuthContext, idToken: string | undefined, state: string): Promise<URL | null> {
  let as: oauth.AuthorizationServer
  try {
    as = await ctx.discovery.get()
  } catch {
    return null
  }
  if (!as.end_session_endpoint) return null
  const url = new URL(as.end_session_endpoint)
  if (idToken) url.searchParams.set('id_token_hint', idToken)
  url.searchParams.set('client_id', ctx.config.clientId)
  url.searchParams.set('post_logout_redirect_uri', ctx.config.logoutCallbackUrl)
  url.searchParams.set('state', state)
  return url
}
