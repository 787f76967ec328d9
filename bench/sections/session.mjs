/**
 * Section 3: session cookie size for the default token set (opaque access token) and a large one
 * (a JWT access token with 120 extra claims, made by the stand-in's test control), for myclinic
 * and each peer; the dashboard's CPU per request with the large session (short alternating
 * pairs against each peer); the raw unseal cost of myclinic's seal.
 */
import { APP, CLIENTS } from '../lib/config.mjs'
import { alternatingPairs } from '../lib/load.mjs'
import { comparePairs } from '../lib/compare.mjs'
import { cookieBytes, login } from '../lib/login.mjs'
import { r1 } from '../lib/stats.mjs'
import { unsealCost } from './unseal.mjs'

export const EXTRA_CLAIMS = 120

/** 120 claims of ~69 characters each. */
function extraClaims() {
  const extra = {}
  for (let i = 0; i < EXTRA_CLAIMS; i++) extra[`bench_claim_${String(i).padStart(3, '0')}`] = `value-${i}-`.padEnd(48, 'x')
  return extra
}

/** Sets the access token shape of both clients (myclinic's and the peers'). */
async function setTokenShape(control, shape) {
  for (const id of [CLIENTS.myclinic.id, CLIENTS.peers.id]) await control.call('PUT', `/__test/client/${id}`, shape)
}

/** A login per library: cookie bytes and the Cookie header for later runs. */
async function cookiesPerLibrary(targets, isOrigin) {
  const out = {}
  for (const t of targets) {
    const l = await login({ origin: t.origin, flow: t.flow, isOrigin })
    out[t.id] = { ...cookieBytes(l), cookieHeader: l.cookieHeader }
  }
  return out
}

/** Short alternating pairs of the dashboard with the large session: myclinic (A) vs each peer (B). */
async function largePagePairs(ctx, targets, large) {
  const [mine, ...peers] = targets
  const pairs = Math.max(2, Math.round(ctx.settings.pairs / 4))
  const target = (t) => () => ({ name: t.id, origin: t.origin, path: '/', headers: { cookie: large[t.id].cookieHeader }, server: t.sampler })
  const out = {}
  for (const p of peers) {
    const runs = await alternatingPairs(target(mine), target(p), { pairs, seconds: ctx.settings.pairSeconds, connections: ctx.settings.connections })
    out[p.id] = { ...comparePairs(runs), runs }
  }
  return out
}

/**
 * @param {{ settings: any, log: (s: string) => void, control: any, is: any, targets: any[] }} ctx targets[0] is myclinic
 */
export async function runSession(ctx) {
  const { targets, control, log } = ctx
  log('3. session cookie size: default and large token sets')
  const defaults = await cookiesPerLibrary(targets, ctx.is.origin)
  const extra = extraClaims()
  await setTokenShape(control, { access_token_type: 'jwt', extra_access_token_claims: extra })
  let large
  try {
    large = await cookiesPerLibrary(targets, ctx.is.origin)
  } finally {
    await setTokenShape(control, { access_token_type: 'opaque', extra_access_token_claims: {} })
  }
  const largePage = await largePagePairs(ctx, targets, large)
  const unseal = {
    default: await unsealCost(defaults.myclinic.cookieHeader, ctx.settings.microN),
    large: await unsealCost(large.myclinic.cookieHeader, ctx.settings.microN),
  }
  const strip = (o) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, { ...v, cookieHeader: undefined }]))
  const ratio = (set, key) => Object.fromEntries(targets.slice(1).map((p) => [p.id, r1((100 * set.myclinic[key]) / set[p.id][key]) / 100]))
  return {
    extraClaims: EXTRA_CLAIMS,
    charsPerClaim: r1(JSON.stringify(extra).length / EXTRA_CLAIMS),
    default: strip(defaults),
    large: strip(large),
    ratios: { defaultCookieHeader: ratio(defaults, 'cookieHeaderBytes'), largeCookieHeader: ratio(large, 'cookieHeaderBytes'), defaultSetCookie: ratio(defaults, 'setCookieBytes'), largeSetCookie: ratio(large, 'setCookieBytes') },
    largePage,
    unseal,
  }
}
