import type { Metadata } from 'next'
import { getSession } from '@/lib/auth'
import { safeReturnTo } from '@/lib/auth/redirect'
import { getSessionConfig } from '@/lib/auth/config'

export const metadata: Metadata = { title: 'Sign in' }
export const dynamic = 'force-dynamic'

/** The public landing page (the seed's index.html), also where the IS sends users after logout. */
export default async function SignInPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const params = await searchParams
  const raw = typeof params.returnTo === 'string' ? params.returnTo : undefined
  const returnTo = safeReturnTo(raw, getSessionConfig().appOrigin)
  const loginHref = returnTo === '/' ? '/login' : `/login?returnTo=${encodeURIComponent(returnTo)}`
  const session = await getSession()
  const ended = params.reason === 'session_ended'

  return (
    <section className="mx-auto max-w-xl rounded-2xl border border-slate-200 bg-white p-8 shadow-sm dark:border-slate-800 dark:bg-slate-900">
      <p className="text-sm font-semibold uppercase tracking-wider text-brand-600 dark:text-brand-500">Patient portal</p>
      <h1 className="mt-2 text-3xl font-bold tracking-tight">Welcome to myclinic</h1>
      {ended && !session ? (
        <p role="status" data-testid="session-ended" className="mt-4 rounded-lg border border-amber-300 bg-amber-50 p-3 text-amber-900 dark:border-amber-700 dark:bg-amber-950 dark:text-amber-100">
          Your session has ended. Please log in again.
        </p>
      ) : null}
      <p className="mt-3 text-slate-700 dark:text-slate-300">
        Sign in with your clinic account. You will be taken to the identity server (WSO2 Identity Server or Asgardeo)
        and brought back here once you are signed in.
      </p>
      {session ? (
        <a href="/" className="mt-8 inline-flex items-center rounded-lg bg-brand-600 px-6 py-3 font-semibold text-white hover:bg-brand-700 dark:bg-brand-500 dark:text-slate-950">
          Continue as {session.username}
        </a>
      ) : (
        <a href={loginHref} className="mt-8 inline-flex items-center rounded-lg bg-brand-600 px-6 py-3 font-semibold text-white hover:bg-brand-700 dark:bg-brand-500 dark:text-slate-950">
          Login
        </a>
      )}
      <p className="mt-8 text-sm text-slate-600 dark:text-slate-400">
        Sign-in uses the OpenID Connect authorization code flow with PKCE. Your tokens stay on the server side in an
        encrypted cookie.
      </p>
    </section>
  )
}
