import { handleRefresh } from '@/lib/auth'

export const dynamic = 'force-dynamic'

/** Token refresh detour for documents, sent here by the edge guard when the access token is due. */
export const GET = (request: Request) => handleRefresh(request)
