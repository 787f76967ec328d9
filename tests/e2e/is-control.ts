import type { APIRequestContext } from '@playwright/test'
import { isControl } from './helpers'

export interface IsLogEntry {
  method: string
  path: string
  query?: Record<string, string>
  body?: Record<string, string>
}

/** The local IS test control, as used by the RP conformance specs. */
export class Control {
  private constructor(readonly api: APIRequestContext) {}

  static async open(): Promise<Control> {
    return new Control(await isControl())
  }

  async scenario(name: string, options: Record<string, unknown> = {}) {
    const response = await this.api.put('/__test/scenario', { data: { name, ...options } })
    if (!response.ok()) throw new Error(`scenario ${name}: ${await response.text()}`)
  }

  async normal() {
    await this.api.delete('/__test/scenario')
  }

  async clearLog() {
    await this.api.delete('/__test/log')
  }

  async log(): Promise<IsLogEntry[]> {
    return (await this.api.get('/__test/log')).json()
  }

  /** Back-channel calls the app made, by endpoint kind. */
  async calls(): Promise<{ discovery: number; token: number; userinfo: number; jwks: number; revoke: number }> {
    const log = await this.log()
    const count = (re: RegExp) => log.filter((e) => re.test(e.path)).length
    return {
      discovery: count(/\.well-known\/openid-configuration$/),
      token: count(/\/oauth2\/token$/),
      userinfo: count(/\/oauth2\/userinfo$/),
      jwks: count(/\/oauth2\/jwks$/),
      revoke: count(/\/oauth2\/revoke$/),
    }
  }

  async client(id: string, options: Record<string, unknown>) {
    await this.api.put(`/__test/client/${id}`, { data: options })
  }

  async resetClient(id: string) {
    await this.api.delete(`/__test/client/${id}`)
  }

  /** Undoes what a test changed: the scenario, these clients' options and the token lifetimes. */
  async restore(...clientIds: string[]) {
    await this.normal()
    for (const id of clientIds) await this.resetClient(id)
    await this.api.delete('/__test/lifetimes')
  }
}
