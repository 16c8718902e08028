// The baseline's storage: oidc-provider's in-memory adapter (lib/adapters/memory_adapter.js) without its cap. The
// library's keeps at most 1000 entries in an LRU, so under the bench's load it evicts live grants and refresh
// tokens and the baseline starts failing; this one keeps everything in Maps until it expires.
import type { Adapter, AdapterPayload } from 'oidc-provider';

interface Entry {
  payload: AdapterPayload;
  expiresAt: number | undefined;
}

const entries = new Map<string, Entry>();
const sessionIdsByUid = new Map<string, string>();
const keysByGrant = new Map<string, Set<string>>();

/** An adapter for `model`, sharing one in-memory store with every other model. */
export function createMemoryAdapter(model: string): Adapter {
  const keyOf = (id: string) => `${model}:${id}`;
  const read = (key: string): AdapterPayload | undefined => {
    const entry = entries.get(key);
    if (entry?.expiresAt !== undefined && entry.expiresAt <= Date.now()) {
      entries.delete(key);
      return undefined;
    }
    return entry?.payload;
  };
  return {
    async upsert(id, payload, expiresIn) {
      const key = keyOf(id);
      entries.set(key, { payload, expiresAt: expiresIn ? Date.now() + expiresIn * 1000 : undefined });
      if (payload.grantId) {
        const members = keysByGrant.get(payload.grantId) ?? new Set<string>();
        keysByGrant.set(payload.grantId, members.add(key));
      }
      if (model === 'Session' && payload.uid) sessionIdsByUid.set(payload.uid, id);
    },
    async find(id) {
      return read(keyOf(id));
    },
    async findByUid(uid) {
      const id = sessionIdsByUid.get(uid);
      return id === undefined ? undefined : read(keyOf(id));
    },
    async findByUserCode() {
      return undefined;
    },
    async consume(id) {
      const payload = read(keyOf(id));
      if (payload) payload.consumed = Math.floor(Date.now() / 1000);
    },
    async destroy(id) {
      entries.delete(keyOf(id));
    },
    async revokeByGrantId(grantId) {
      for (const key of keysByGrant.get(grantId) ?? []) entries.delete(key);
      keysByGrant.delete(grantId);
    },
  };
}
