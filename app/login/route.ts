import { auth } from '@/auth'

/** Login start and OIDC callback (the registered redirect_uri), as the seed app's /login. */
export const { GET } = auth.handlers.login
