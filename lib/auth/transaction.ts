/**
 * The login transaction: PKCE verifier, state, nonce and returnTo, sealed into its own short-lived
 * cookie named after the state. One cookie per login attempt lets several tabs log in at once
 * (anchors 4.8); the state in the name binds the callback to the browser that started it
 * (RFC 9700 2.1, 4.7.1). Cookies are capped so abandoned attempts cannot pile up into a 431.
 *
 * Edge-safe.
 */
import { sealData, unsealData } from 'iron-session'
import type { SessionConfig } from './config'
import { deleteCookie, serializeCookie } from './cookies'
import { SEAL_PATTERN } from './session'

export interface Transaction {
  state: string
  nonce: string
  codeVerifier: string
  returnTo: string
  createdAt: number
}

/** A login has ten minutes to come back (the IS's own code lifetime is five). */
export const TRANSACTION_TTL = 600
/** At most this many pending logins per browser; the oldest are dropped first. */
export const MAX_TRANSACTIONS = 5

export function transactionPrefix(config: SessionConfig): string {
  return config.secure ? '__Host-myclinic-txn.' : 'myclinic-txn.'
}

/** States from oauth4webapi are 43 base64url characters; anything else never names a cookie. */
export function isValidState(state: string | null | undefined): state is string {
  return typeof state === 'string' && /^[A-Za-z0-9_-]{16,128}$/.test(state)
}

export function transactionCookieName(state: string, config: SessionConfig): string {
  return `${transactionPrefix(config)}${state}`
}

export async function sealTransaction(txn: Transaction, config: SessionConfig): Promise<string> {
  return sealData(txn, { password: { [config.sealId]: config.passwords[config.sealId] }, ttl: TRANSACTION_TTL })
}

export async function unsealTransaction(seal: string, config: SessionConfig): Promise<Transaction | null> {
  if (seal.length > 4096 || !SEAL_PATTERN.test(seal)) return null
  try {
    const data = await unsealData<Record<string, unknown>>(seal, { password: config.passwords, ttl: TRANSACTION_TTL })
    if (
      typeof data?.state === 'string' &&
      typeof data.nonce === 'string' &&
      typeof data.codeVerifier === 'string' &&
      typeof data.returnTo === 'string' &&
      typeof data.createdAt === 'number'
    ) {
      return data as unknown as Transaction
    }
    return null
  } catch {
    return null
  }
}

/**
 * Reads the transaction for `state` from the cookies. It must unseal and carry exactly that state:
 * a cookie copied under another name is refused.
 */
export async function readTransaction(
  cookies: Map<string, string>,
  state: string | null,
  config: SessionConfig,
): Promise<Transaction | null> {
  if (!isValidState(state)) return null
  const seal = cookies.get(transactionCookieName(state, config))
  if (!seal) return null
  const txn = await unsealTransaction(seal, config)
  return txn && txn.state === state ? txn : null
}

export function pendingTransactionNames(cookies: Map<string, string>, config: SessionConfig): string[] {
  const prefix = transactionPrefix(config)
  return [...cookies.keys()].filter((name) => name.startsWith(prefix))
}

/**
 * Set-Cookie headers for a new transaction, evicting the oldest pending ones beyond the cap.
 * Cookie order in the request header follows creation order in browsers, so the first names are the oldest.
 */
export function transactionCookieHeaders(
  txn: Transaction,
  seal: string,
  pending: string[],
  config: SessionConfig,
): string[] {
  const headers = [
    // SameSite=Lax: the callback is a top-level GET from the IS, which Strict would drop (rp-security SC-02).
    serializeCookie(transactionCookieName(txn.state, config), seal, { secure: config.secure, maxAge: TRANSACTION_TTL }),
  ]
  const excess = pending.length + 1 - MAX_TRANSACTIONS
  for (const name of pending.slice(0, Math.max(0, excess))) headers.push(deleteCookie(name, config.secure))
  return headers
}
