import { auth } from './auth'

if (process.env.NEXT_PHASE !== 'phase-production-build') {
  try {
    auth.checkConfig()
  } catch (error) {
    console.error(`\n[auth] ${(error as Error).message}\n`)
    process.exit(1)
  }
}
