import { auth } from '@/auth'

/** OIDC Back-Channel Logout 1.0: register https://<app>/logout/backchannel on the IS application. */
export const { POST } = auth.handlers.backchannelLogout
