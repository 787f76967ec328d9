import { redirect } from 'next/navigation'
import { auth0 } from '../lib/auth0.js'

export const dynamic = 'force-dynamic'

/**
 * The dashboard as myclinic's app/page.tsx, minus the design: the page reads the session itself
 * (never trusting that the middleware ran), then shows the greeting, the user's attributes and the
 * access token.
 */
export default async function DashboardPage() {
  const session = await auth0.getSession()
  if (!session) redirect('/auth/login')
  const user = session.user
  const attributes = Object.entries(user).filter(([, v]) => v !== null && v !== undefined)
  return (
    <div>
      <h1 data-testid="greeting">Hi {user.username ?? user.preferred_username ?? user.nickname ?? user.sub}</h1>
      <table data-testid="attributes">
        <tbody>
          {attributes.map(([key, value]) => (
            <tr key={key}>
              <th scope="row">{key}</th>
              <td>{typeof value === 'string' ? value : JSON.stringify(value)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h2>Access token</h2>
      <code data-testid="access-token">{session.tokenSet.accessToken}</code>
      <p>Valid until {new Date((session.tokenSet.expiresAt ?? 0) * 1000).toISOString()}</p>
    </div>
  )
}
