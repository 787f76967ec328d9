'use client'

import { useActionState } from 'react'
import type { ProfileCheck } from '@/app/actions'

/** "Check again": runs the server action that calls the SCIM API, and shows what it answered. */
export function ProfileCheckButton({ action }: { action: () => Promise<ProfileCheck> }) {
  const [result, run, pending] = useActionState(async () => action(), null as ProfileCheck | null)
  return (
    <form action={run} className="mt-4 flex flex-wrap items-center gap-3">
      <button type="submit" className="btn btn-secondary btn-sm" disabled={pending}>
        {pending ? 'Checking…' : 'Check again'}
      </button>
      {result ? (
        <span role="status" data-testid="profile-check" data-status={result.status} className="text-sm">
          {result.status === 200 ? `The identity server confirmed ${result.userName ?? 'your profile'}.` : result.reason}
        </span>
      ) : null}
    </form>
  )
}
