import type { Metadata } from 'next'
import { requireSession } from '@/lib/auth'

export const metadata: Metadata = { title: 'Dashboard' }
export const dynamic = 'force-dynamic'

/** given_name → "Given name". */
function label(claim: string): string {
  const text = claim.replace(/[_-]+/g, ' ').replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase()
  return text.charAt(0).toUpperCase() + text.slice(1)
}

function display(value: unknown): string {
  if (Array.isArray(value)) return value.map((v) => display(v)).join(', ')
  if (typeof value === 'object' && value !== null) return JSON.stringify(value)
  return String(value)
}

/** The dashboard (the seed's dashboard.html): user attributes and the access token, behind the guard. */
export default async function DashboardPage() {
  const session = await requireSession('/')
  const attributes = Object.entries(session.user).filter(([, v]) => v !== null && v !== undefined)

  return (
    <div className="space-y-8">
      <section className="flex flex-col gap-4 rounded-2xl border border-slate-200 bg-white p-6 shadow-sm sm:flex-row sm:items-center dark:border-slate-800 dark:bg-slate-900">
        <div>
          <h1 className="text-2xl font-bold tracking-tight" data-testid="greeting">Hi {session.username}</h1>
          <p className="mt-1 text-sm text-slate-600 dark:text-slate-400">
            Signed in through <span className="font-medium">{new URL(session.iss).host}</span>
          </p>
        </div>
        <form method="post" action="/logout" className="sm:ml-auto">
          <button type="submit" className="rounded-lg border border-slate-300 px-5 py-2.5 font-semibold hover:bg-slate-100 dark:border-slate-700 dark:hover:bg-slate-800">
            Logout
          </button>
        </form>
      </section>

      <section aria-labelledby="attributes-title" className="rounded-2xl border border-slate-200 bg-white p-6 shadow-sm dark:border-slate-800 dark:bg-slate-900">
        <h2 id="attributes-title" className="text-lg font-semibold">Available user attributes</h2>
        {attributes.length ? (
          <div className="mt-4 overflow-x-auto">
            <table className="w-full text-left text-sm" data-testid="attributes">
              <thead>
                <tr className="border-b border-slate-200 dark:border-slate-700">
                  <th scope="col" className="py-2 pr-4 font-semibold">User attribute name</th>
                  <th scope="col" className="py-2 font-semibold">Value</th>
                </tr>
              </thead>
              <tbody>
                {attributes.map(([key, value]) => (
                  <tr key={key} data-claim={key} className="border-b border-slate-100 last:border-0 dark:border-slate-800">
                    <th scope="row" className="py-2 pr-4 font-medium text-slate-700 dark:text-slate-300">{label(key)}</th>
                    <td className="break-all py-2 font-mono">{display(value)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : (
          <p className="mt-4 text-slate-700 dark:text-slate-300">There are no user attributes selected to the application at the moment.</p>
        )}
      </section>

      <section aria-labelledby="token-title" className="rounded-2xl border border-slate-200 bg-white p-6 shadow-sm dark:border-slate-800 dark:bg-slate-900">
        <h2 id="token-title" className="text-lg font-semibold">Access token</h2>
        <p className="mt-1 text-sm text-slate-600 dark:text-slate-400">
          Expires at {new Date(session.expiresAt * 1000).toISOString()}
        </p>
        <pre className="mt-4 overflow-x-auto whitespace-pre-wrap break-all rounded-lg bg-slate-100 p-4 font-mono text-sm dark:bg-slate-800" data-testid="access-token">{session.accessToken}</pre>
      </section>
    </div>
  )
}
