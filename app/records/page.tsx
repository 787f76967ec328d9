import type { Metadata } from 'next'
import Link from 'next/link'
import { auth } from '@/auth'
import { LocalTime } from '@/components/local-time'

export const metadata: Metadata = { title: 'Medical records' }

/**
 * How recent a sign-in this page needs, in seconds: five minutes. RECORDS_MAX_AGE lets the
 * end-to-end suite shorten it.
 */
function maxAge(): number {
  const value = Number(process.env.RECORDS_MAX_AGE)
  return Number.isInteger(value) && value >= 0 ? value : 300
}

/**
 * A sensitive page: it needs a sign-in at the IS within the last five minutes (step-up). An older
 * session is sent through a new login with `max_age`, and the IS's `auth_time` is checked on return
 * (OIDC Core 3.1.2.1 and 3.1.3.7).
 */
export default async function RecordsPage() {
  const limit = maxAge()
  const session = await auth.requireSession({ maxAge: limit, returnTo: '/records' })
  return (
    <section aria-labelledby="records-title" className="card card-body mx-auto max-w-2xl">
      <p className="eyebrow">Recently verified</p>
      <h1 id="records-title" className="mt-2 text-2xl font-bold tracking-tight">Medical records</h1>
      <p className="mt-3 text-slate-700 dark:text-slate-300">
        This page asks for a sign-in within the last {limit >= 60 ? `${Math.round(limit / 60)} minutes` : `${limit} seconds`}. You signed in at the
        identity server at <span data-testid="auth-time">{session.authTime ? <LocalTime seconds={session.authTime} /> : 'an unknown time'}</span>.
      </p>
      <p className="muted mt-3 text-sm">No records are kept in this demo.</p>
      <p className="mt-6">
        <Link href="/" className="btn btn-secondary">Back to the dashboard</Link>
      </p>
    </section>
  )
}
