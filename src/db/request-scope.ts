import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * What the data layer keeps for one HTTP request. Reads are remembered for the length of the request, so that a row
 * oidc-provider looks up several times (the same interaction twice in a login, a token's grant and account after the
 * token) costs one database round trip. Entries hold what the database said, including "no such row" (`null`);
 * writers drop what they change. Nothing outlives the request, so another instance's writes are seen by the next
 * request as before. The queries the request made are counted for its log line.
 *
 * Writes can be deferred (the token adapter's are): stored together, in one statement, before the request's next query
 * and before its response, so that what the client is told is always stored and a query always sees the request's own
 * writes.
 */
export class RequestScope {
  readonly #entries = new Map<string, unknown>();
  #pendingStore: (() => Promise<void>) | undefined;
  #storing: Promise<void> | undefined;
  #ended = false;
  databaseQueries = 0;

  /** False once the request is done: work it started that runs on (a timer, a delivery) reads and writes directly. */
  get open(): boolean {
    return !this.#ended;
  }

  end(): void {
    this.#ended = true;
  }

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

  /**
   * Notes that writes wait to be stored, and how to store them; `storeDeferredWrites()` runs it. One writer at a time: the
   * writer keeps adding to its pending writes until `store` runs, and calls this again for writes made after that.
   */
  deferWrites(store: () => Promise<void>): void {
    this.#pendingStore = store;
  }

  /**
   * Stores the deferred writes, one batch after the other; undefined when nothing is deferred or being stored, so
   * that the common case costs no extra turn of the event loop. A failure rejects every caller waiting for it.
   */
  storeDeferredWrites(): Promise<void> | undefined {
    const store = this.#pendingStore;
    if (store) {
      this.#pendingStore = undefined;
      const previous = this.#storing;
      const storing: Promise<void> = (previous ? previous.then(store, store) : store()).finally(() => {
        if (this.#storing === storing) this.#storing = undefined;
      });
      this.#storing = storing;
    }
    return this.#storing;
  }
}

const storage = new AsyncLocalStorage<RequestScope>();

/**
 * Runs `work` (an HTTP request's handling) in a fresh scope that everything it awaits can see. Deferred writes still
 * pending when it is done are stored then (the response paths store them before answering; this is the safety net).
 */
export function runInRequestScope<T>(work: () => Promise<T>): Promise<T> {
  const scope = new RequestScope();
  return storage.run(scope, async () => {
    try {
      return await work();
    } finally {
      try {
        for (let stored = scope.storeDeferredWrites(); stored; stored = scope.storeDeferredWrites()) await stored;
      } finally {
        scope.end();
      }
    }
  });
}

/** Stores the current request's deferred writes; undefined when there is nothing to wait for. */
export function storeRequestWrites(): Promise<void> | undefined {
  return currentRequestScope()?.storeDeferredWrites();
}

/**
 * The current request's scope; undefined outside a request (CLI, sweeps, start-up) and after it, where nothing is
 * cached or deferred.
 */
export function currentRequestScope(): RequestScope | undefined {
  const scope = storage.getStore();
  return scope?.open ? scope : undefined;
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
