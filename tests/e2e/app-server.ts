import { spawn, type ChildProcess } from 'node:child_process'
import { request } from '@playwright/test'
import { appEnv } from './env'

/**
 * Starts another instance of the production build (same .next) with its own environment, for
 * specs that need a different configuration (tenant, short timeouts, rotated secrets).
 */
export async function startApp(port: number, overrides: Record<string, string>): Promise<{ url: string; stop(): Promise<void>; output(): string }> {
  const url = `https://localhost:${port}`
  let output = ''
  const child: ChildProcess = spawn(process.execPath, ['scripts/start.mjs'], {
    env: appEnv({ PORT: String(port), AUTH_CLIENT_HOST: url, ...overrides }) as NodeJS.ProcessEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  child.stdout!.on('data', (d) => (output += d))
  child.stderr!.on('data', (d) => (output += d))
  const ctx = await request.newContext({ ignoreHTTPSErrors: true })
  const deadline = Date.now() + 60_000
  for (;;) {
    if (child.exitCode !== null) throw new Error(`app on ${port} exited: ${output}`)
    try {
      if ((await ctx.get(`${url}/signin`, { timeout: 2000 })).ok()) break
    } catch {}
    if (Date.now() > deadline) throw new Error(`app on ${port} did not start: ${output}`)
    await new Promise((r) => setTimeout(r, 250))
  }
  await ctx.dispose()
  return {
    url,
    output: () => output,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve()
        child.once('exit', () => resolve())
        child.kill('SIGTERM')
      }),
  }
}
