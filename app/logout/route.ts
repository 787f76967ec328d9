import { auth } from '@/auth'

/** POST from the Logout button; GET from a link or a typed URL (see the logout CSRF policy in the README). */
export const { GET, POST } = auth.handlers.logout
