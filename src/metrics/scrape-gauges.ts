import { Gauge, type Registry } from 'prom-client';

/** Readings taken when Prometheus scrapes, rather than counted as things happen. */
export interface ScrapeSources {
  /** Signed-in sessions that have not expired (across every instance on the database). */
  countActiveSessions(): Promise<number>;
  /** When the key that signs for each algorithm was created. */
  listSigningKeyCreationTimes(): Promise<readonly { alg: string; createdAt: Date }[]>;
  /** The connection pool of this process. */
  readPoolStats(): { used: number; idle: number; pending: number; max: number };
  /** Password hashes of this process running and waiting for a slot, and the limits of each. */
  readHashingLoad(): { running: number; queued: number; concurrency: number; queue: number };
}

export interface ScrapeGaugeOptions {
  /** Database readings are reused for this long, so frequent or parallel scrapes cost one query. */
  cacheMs?: number;
  now?: () => number;
  /** A reading failed; its gauge is left empty for this scrape. */
  onError?: (what: string, error: unknown) => void;
}

/** Registers the gauges computed at scrape time: active sessions, signing key age, database pool use, password hashing. */
export function registerScrapeGauges(registry: Registry, sources: ScrapeSources, options: ScrapeGaugeOptions = {}): void {
  const now = options.now ?? Date.now;
  const onError = options.onError ?? (() => undefined);
  const sessions = cached(sources.countActiveSessions, options.cacheMs ?? 10_000, now);
  const keyTimes = cached(sources.listSigningKeyCreationTimes, options.cacheMs ?? 10_000, now);

  new Gauge({
    name: 'latchkey_active_sessions',
    help: 'Signed-in sessions that have not expired (read from the database, so the same on every instance).',
    registers: [registry],
    async collect() {
      try {
        this.set(await sessions());
      } catch (error) {
        this.reset();
        onError('active sessions', error);
      }
    },
  });
  new Gauge({
    name: 'latchkey_signing_key_age_seconds',
    help: 'Age of the newest signing key of each algorithm.',
    labelNames: ['alg'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      try {
        for (const { alg, createdAt } of await keyTimes()) this.set({ alg }, Math.max(0, (now() - createdAt.getTime()) / 1000));
      } catch (error) {
        onError('signing key age', error);
      }
    },
  });
  new Gauge({
    name: 'latchkey_db_pool_connections',
    help: 'Database connections of this process by state: used (checked out), idle, pending (requests waiting for one).',
    labelNames: ['state'] as const,
    registers: [registry],
    collect() {
      const stats = sources.readPoolStats();
      this.set({ state: 'used' }, stats.used);
      this.set({ state: 'idle' }, stats.idle);
      this.set({ state: 'pending' }, stats.pending);
    },
  });
  new Gauge({
    name: 'latchkey_db_pool_max_connections',
    help: 'The most database connections this process opens.',
    registers: [registry],
    collect() {
      this.set(sources.readPoolStats().max);
    },
  });
  new Gauge({
    name: 'latchkey_password_hashing',
    help: 'Password hashes of this process by state: running, queued (waiting for a slot).',
    labelNames: ['state'] as const,
    registers: [registry],
    collect() {
      const load = sources.readHashingLoad();
      this.set({ state: 'running' }, load.running);
      this.set({ state: 'queued' }, load.queued);
    },
  });
  new Gauge({
    name: 'latchkey_password_hashing_limit',
    help: 'Password hashing limits of this process: concurrency (running at once), queue (waiting at most).',
    labelNames: ['limit'] as const,
    registers: [registry],
    collect() {
      const load = sources.readHashingLoad();
      this.set({ limit: 'concurrency' }, load.concurrency);
      this.set({ limit: 'queue' }, load.queue);
    },
  });
}

/** Reuses a reading (and shares one in flight) for `ttlMs`. */
function cached<T>(read: () => Promise<T>, ttlMs: number, now: () => number): () => Promise<T> {
  let reading: { at: number; value: Promise<T> } | undefined;
  return () => {
    if (!reading || now() - reading.at >= ttlMs) {
      const value = read();
      reading = { at: now(), value };
      // A failed reading is not kept: the next scrape tries again.
      value.catch(() => {
        if (reading?.value === value) reading = undefined;
      });
    }
    return reading.value;
  };
}
