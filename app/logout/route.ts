import { handleLogoutGet, handleLogoutPost } from '@/lib/auth'

export const dynamic = 'force-dynamic'

/** POST from the Logout button; GET from a link or a typed URL (see the logout CSRF policy in the README). */
export const POST = (request: Request) => handleLogoutPost(request)
export const GET = (request: Request) => handleLogoutGet(request)
