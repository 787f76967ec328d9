import { readdirSync, readFileSync } from 'node:fs'
import { APP, PORTS } from './lib/config.mjs'
import { isControl, loopbackAgent } from './lib/http-client.mjs'
import { login } from './lib/login.mjs'
import { installCleanup, stopAll } from './lib/procs.mjs'
import { allowMyclinicCallbacks, startApp, startIs } from './lib/servers.mjs'
import { processTree } from './lib/proc-stats.mjs'
installCleanup('threads')
const is = await startIs(PORTS.is)
const control = isControl(is.origin)
const app = await startApp({ port: PORTS.app, origin: APP, isOrigin: is.origin, nodeArgs: (process.env.NODE_ARGS||'').split(' ').filter(Boolean), extra: process.env.X_NO_USERINFO ? { X_NO_USERINFO: '1' } : {} })
await control.call('DELETE', '/__test/reset')
await allowMyclinicCallbacks(control, [APP])
function threads() {
  const out = new Map()
  for (const pid of processTree(app.proc.child.pid)) {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      try {
        const comm = readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim()
        const ns = Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0])
        out.set(`${pid}/${tid} ${comm}`, ns)
      } catch {}
    }
  }
  return out
}
const agent = loopbackAgent()
for (let i = 0; i < 30; i++) await login({ origin: APP, flow: 'myclinic', isOrigin: is.origin }, { agent })
const N = Number(process.env.N || 100)
const cb = []
const before = threads()
for (let i = 0; i < N; i++) cb.push((await login({ origin: APP, flow: 'myclinic', isOrigin: is.origin }, { agent, sampler: app.sampler.cpuNs })).callbackCpuNs / 1e6)
const after = threads()
const byComm = new Map()
for (const [k, v] of after) { const d = v - (before.get(k) ?? 0); const [pp, tt] = k.split(' ')[0].split('/'); const comm = pp === tt ? `main(${pp})` : `other(${pp})`; byComm.set(comm, (byComm.get(comm) ?? 0) + d) }
const per=[...after].map(([k,v])=>[k.split(' ')[0],(v-(before.get(k)??0))/N/1e6]).filter(([,v])=>v>0.01);console.log('per tid', per.map(([k,v])=>`${k}=${v.toFixed(2)}`).join(' '))
console.log('per login ms by thread:', [...byComm].filter(([, v]) => v > 0).sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k}=${(v / N / 1e6).toFixed(2)}`).join(' '))
cb.sort((a, b) => a - b)
console.log('callback cpu median', cb[Math.floor(N / 2)].toFixed(2))
await agent.close()
await stopAll()
process.exit(0)
