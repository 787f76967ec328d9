/**
 * The signed-in user's profile from the identity server's SCIM 2.0 API (`GET /scim2/Me`, as WSO2
 * IS and Asgardeo serve it), called on the server with the session's access token. The access
 * token exists to call APIs; this is the dashboard's real API call. WSO2 needs the
 * `internal_login` scope for it (myclinic requests it by default).
 *
 * @see https://is.docs.wso2.com/en/latest/apis/scim2/scim2-me-rest-api/
 * @see https://www.rfc-editor.org/rfc/rfc7644#section-3.11 (/Me)
 */
import 'server-only'
import { auth } from '@/auth'
import { isAuthError } from '@/lib/auth'

/** The parts of a SCIM User the dashboard shows. */
export interface ScimUser {
  id?: string
  userName?: string
  name?: { givenName?: string; familyName?: string; formatted?: string }
  emails?: (string | { value?: string; primary?: boolean })[]
  roles?: ({ display?: string; value?: string } | string)[]
  groups?: ({ display?: string; value?: string } | string)[]
  meta?: { created?: string; lastModified?: string; resourceType?: string }
}

/** The outcome of one SCIM call, as the dashboard, the route handler and the server action report it. */
export type ScimResult = { ok: true; status: 200; user: ScimUser } | { ok: false; status: number; reason: string }

function refusal(status: number): string {
  if (status === 401) return 'The identity server no longer accepts this access token: it was revoked (for example by a logout elsewhere) or it expired.'
  if (status === 403) return 'The access token does not allow reading your profile: the application must request the internal_login scope.'
  return `The identity server's SCIM API answered HTTP ${status}.`
}

/**
 * Calls `/scim2/Me` with a valid access token (refreshed first when due).
 *
 * @returns The profile, or why the call failed.
 */
export async function loadScimProfile(): Promise<ScimResult> {
  try {
    const { tenantPath } = auth.checkConfig()
    const response = await auth.apiFetch(`${tenantPath}/scim2/Me`, { headers: { accept: 'application/scim+json, application/json' } })
    if (response.status !== 200) return { ok: false, status: response.status, reason: refusal(response.status) }
    const user = (await response.json()) as ScimUser
    return typeof user === 'object' && user !== null ? { ok: true, status: 200, user } : { ok: false, status: 502, reason: refusal(502) }
  } catch (error) {
    if (!isAuthError(error)) throw error
    if (error.code === 'session_expired' || error.code === 'login_required') return { ok: false, status: 401, reason: 'Your session has ended. Please log in again.' }
    return { ok: false, status: error.status, reason: 'The identity server could not be reached. Try again in a moment.' }
  }
}
