import { readProfile, selfTimes, top } from './lib/profile.mjs'
import { ROOT } from './lib/config.mjs'
const t = selfTimes(readProfile(process.argv[2]), { root: ROOT })
const filt = process.argv[3] ? new RegExp(process.argv[3]) : /./
const rows = [...t.inclusive].filter(([k]) => filt.test(k)).sort((a, b) => b[1] - a[1]).slice(0, 45)
for (const [k, v] of rows) console.log((v / t.totalUs * 100).toFixed(1).padStart(5), '%', k.slice(0, 150))
