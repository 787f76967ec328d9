'use server'
/**
 * Server actions of the dashboard. Each one checks the session itself (a server action is a POST to
 * the page's URL, so the guard is not enough) and calls the API with `auth.getAccessToken()`,
 * which refreshes the token when due and writes the refreshed session back.
 */
import { loadScimProfile } from '@/components/scim'

/** What the "Check again" button shows. */
export interface ProfileCheck {
  status: number
  userName?: string
  reason?: string
  /** When the check ran, ms since the epoch. */
  at: number
}

/** Re-reads the profile from the IS's SCIM API. */
export async function checkProfile(): Promise<ProfileCheck> {
  const result = await loadScimProfile()
  return result.ok ? { status: 200, userName: result.user.userName, at: Date.now() } : { status: result.status, reason: result.reason, at: Date.now() }
}
