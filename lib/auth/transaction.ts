/**
 * The login transaction: PKCE verifier, state, nonce, returnTo and the login parameters, sealed
 * into a short-lived cookie. The state in the callback must find its own transaction in this
 * browser (RFC 9700 2.1, 4.7.1).
 *
 * Cookies never pile up, however the browser is driven: transactions live in a fixed number of
 * slots (the slot is the first character of the state), so parallel `/login` requests overwrite a
 * slot instead of adding cookies, and each cookie is bounded in bytes after encoding. An anonymous
 * browser's Cookie header therefore stays under 8 KB (nginx's default header line limit) whatever
 * it is sent, and `/login` deletes any other cookie that carries the transaction prefix.
 *
 * Edge-safe.
 *
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-4.7.1
 */
import type { SessionSettings } from './config'
import { deleteCookie, serializeCookie } from './cookies'
import type { LoginParams } from './login-params'
import { seal, unseal } from './seal'

/** What a transaction cookie seals. */
export interface Transaction {
  v: 1
  /** Slot digit followed by 43 random base64url characters. */
  state: string
  nonce: string
  codeVerifier: string
  /** A safe same-origin path. */
  returnTo: string
  /** Milliseconds since the epoch. */
  createdAt: number
  params: LoginParams
}

/** A login has ten minutes to come back (the IS's own code lifetime is five). */
export const TRANSACTION_TTL = 600
/** At most this many pending logins per browser. */
export const MAX_TRANSACTIONS = 4
/** Largest `name=value` of one transaction cookie, in bytes. */
export const MAX_TRANSACTION_COOKIE = 1800

/** A state is a slot digit and 43 base64url characters (what oauth4webapi's generator makes). */
export function isValidState(state: string | null | undefined): state is string {
  return typeof state === 'string' && new RegExp(`^[0-${MAX_TRANSACTIONS - 1}][A-Za-z0-9_-]{43}$`).test(state)
}

/** The cookie name of a slot. */
export function slotCookieName(slot: number, settings: Pick<SessionSettings, 'transactionPrefix'>): string {
  return `${settings.transactionPrefix}${slot}`
}

/** The cookie that holds the transaction for `state`. */
export function transactionCookieName(state: string, settings: Pick<SessionSettings, 'transactionPrefix'>): string {
  return slotCookieName(Number(state[0]), settings)
}

function isTransaction(data: unknown): data is Transaction {
  const t = data as Record<string, unknown>
  return (
    typeof t === 'object' && t !== null && t.v === 1 &&
    typeof t.state === 'string' && typeof t.nonce === 'string' && typeof t.codeVerifier === 'string' &&
    typeof t.returnTo === 'string' && typeof t.createdAt === 'number' &&
    typeof t.params === 'object' && t.params !== null && !Array.isArray(t.params)
  )
}

/**
 * Reads the transaction for `state`: it must unseal and carry exactly that state, so a cookie
 * copied under another slot is refused.
 *
 * @param cookies - Request cookies.
 * @param state - The `state` of the callback.
 * @param settings - Secrets and cookie prefix.
 * @returns The transaction, or null.
 */
export async function readTransaction(cookies: Map<string, string>, state: string | null, settings: Pick<SessionSettings, 'secrets' | 'transactionPrefix'>): Promise<Transaction | null> {
  if (!isValidState(state)) return null
  const value = cookies.get(transactionCookieName(state, settings))
  if (!value || value.length > MAX_TRANSACTION_COOKIE) return null
  const txn = await unseal(value, settings.secrets, TRANSACTION_TTL, isTransaction)
  return txn && txn.state === state ? txn : null
}

/** Names of cookies carrying the transaction prefix. */
export function transactionCookieNames(cookies: Map<string, string>, settings: Pick<SessionSettings, 'transactionPrefix'>): string[] {
  return [...cookies.keys()].filter((name) => name.startsWith(settings.transactionPrefix))
}

/**
 * Picks the slot for a new transaction: a free one at random (so parallel tabs rarely collide),
 * else the oldest.
 *
 * @param cookies - Request cookies.
 * @param settings - Secrets and prefix.
 * @returns A slot number.
 */
export async function chooseSlot(cookies: Map<string, string>, settings: Pick<SessionSettings, 'secrets' | 'transactionPrefix'>): Promise<number> {
  const ages: number[] = []
  const free: number[] = []
  for (let slot = 0; slot < MAX_TRANSACTIONS; slot++) {
    const value = cookies.get(slotCookieName(slot, settings))
    const txn = value && value.length <= MAX_TRANSACTION_COOKIE ? await unseal(value, settings.secrets, TRANSACTION_TTL, isTransaction) : null
    if (!txn) free.push(slot)
    ages[slot] = txn?.createdAt ?? 0
  }
  if (free.length) return free[Math.floor(Math.random() * free.length)]
  return ages.indexOf(Math.min(...ages))
}

/**
 * Seals the transaction and returns its Set-Cookie header, or null when it would exceed
 * {@link MAX_TRANSACTION_COOKIE} (the caller then retries without returnTo, or refuses).
 *
 * @param txn - The transaction.
 * @param settings - Secrets, prefix and Secure flag.
 * @returns The Set-Cookie value or null.
 */
export async function transactionCookie(txn: Transaction, settings: Pick<SessionSettings, 'secrets' | 'transactionPrefix' | 'secure'>): Promise<string | null> {
  const name = transactionCookieName(txn.state, settings)
  const value = await seal(txn, settings.secrets, TRANSACTION_TTL)
  if (name.length + 1 + value.length > MAX_TRANSACTION_COOKIE) return null
  // SameSite=Lax: the callback is a top-level GET from the IS, which Strict would drop.
  return serializeCookie(name, value, { secure: settings.secure, maxAge: TRANSACTION_TTL })
}

/**
 * Deletions for every transaction-prefixed cookie that is not a slot, or is a slot too large to
 * be ours (stale cookies of an older version, or pushed in by another site on the same host).
 *
 * @param cookies - Request cookies.
 * @param settings - Prefix and Secure flag.
 * @returns Set-Cookie deletions.
 */
export function staleTransactionCookies(cookies: Map<string, string>, settings: Pick<SessionSettings, 'transactionPrefix' | 'secure'>): string[] {
  const slots = new Set(Array.from({ length: MAX_TRANSACTIONS }, (_, i) => slotCookieName(i, settings)))
  return transactionCookieNames(cookies, settings)
    .filter((name) => !slots.has(name) || cookies.get(name)!.length > MAX_TRANSACTION_COOKIE)
    .map((name) => deleteCookie(name, settings.secure))
}
