/** Auth.js's routes: /api/auth/csrf, /api/auth/signin/wso2, /api/auth/callback/wso2, /api/auth/session, ... */
import { handlers } from '../../../../auth.js'

export const { GET, POST } = handlers
