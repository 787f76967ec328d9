import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'

export default defineConfig({
  resolve: {
    alias: {
      // `server-only` throws outside React Server Components; unit tests run lib/auth in plain Node.
      'server-only': fileURLToPath(new URL('./tests/unit/server-only-stub.ts', import.meta.url)),
      '@/': fileURLToPath(new URL('./', import.meta.url)),
    },
  },
  test: {
    include: ['tests/unit/**/*.test.{ts,mjs}', 'tests/local-is/**/*.test.mjs'],
    environment: 'node',
    testTimeout: 20000,
    hookTimeout: 30000,
  },
})
