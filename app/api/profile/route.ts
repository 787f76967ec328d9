import { loadScimProfile } from '@/components/scim'

/**
 * `GET /api/profile`: the SCIM profile as JSON, for the app's own client code. The access token is
 * used on the server and never returned. Behind the guard (401 without a session).
 */
export async function GET() {
  const result = await loadScimProfile()
  const body = result.ok ? { status: 200, userName: result.user.userName, id: result.user.id } : { status: result.status, reason: result.reason }
  return Response.json(body, { status: result.ok ? 200 : result.status, headers: { 'cache-control': 'private, no-store' } })
}
