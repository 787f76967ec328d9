/**
 * Back-channel logout with several app instances: the IS notifies one instance, and every instance
 * must refuse the session. With REDIS_URL they share the revocation store; the in-memory store is
 * per instance, which the second case shows (and the README states).
 */
import { expect, test } from '@playwright/test'
import { startApp } from './app-server'
import { LOCAL_CLIENT, REAL_IS } from './env'
import { httpLogin, newBrowser, sessionState } from './http-flow'
import { Control } from './is-control'
// @ts-expect-error plain ESM helper without types
import { hasRedisServer, startRedis } from '../support/redis-server.mjs'

const CLIENT_ID = LOCAL_CLIENT.id


test.describe('back-channel logout across instances', () => {
  test.skip(REAL_IS, 'drives the local IS test control')
  test.skip(!hasRedisServer() && !process.env.CI, 'redis-server is not installed (apt-get install redis-server)')
  test.describe.configure({ timeout: 90_000 })
  let control: Control

  test.beforeAll(async () => {
    control = await Control.open()
  })
  test.afterEach(async () => {
    await control.resetClient(CLIENT_ID)
  })

  async function twoInstances(env: Record<string, string>) {
    const a = await startApp(5001, env)
    const b = await startApp(5002, env)
    await control.client(CLIENT_ID, {
      callback_url: 'regexp=(https://localhost:500[0-9]/login|https://localhost:500[0-9]/signin)',
      backchannel_logout_uri: `${a.url}/logout/backchannel`,
    })
    return { a, b, stop: () => Promise.all([a.stop(), b.stop()]) }
  }

  test('with REDIS_URL, a logout delivered to instance A ends the session on instance B', async () => {
    const redis = await startRedis()
    const apps = await twoInstances({ REDIS_URL: redis.url })
    try {
      const browser = await newBrowser()
      await httpLogin(browser, { appUrl: apps.a.url })
      // Cookies are per host, not per port: the same browser is signed in on both instances.
      expect(await sessionState(browser, apps.b.url)).toBe('session')
      await control.api.delete('/__test/backchannel')
      expect((await control.api.post('/__test/logout-session', { data: { username: 'admin' } })).ok()).toBe(true)
      const deliveries = (await (await control.api.get('/__test/backchannel')).json()) as { status?: number; uri?: string }[]
      expect(deliveries.some((d) => d.status === 200 && d.uri?.startsWith(apps.a.url))).toBe(true)
      expect(await sessionState(browser, apps.b.url)).toBe('anonymous')
      expect(await sessionState(browser, apps.a.url)).toBe('anonymous')
    } finally {
      await apps.stop()
      await redis.stop()
    }
  })

  test('without REDIS_URL each instance only knows its own logouts', async () => {
    const apps = await twoInstances({})
    try {
      const browser = await newBrowser()
      await httpLogin(browser, { appUrl: apps.a.url })
      expect((await control.api.post('/__test/logout-session', { data: { username: 'admin' } })).ok()).toBe(true)
      // B first: A clears the (host-wide) cookies when it turns the revoked session away.
      expect(await sessionState(browser, apps.b.url)).toBe('session')
      expect(await sessionState(browser, apps.a.url)).toBe('anonymous')
    } finally {
      await apps.stop()
    }
  })
})
