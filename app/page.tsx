import type { Metadata } from 'next'
import { decodeJwt, type JWTPayload } from 'jose'
import Link from 'next/link'
import { auth } from '@/auth'
import { checkProfile } from '@/app/actions'
import { claimLabel, claimValue, TIME_CLAIMS } from '@/components/claims'
import { ProfileCheckButton } from '@/components/profile-check'
import { loadScimProfile, type ScimUser } from '@/components/scim'
import { SessionStatus } from '@/components/session-status'
import { KeyValueTable } from '@/components/key-value-table'
import { Countdown, LocalTime } from '@/components/local-time'
import { SecretToken } from '@/components/secret-token'

export const metadata: Metadata = { title: 'Dashboard' }
export const dynamic = 'force-dynamic'

function initials(name: string): string {
  const parts = name.split(/[\s@._-]+/).filter(Boolean)
  return ((parts[0]?.[0] ?? '?') + (parts.length > 1 ? parts[1][0] : '')).toUpperCase()
}

/** The ID token's payload, decoded on the server (it was verified at login; this only reads it). */
function idTokenClaims(idToken: string): JWTPayload | null {
  try {
    return decodeJwt(idToken)
  } catch {
    return null
  }
}

function ClaimCell({ claim, value }: { claim: string; value: unknown }) {
  if (TIME_CLAIMS.has(claim) && typeof value === 'number') {
    return (
      <span className="flex flex-col gap-0.5 font-sans text-sm">
        <LocalTime seconds={value} />
        {claim === 'exp' ? <span className="text-xs text-slate-600 dark:text-slate-400"><Countdown until={value} /></span> : null}
      </span>
    )
  }
  return <>{claimValue(value)}</>
}

function emails(user: ScimUser): string {
  return (user.emails ?? []).map((e) => (typeof e === 'string' ? e : e.value ?? '')).filter(Boolean).join(', ')
}

/** The profile the IS's SCIM API returns for the access token (the dashboard's API call). */
async function ScimCard() {
  const result = await loadScimProfile()
  return (
    <section aria-labelledby="scim-title" className="card card-body min-w-0" data-testid="scim" data-status={result.status}>
      <h2 id="scim-title" className="text-lg font-semibold">Your profile at the identity server</h2>
      <p className="muted mt-1 text-sm">Read from its SCIM 2.0 API (<code className="font-mono">/scim2/Me</code>) with your access token.</p>
      {result.ok ? (
        <KeyValueTable testId="scim-profile" caption="SCIM profile" keyHeader="Field" keyColumnClass="w-2/5">
          {[
            ['User name', result.user.userName],
            ['Name', [result.user.name?.givenName, result.user.name?.familyName].filter(Boolean).join(' ')],
            ['Email', emails(result.user)],
            ['User ID', result.user.id],
          ]
            .filter(([, value]) => value)
            .map(([label, value]) => (
              <tr key={label}>
                <th scope="row">{label}</th>
                <td>{value}</td>
              </tr>
            ))}
        </KeyValueTable>
      ) : (
        <p role="alert" data-testid="scim-error" className="mt-4 rounded-lg border border-amber-300 bg-amber-50 p-3 text-sm text-amber-900 dark:border-amber-700 dark:bg-amber-950 dark:text-amber-100">
          {result.reason} (HTTP {result.status})
        </p>
      )}
      <ProfileCheckButton action={checkProfile} />
    </section>
  )
}

