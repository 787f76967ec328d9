'use client'

import { useSession } from '@/lib/auth/react'
import { LocalTime } from './local-time'

/** The session as client code sees it (useSession): who, and when the session ends. Never a token. */
export function SessionStatus() {
  const session = useSession()
  if (session.status === 'loading') return <p className="muted text-sm" data-testid="session-status" data-state="loading">Checking your session…</p>
  if (session.status !== 'authenticated') return <p className="muted text-sm" data-testid="session-status" data-state={session.status}>Not signed in.</p>
  return (
    <p className="muted text-sm" data-testid="session-status" data-state="authenticated">
      Signed in as <span className="font-medium text-slate-900 dark:text-slate-100">{session.user.username}</span>. Without activity, this
      session ends at <LocalTime seconds={Math.floor(session.expiresAt / 1000)} />.
    </p>
  )
}
