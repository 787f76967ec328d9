import { getAuthConfig } from './lib/auth/config'

if (process.env.NEXT_PHASE !== 'phase-production-build') {
  try {
    getAuthConfig()
  } catch (error) {
    console.error(`\n[auth] ${(error as Error).message}\n`)
    process.exit(1)
  }
}
