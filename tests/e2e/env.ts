/**
 * Settings shared by playwright.config.ts and the specs. By default the suite runs against the
 * local WSO2 IS stand-in (tests/local-is), started by Playwright. With AUTH_SERVER_ORIGIN and
 * E2E_USERNAME / E2E_PASSWORD set it runs against that real WSO2 IS or Asgardeo instead, and the
 * specs that need the stand-in's test control are skipped.
 */
export const REAL_IS = Boolean(process.env.E2E_USERNAME && process.env.AUTH_SERVER_ORIGIN)

export const APP_PORT = Number(process.env.E2E_APP_PORT || 5000)
export const TENANT_APP_PORT = APP_PORT + 1
export const IS_PORT = Number(process.env.LOCAL_IS_PORT || 9443)
export const APP_URL = `https://localhost:${APP_PORT}`
export const IS_URL = REAL_IS ? process.env.AUTH_SERVER_ORIGIN! : `https://localhost:${IS_PORT}`

export const USERNAME = process.env.E2E_USERNAME || 'admin'
export const PASSWORD = process.env.E2E_PASSWORD || 'admin'

/** A fixed secret for the test app; the test app never holds real user data. */
export const TEST_SESSION_SECRET = 'e2e-session-secret-0123456789-abcdefghijklmnop'

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
    AUTH_CLIENT_ID: 'u4SHfHP772VBYhSffz7hDrX7QiQa',
    AUTH_CLIENT_SECRET: 'EU_tx0VLEfzTattupXFbeZqO3_0a',
    AUTH_CERTIFICATE_PATH: 'certs/local-is.crt',
    AUTH_SESSION_SECRET: TEST_SESSION_SECRET,
    ...overrides,
  }
}
