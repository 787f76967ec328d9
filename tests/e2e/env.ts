/**
 * Settings shared by playwright.config.ts and the specs. By default the suite runs against the
 * local WSO2 IS stand-in (tests/local-is), started by Playwright. With AUTH_SERVER_ORIGIN and
 * E2E_USERNAME / E2E_PASSWORD set it runs against that real WSO2 IS or Asgardeo instead, and the
 * specs that need the stand-in's test control are skipped.
 */
import { readFileSync } from 'node:fs'

export const REAL_IS = Boolean(process.env.E2E_USERNAME && process.env.AUTH_SERVER_ORIGIN)

/** The stand-in's seeded `myclinic` client (tests/local-is/seed/clients.json), the one place its id and secret live. */
export const LOCAL_CLIENT = (() => {
  const clients = JSON.parse(readFileSync(new URL('../local-is/seed/clients.json', import.meta.url), 'utf8')) as { name: string; client_id: string; client_secret?: string }[]
  const client = clients.find((c) => c.name === 'myclinic')!
  return { id: client.client_id, secret: client.client_secret! }
})()

export const APP_PORT = Number(process.env.E2E_APP_PORT || 5000)
export const TENANT_APP_PORT = APP_PORT + 1
export const IS_PORT = Number(process.env.LOCAL_IS_PORT || 9443)
export const APP_URL = `https://localhost:${APP_PORT}`
export const IS_URL = REAL_IS ? process.env.AUTH_SERVER_ORIGIN! : `https://localhost:${IS_PORT}`

export const USERNAME = process.env.E2E_USERNAME || 'admin'
export const PASSWORD = process.env.E2E_PASSWORD || 'admin'

/** A fixed, random secret for the test app (the app refuses guessable ones); it never holds real user data. */
export const TEST_SESSION_SECRET = 'tq2Xv9bKcR7mW4pZsL1yN8uF3gH6jD0aE5oI2kVbQwY='
/** A second random secret, for the rotation test. */
export const ROTATED_SESSION_SECRET = 'Zk4NqT8rXw2LmB6vYc1PsH9gF3jU7aE0oD5iR2tKbMn='

/** Environment of the app under test (local IS mode). */
export function appEnv(overrides: Record<string, string> = {}): Record<string, string> {
  if (REAL_IS) {
    return {
      ...(process.env as Record<string, string>),
      PORT: String(APP_PORT),
      AUTH_SESSION_SECRET: process.env.AUTH_SESSION_SECRET || TEST_SESSION_SECRET,
      ...overrides,
    }
  }
  return {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    NODE_ENV: 'production',
    PORT: String(APP_PORT),
    AUTH_SERVER_ORIGIN: IS_URL,
    AUTH_CLIENT_ID: LOCAL_CLIENT.id,
    AUTH_CLIENT_SECRET: LOCAL_CLIENT.secret,
    AUTH_CERTIFICATE_PATH: 'certs/local-is.crt',
    AUTH_SESSION_SECRET: TEST_SESSION_SECRET,
    ...overrides,
  }
}
