import type { LatchkeyConfig } from '../config/types.ts';
import type { Queries } from '../db/queries/index.ts';
import type { BackchannelLogoutRecord } from '../db/queries/backchannel-logouts.ts';

/** Signs the logout token of a record and names the client's registered URI; undefined when it has none any more. */
export type SignLogoutToken = (logout: BackchannelLogoutRecord) => Promise<{ uri: string; token: string } | undefined>;

export interface LogoutDeliveryEvents {
  delivered(logout: BackchannelLogoutRecord, uri: string): void;
  retrying(logout: BackchannelLogoutRecord, error: string, nextAttemptAt: Date): void;
  gaveUp(logout: BackchannelLogoutRecord, error: string): void;
  /** The loop itself failed (e.g. the database is away); it tries again at the next tick. */
  failed(error: unknown): void;
}

const BATCH_SIZE = 20;
const MAX_RETRY_DELAY_MS = 60 * 60_000;
// A claimed row is this instance's until the lease ends; long enough for the request, short enough to recover from a crash.
const LEASE_MARGIN_MS = 30_000;
const CLEANUP_INTERVAL_MS = 60 * 60_000;
const CLEANUP_BATCH_SIZE = 1000;

/** The wait before attempt `attempts + 1`: the retry delay, doubled with each attempt made, capped at an hour. */
export function retryDelayMs(firstDelaySeconds: number, attempts: number): number {
  return Math.min(firstDelaySeconds * 1000 * 2 ** Math.max(0, attempts - 1), MAX_RETRY_DELAY_MS);
}

/**
 * Delivers the logout tokens owed to clients (OpenID Connect Back-Channel Logout 1.0 §2.5): every instance polls the
 * outbox and claims due rows with SKIP LOCKED, so each is sent by one instance; a failed attempt is retried with
 * backoff until max_attempts, and the row stays as the record of the outcome until keep_records has passed. Requests
 * go only to the URI the client registered in clients.yaml, without following redirects.
 */
export function startLogoutDelivery(deps: {
  queries: Queries;
  sign: SignLogoutToken;
  settings: LatchkeyConfig['backchannelLogout'];
  events: LogoutDeliveryEvents;
  now?: () => Date;
}): { wake(): void; stop(): Promise<void> } {
  const { queries, settings, events } = deps;
  const now = deps.now ?? (() => new Date());
  let running: Promise<void> | undefined;
  let runAgain = false;
  let stopped = false;
  let lastCleanup = 0;

  async function deliver(logout: BackchannelLogoutRecord): Promise<void> {
    let error: string;
    try {
      const target = await deps.sign(logout);
      if (!target) {
        const reason = `client ${logout.clientId} no longer registers a backchannel_logout_uri`;
        await queries.backchannelLogouts.markBackchannelLogoutFailed(logout.id, reason, now());
        events.gaveUp(logout, reason);
        return;
      }
      const response = await fetch(target.uri, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ logout_token: target.token }),
        redirect: 'manual',
        signal: AbortSignal.timeout(settings.requestTimeout * 1000),
      });
      await response.body?.cancel();
      // §2.8: the RP answers 200 OK; oidc-provider also takes 204.
      if (response.status === 200 || response.status === 204) {
        await queries.backchannelLogouts.markBackchannelLogoutDelivered(logout.id, target.uri, now());
        events.delivered(logout, target.uri);
        return;
      }
      error = `${target.uri} answered HTTP ${response.status}`;
    } catch (caught) {
      error = caught instanceof Error ? caught.message : String(caught);
    }
    if (logout.attempts >= settings.maxAttempts) {
      await queries.backchannelLogouts.markBackchannelLogoutFailed(logout.id, error, now());
      events.gaveUp(logout, error);
      return;
    }
    const nextAttemptAt = new Date(now().getTime() + retryDelayMs(settings.retryDelay, logout.attempts));
    await queries.backchannelLogouts.markBackchannelLogoutRetry(logout.id, nextAttemptAt, error);
    events.retrying(logout, error, nextAttemptAt);
  }

  async function deliverDue(): Promise<void> {
    const leaseMs = settings.requestTimeout * 1000 + LEASE_MARGIN_MS;
    for (;;) {
      const due = await queries.backchannelLogouts.claimDueBackchannelLogouts(now(), new Date(now().getTime() + leaseMs), BATCH_SIZE);
      await Promise.all(due.map((logout) => deliver(logout).catch(events.failed)));
      if (due.length < BATCH_SIZE || stopped) return;
    }
  }

  async function removeOldRecords(): Promise<void> {
    if (now().getTime() - lastCleanup < CLEANUP_INTERVAL_MS) return;
    lastCleanup = now().getTime();
    const before = new Date(now().getTime() - settings.keepRecords * 1000);
    while ((await queries.backchannelLogouts.deleteFinishedBackchannelLogouts(before, CLEANUP_BATCH_SIZE)) === CLEANUP_BATCH_SIZE);
  }

  function tick(): void {
    if (stopped) return;
    if (running) {
      runAgain = true;
      return;
    }
    running = (async () => {
      try {
        do {
          runAgain = false;
          await deliverDue();
          await removeOldRecords();
        } while (runAgain && !stopped);
      } catch (error) {
        events.failed(error);
      } finally {
        running = undefined;
      }
    })();
  }

  const timer = setInterval(tick, settings.pollInterval * 1000);
  timer.unref();
  tick();

  return {
    /** Looks for due logouts now rather than at the next poll (called when this instance just recorded some). */
    wake: tick,
    /** Stops polling and waits for the deliveries in flight (each bounded by request_timeout). */
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
