import { auth } from '@/auth'

/** The signed-in user for client components (useSession); never a token. */
export const { GET } = auth.handlers.session
