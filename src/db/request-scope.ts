import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * What the data layer keeps for one HTTP request. Reads are remembered for the length of the request, so that a row
 * oidc-provider looks up several times (the same interaction twice in a login, a token's grant and account after the
 * token) costs one database round trip. Entries hold what the database said, including "no such row" (`null`);
 * writers drop what they change. Nothing outlives the request, so another instance's writes are seen by the next
 * request as before. The queries the request made are counted for its log line.
 */
export class RequestScope {
  readonly #entries = new Map<string, unknown>();
  databaseQueries = 0;

  /** The remembered value, `null` for a remembered absence, `undefined` when not looked up yet. */
  get<T>(key: string): T | null | undefined {
    return this.#entries.get(key) as T | null | undefined;
  }

  set<T>(key: string, value: T | null): void {
    this.#entries.set(key, value);
  }

  /** Forgets every entry whose key starts with `prefix`. */
  forget(prefix: string): void {
    for (const key of this.#entries.keys()) if (key.startsWith(prefix)) this.#entries.delete(key);
  }
}

const storage = new AsyncLocalStorage<RequestScope>();

/** Runs `work` (an HTTP request's handling) in a fresh scope that everything it awaits can see. */
export function runInRequestScope<T>(work: () => Promise<T>): Promise<T> {
  return storage.run(new RequestScope(), work);
}

/** The current request's scope; undefined outside a request (CLI, sweeps, start-up), where nothing is cached. */
export function currentRequestScope(): RequestScope | undefined {
  return storage.getStore();
}

/** Looks `key` up in the current request's cache, loading and remembering it on a miss. */
export async function readThrough<T>(key: string, load: () => Promise<T | undefined>): Promise<T | undefined> {
  const cache = currentRequestScope();
  if (!cache) return load();
  const known = cache.get<T>(key);
  if (known !== undefined) return known ?? undefined;
  const value = await load();
  cache.set(key, value ?? null);
  return value;
}

/** Keys of what the cache holds. Everything of one oidc-provider model shares a prefix, so a write can drop all of it. */
export const requestCacheKeys = {
  modelPrefix: (model: string) => `payload:${model}:`,
  allPayloads: 'payload:',
  payload: (model: string, id: string) => `payload:${model}:id:${id}`,
  payloadByUid: (model: string, uid: string) => `payload:${model}:uid:${uid}`,
  payloadByUserCode: (model: string, userCode: string) => `payload:${model}:user-code:${userCode}`,
  /** The newest live Grant a person gave a client; under the Grant prefix, so that any write of a grant drops it. */
  latestGrant: (accountId: string, clientId: string) => `payload:Grant:latest:${accountId}:${clientId}`,
  account: (accountId: string) => `account:${accountId}`,
};
