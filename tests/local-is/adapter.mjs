// In-memory oidc-provider adapter (same semantics as oidc-provider's MemoryAdapter) that also lets the
// test-control API enumerate IS sessions.

class TtlStore {
  constructor() { /** @type {Map<string, { v: any, exp: number }>} */ this.m = new Map(); }
  get(k) {
    const e = this.m.get(k);
    if (!e) return undefined;
    if (e.exp <= Date.now()) { this.m.delete(k); return undefined; }
    return e.v;
  }
  set(k, v, maxAgeMs) { this.m.set(k, { v, exp: typeof maxAgeMs === 'number' ? Date.now() + maxAgeMs : Infinity }); }
  delete(k) { this.m.delete(k); }
  *entries(prefix) {
    for (const [k] of this.m) {
      if (k.startsWith(prefix)) { const v = this.get(k); if (v !== undefined) yield [k.slice(prefix.length), v]; }
    }
  }
  clear() { this.m.clear(); }
}

const grantable = new Set(['AccessToken', 'AuthorizationCode', 'RefreshToken', 'DeviceCode', 'BackchannelAuthenticationRequest']);

/** @returns {{ store: TtlStore, Adapter: any }} */
export function createAdapter() {
  const store = new TtlStore();
  class Adapter {
    /** @param {string} model */
    constructor(model) { this.model = model; }
    key(id) { return `${this.model}:${id}`; }
    async upsert(id, payload, expiresIn) {
      const ms = typeof expiresIn === 'number' ? expiresIn * 1000 : undefined;
      if (this.model === 'Session') store.set(`sessionUid:${payload.uid}`, id, ms);
      if (grantable.has(this.model) && payload.grantId) {
        const gk = `grant:${payload.grantId}`;
        const members = store.get(gk) || new Set();
        members.add(this.key(id));
        store.set(gk, members);
      }
      if (payload.userCode) store.set(`userCode:${payload.userCode}`, id, ms);
      store.set(this.key(id), payload, ms);
    }
    async find(id) { return store.get(this.key(id)); }
    async findByUid(uid) { const id = store.get(`sessionUid:${uid}`); return id ? this.find(id) : undefined; }
    async findByUserCode(code) { const id = store.get(`userCode:${code}`); return id ? this.find(id) : undefined; }
    async consume(id) { const p = store.get(this.key(id)); if (p) p.consumed = Math.floor(Date.now() / 1000); }
    async destroy(id) {
      const p = store.get(this.key(id));
      store.delete(this.key(id));
      if (p?.uid && this.model === 'Session') store.delete(`sessionUid:${p.uid}`);
    }
    async revokeByGrantId(grantId) {
      const gk = `grant:${grantId}`;
      const members = store.get(gk);
      if (members) for (const k of members) store.delete(k);
      store.delete(gk);
    }
  }
  return { store, Adapter };
}
