import { readFileSync } from 'node:fs'
import { Agent, fetch } from 'undici'

/**
 * Plain requests with exactly the headers given (no cookie jar), for the mutation tests: each
 * request carries the cookies the test chooses, nothing a previous response set.
 */
const agent = new Agent({ connect: { ca: readFileSync('certs/app.crt') }, keepAliveTimeout: 10_000 })

export async function raw(url: string, headers: Record<string, string>, method = 'GET') {
  const response = await fetch(url, { method, headers, redirect: 'manual', dispatcher: agent })
  const text = await response.text()
  return { status: response.status, headers: response.headers, text }
}
