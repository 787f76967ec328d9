import { redirect } from 'next/navigation'
import { auth } from '../auth.js'

export const dynamic = 'force-dynamic'

/**
 * The dashboard as myclinic's app/page.tsx, minus the design: the page reads the session itself
 * (never trusting that the middleware ran), then shows the greeting, the user's attributes and the
 * access token.
 */
export default async function DashboardPage() {
  const session = await auth()
  if (!session?.user) redirect('/api/auth/signin')
  const attributes = Object.entries(session.attributes ?? {}).filter(([, v]) => v !== null && v !== undefined)
  return (
    <div>
      <h1 data-testid="greeting">Hi {session.user.username ?? session.user.name}</h1>
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
      <code data-testid="access-token">{session.accessToken}</code>
      <p>Valid until {new Date((session.expiresAt ?? 0) * 1000).toISOString()}</p>
    </div>
  )
}
