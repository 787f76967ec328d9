import { handleBackchannelLogout } from '@/lib/auth'

export const dynamic = 'force-dynamic'

/** OIDC Back-Channel Logout 1.0: register https://<app>/logout/backchannel on the IS application. */
export const POST = (request: Request) => handleBackchannelLogout(request)
