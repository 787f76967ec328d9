import type { Metadata } from 'next'
import { auth } from '@/auth'

export const metadata: Metadata = { title: 'Sign in' }
export const dynamic = 'force-dynamic'

const STEPS = [
  { title: 'Choose Login', text: 'myclinic sends you to your identity server.' },
  { title: 'Sign in there', text: 'Enter your clinic account password on the identity server, never on myclinic.' },
  { title: 'Back to your dashboard', text: 'See your details and session, then log out when you are done.' },
]

/** The public landing page (the seed's index.html), also where the IS sends users after logout. */
export default async function SignInPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const params = await searchParams
  const returnTo = typeof params.returnTo === 'string' ? params.returnTo : undefined
  const loginHref = auth.signInUrl({ returnTo })
  const signUpHref = auth.signUpUrl()
  const session = await auth.getSession()
  const ended = params.reason === 'session_ended'

  return (
    <div className="mx-auto grid max-w-4xl items-start gap-6 md:grid-cols-[3fr_2fr]">
      <section aria-labelledby="welcome-title" className="card overflow-hidden">
        <div aria-hidden="true" className="h-1.5 bg-linear-to-r from-brand-600 via-brand-500 to-brand-400" />
        <div className="p-6 sm:p-8">
          <p className="eyebrow">Patient portal</p>
          <h1 id="welcome-title" className="mt-2 text-3xl font-bold tracking-tight sm:text-4xl">Welcome to myclinic</h1>
          {ended && !session ? (
            <p role="status" data-testid="session-ended" className="mt-5 flex gap-2 rounded-lg border border-amber-300 bg-amber-50 p-3 text-sm text-amber-900 dark:border-amber-700 dark:bg-amber-950 dark:text-amber-100">
              <svg aria-hidden="true" viewBox="0 0 20 20" className="mt-0.5 size-4 shrink-0 fill-current">
                <path d="M10 2a8 8 0 1 0 0 16 8 8 0 0 0 0-16Zm0 4a1 1 0 0 1 1 1v3.5a1 1 0 1 1-2 0V7a1 1 0 0 1 1-1Zm0 8.5a1.2 1.2 0 1 1 0-2.4 1.2 1.2 0 0 1 0 2.4Z" />
              </svg>
              Your session has ended. Please log in again.
            </p>
          ) : null}
          <p className="mt-4 text-slate-700 dark:text-slate-300">
            Sign in with your clinic account. You will be taken to the identity server (WSO2 Identity Server or Asgardeo)
            and brought back here once you are signed in.
          </p>
          <div className="mt-8">
            {session ? (
              <a href="/" className="btn btn-primary w-full sm:w-auto">
                Continue as {session.username}
              </a>
            ) : (
              <div className="flex flex-wrap items-center gap-3">
                <a href={loginHref} className="btn btn-primary w-full px-8 sm:w-auto">
                  Login
                </a>
                {signUpHref ? (
                  <a href={signUpHref} className="btn btn-secondary w-full sm:w-auto">
                    Create account
                  </a>
                ) : null}
              </div>
            )}
          </div>
          {session ? null : (
            <form method="get" action="/login" className="mt-6 flex flex-wrap items-end gap-2" aria-labelledby="org-title">
              <label className="flex min-w-0 flex-col gap-1 text-sm">
                <span id="org-title" className="font-medium">Sign in with your organization</span>
                <input name="org" required maxLength={64} placeholder="Organization name" className="min-h-11 rounded-lg border border-slate-300 bg-white px-3 dark:border-slate-600 dark:bg-slate-900" />
              </label>
              {returnTo ? <input type="hidden" name="returnTo" value={returnTo} /> : null}
              <button type="submit" className="btn btn-secondary">Continue</button>
            </form>
          )}
          <p className="muted mt-6 flex gap-2 text-sm">
            <svg aria-hidden="true" viewBox="0 0 20 20" className="mt-0.5 size-4 shrink-0 fill-current">
              <path d="M10 1 3 4v5c0 4.4 3 8.4 7 9.5 4-1.1 7-5.1 7-9.5V4l-7-3Zm3.7 6.7-4.5 4.5a1 1 0 0 1-1.4 0l-2-2a1 1 0 1 1 1.4-1.4l1.3 1.3 3.8-3.8a1 1 0 0 1 1.4 1.4Z" />
            </svg>
            <span>
              Sign-in uses the OpenID Connect authorization code flow with PKCE. Your tokens stay on the server side in
              an encrypted cookie.
            </span>
          </p>
        </div>
      </section>

      <section aria-labelledby="steps-title" className="card card-body">
        <h2 id="steps-title" className="text-base font-semibold">How signing in works</h2>
        <ol className="mt-4 space-y-4">
          {STEPS.map((step, i) => (
            <li key={step.title} className="flex gap-3">
              <span aria-hidden="true" className="grid size-7 shrink-0 place-items-center rounded-full bg-brand-100 text-sm font-bold text-brand-700 dark:bg-brand-900 dark:text-brand-200">
                {i + 1}
              </span>
              <span>
                <span className="block font-medium">{step.title}</span>
                <span className="muted block text-sm">{step.text}</span>
              </span>
            </li>
          ))}
        </ol>
      </section>
    </div>
  )
}