/** The dashboard (the seed's dashboard.html): user card, attributes, tokens and ID token claims, behind the guard. */
export default async function DashboardPage() {
  const session = await auth.requireSession()
  const attributes = Object.entries(session.user).filter(([, v]) => v !== null && v !== undefined)
  const claims = idTokenClaims(session.idToken)
  const claimEntries = claims ? Object.entries(claims).filter(([, v]) => v !== null && v !== undefined) : []
  const user = session.user
  const fullName = [user.given_name, user.family_name].filter((v) => typeof v === 'string' && v).join(' ')
  const email = typeof user.email === 'string' ? user.email : undefined
  const issuerHost = new URL(session.iss).host

  return (
    <div className="space-y-6">
      <section aria-labelledby="greeting" className="card card-body flex flex-col gap-5 sm:flex-row sm:items-center">
        <div className="flex min-w-0 items-center gap-4">
          <span aria-hidden="true" className="grid size-14 shrink-0 place-items-center rounded-full bg-brand-100 text-lg font-bold text-brand-700 dark:bg-brand-900 dark:text-brand-200">
            {initials(fullName || session.username)}
          </span>
          <div className="min-w-0">
            <h1 id="greeting" className="text-2xl font-bold tracking-tight [overflow-wrap:anywhere]" data-testid="greeting">Hi {session.username}</h1>
            {fullName || email ? (
              <p className="mt-0.5 text-slate-700 [overflow-wrap:anywhere] dark:text-slate-300">
                {fullName ? <span className="block sm:inline">{fullName}</span> : null}
                {fullName && email ? <span aria-hidden="true" className="mx-1.5 hidden text-slate-400 sm:inline dark:text-slate-500">·</span> : null}
                {email ? <span className="block sm:inline">{email}</span> : null}
              </p>
            ) : null}
            <p className="muted mt-1 text-sm">
              <span aria-hidden="true" className="mr-1.5 inline-block size-2 rounded-full bg-emerald-600 align-middle dark:bg-emerald-400" />
              Signed in through <span className="font-medium text-slate-900 dark:text-slate-100">{issuerHost}</span>
            </p>
            <SessionStatus />
            <p className="mt-1 text-sm">
              <Link href="/records" className="font-medium text-brand-600 underline underline-offset-2 dark:text-brand-400">Medical records</Link>
              <span className="muted"> (asks you to sign in again after 5 minutes)</span>
            </p>
          </div>
        </div>
        <form method="post" action="/logout" className="sm:ml-auto">
          <button type="submit" className="btn btn-secondary w-full sm:w-auto">
            <svg aria-hidden="true" viewBox="0 0 20 20" className="size-4 fill-current">
              <path d="M4 3a2 2 0 0 0-2 2v10a2 2 0 0 0 2 2h5a1 1 0 1 0 0-2H4V5h5a1 1 0 1 0 0-2H4Zm9.3 3.3a1 1 0 0 1 1.4 0l3 3a1 1 0 0 1 0 1.4l-3 3a1 1 0 0 1-1.4-1.4l1.3-1.3H8a1 1 0 1 1 0-2h6.6l-1.3-1.3a1 1 0 0 1 0-1.4Z" />
            </svg>
            Logout
          </button>
        </form>
      </section>

      <div className="grid items-start gap-6 lg:grid-cols-2">
        <section aria-labelledby="attributes-title" className="card card-body min-w-0">
          <h2 id="attributes-title" className="text-lg font-semibold">User attributes</h2>
          <p className="muted mt-1 text-sm">What the identity server shared with myclinic.</p>
          {attributes.length ? (
            <KeyValueTable testId="attributes" caption="User attributes released by the identity server" keyHeader="Attribute" keyColumnClass="w-2/5">
              {attributes.map(([key, value]) => (
                <tr key={key} data-claim={key}>
                  <th scope="row" title={key}>{claimLabel(key)}</th>
                  <td>{claimValue(value)}</td>
                </tr>
              ))}
            </KeyValueTable>
          ) : (
            <p className="mt-4 text-slate-700 dark:text-slate-300">There are no user attributes selected to the application at the moment.</p>
          )}
        </section>

        <div className="grid min-w-0 gap-6">
          <section aria-labelledby="token-title" className="card card-body min-w-0">
            <div className="flex flex-wrap items-baseline justify-between gap-x-4 gap-y-1">
              <h2 id="token-title" className="text-lg font-semibold">Access token</h2>
              <p className="muted text-sm"><Countdown until={session.expiresAt} /></p>
            </div>
            <p className="muted mt-1 text-sm">
              Sent to APIs as the bearer token. Valid until <LocalTime seconds={session.expiresAt} />.
            </p>
            <div className="mt-4">
              <SecretToken label="Access token" value={session.accessToken} testId="access-token" />
            </div>
          </section>

          <section aria-labelledby="id-token-title" className="card card-body min-w-0">
            <div className="flex flex-wrap items-baseline justify-between gap-x-4 gap-y-1">
              <h2 id="id-token-title" className="text-lg font-semibold">ID token</h2>
              {typeof claims?.exp === 'number' ? <p className="muted text-sm"><Countdown until={claims.exp} /></p> : null}
            </div>
            <p className="muted mt-1 text-sm">
              Proves who signed in; its decoded claims are listed below.
            </p>
            <div className="mt-4">
              <SecretToken label="ID token" value={session.idToken} testId="id-token" />
            </div>
          </section>
        </div>
      </div>

      <ScimCard />

      <section aria-labelledby="claims-title" className="card card-body min-w-0">
        <h2 id="claims-title" className="text-lg font-semibold">ID token claims</h2>
        <p className="muted mt-1 text-sm">Decoded on the server. Times are in your time zone.</p>
        {claimEntries.length ? (
          <KeyValueTable testId="id-token-claims" caption="Claims of the ID token" keyHeader="Claim" keyColumnClass="w-2/5 sm:w-1/4">
            {claimEntries.map(([key, value]) => (
              <tr key={key} data-id-claim={key}>
                <th scope="row">
                  {claimLabel(key)}
                  <span className="block font-mono text-xs font-normal text-slate-600 dark:text-slate-400">{key}</span>
                </th>
                <td><ClaimCell claim={key} value={value} /></td>
              </tr>
            ))}
          </KeyValueTable>
        ) : (
          <p className="mt-4 text-slate-700 dark:text-slate-300">The ID token could not be decoded.</p>
        )}
      </section>
    </div>
  )
}
