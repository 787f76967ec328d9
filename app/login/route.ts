import { handleLogin } from '@/lib/auth'

export const dynamic = 'force-dynamic'

/** Login start and OIDC callback (the registered redirect_uri), as the seed app's /login. */
export const GET = (request: Request) => handleLogin(request)
