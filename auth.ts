/**
 * The app's auth object: lib/auth configured for myclinic. Everything else (client id, IS origin,
 * secrets) comes from the AUTH_* environment at run time, so one build runs against any IS.
 */
import { createAuth } from '@/lib/auth'

export const auth = createAuth({ appName: 'myclinic', routes: { signIn: '/signin' } })
