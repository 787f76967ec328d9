/**
 * RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0): revoke the refresh token (RFC 7009),
 * then send the browser to the IS's end_session_endpoint with id_token_hint, client_id,
 * post_logout_redirect_uri and a fresh state. oauth4webapi has no helper for this (anchors 1.5).
 *
 * Node only.
 */
import 'server-only'
import * as oauth from 'oauth4webapi'
import type { FlowContext } from './login'
import type { SessionData } from './session'

/**
 * Revokes the refresh token so a copied session cannot be renewed after logout. Best effort: the
 * local session is cleared whatever the IS says (rp-security LO-04), and WSO2 answers a successful
 * revoke with 200 and an empty body.
 */
export async function revokeTokens(ctx: FlowContext, session: SessionData): Promise<boolean> {
  if (!session.refreshToken) return false
  try {
    const as = await ctx.discovery.get()
    if (!as.revocation_endpoint) return false
    const response = await oauth.revocationRequest(
      as, ctx.provider.client, ctx.provider.clientAuth, session.refreshToken,
      { additionalParameters: { token_type_hint: 'refresh_token' }, [oauth.customFetch]: ctx.fetch as typeof fetch },
    )
    await oauth.processRevocationResponse(response)
    return true
  } catch {
    return false
  }
}

/**
 * The end-session URL, or null when the IS publishes none (the caller then lands the user on the
 * local signed-out page). Its origin was pinned to the issuer's at discovery (rp-security DK-03).
 */
export async function endSessionUrl(ctx: FlowContext, idToken: string | undefined, state: string): Promise<URL | null> {
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
