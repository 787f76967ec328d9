import { describe, expect, it } from 'vitest'
import { parseSessionConfig } from './config'
import { parseCookies } from './cookies'
import {
  MAX_TRANSACTIONS,
  pendingTransactionNames,
  readTransaction,
  sealTransaction,
  transactionCookieHeaders,
  transactionCookieName,
  type Transaction,
} from './transaction'

const config = parseSessionConfig({ AUTH_SESSION_SECRET: 't'.repeat(32) })

function txn(state = 'S'.repeat(43)): Transaction {
  return { state, nonce: 'n'.repeat(43), codeVerifier: 'v'.repeat(43), returnTo: '/x', createdAt: 1 }
}

describe('transaction', () => {
  it('is sealed into a cookie named after its state', async () => {
    const t = txn()
    const seal = await sealTransaction(t, config)
    const [header] = transactionCookieHeaders(t, seal, [], config)
    expect(header).toMatch(/^__Host-myclinic-txn\.S{43}=Fe26\.2\*.*Max-Age=600; HttpOnly; Secure; SameSite=Lax$/)
    expect(header).not.toContain(t.codeVerifier)
    const cookies = parseCookies(header.split(';')[0])
    expect(await readTransaction(cookies, t.state, config)).toEqual(t)
  })

  it('is not found for another state, a missing state or a garbled cookie', async () => {
    const t = txn()
    const seal = await sealTransaction(t, config)
    const cookies = new Map([[transactionCookieName(t.state, config), seal]])
    expect(await readTransaction(cookies, 'X'.repeat(43), config)).toBeNull()
    expect(await readTransaction(cookies, null, config)).toBeNull()
    expect(await readTransaction(cookies, '', config)).toBeNull()
    const garbled = new Map([[transactionCookieName(t.state, config), seal.replace(/.$/, 'x')]])
    expect(await readTransaction(garbled, t.state, config)).toBeNull()
  })

  it('refuses a transaction copied under another state name', async () => {
    const t = txn('A'.repeat(43))
    const seal = await sealTransaction(t, config)
    const other = 'B'.repeat(43)
    expect(await readTransaction(new Map([[transactionCookieName(other, config), seal]]), other, config)).toBeNull()
  })

  it('keeps several logins apart and caps them', async () => {
    const names = Array.from({ length: MAX_TRANSACTIONS }, (_, i) => transactionCookieName(`${i}`.repeat(43), config))
    const cookies = new Map(names.map((n) => [n, 'x']))
    const pending = pendingTransactionNames(cookies, config)
    expect(pending).toEqual(names)
    const t = txn()
    const headers = transactionCookieHeaders(t, await sealTransaction(t, config), pending, config)
    expect(headers).toHaveLength(2)
    expect(headers[1]).toMatch(new RegExp(`^${names[0].replace('.', '\\.')}=; .*Max-Age=0`))
  })
})
