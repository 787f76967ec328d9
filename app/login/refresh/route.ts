import { auth } from '@/auth'

/** Token refresh detour for documents, sent here by the edge guard when the access token is due. */
export const { GET } = auth.handlers.refresh
