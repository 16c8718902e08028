import type { Knex } from 'knex';
import { PREPARED } from '../preparing-pg-client.ts';

/** One counter: a scope (what is counted) and a key (whose attempts, already hashed). */
export interface ThrottleCounter {
  scope: string;
  key: string;
}

/** A counter with the number of counted attempts it allows before back-off starts. */
export interface LimitedThrottleCounter extends ThrottleCounter {
  freeAttempts: number;
}

/** Exponential back-off: after the free attempts, base × 2^(extra attempts) seconds, at most max; counters restart when stale. */
export interface BackOffPolicy {
  baseDelaySeconds: number;
  maxDelaySeconds: number;
  resetAfterSeconds: number;
}

const DEADLOCK_DETECTED = '40P01';
const DEADLOCK_ATTEMPTS = 3;
// The first key of the two-key advisory locks on counters (a key space apart from the one-key locks in locks.ts).
const COUNTER_LOCK_CLASS = 0x4c6b5468;

/**
 * A CTE that takes a transaction-scoped advisory lock on each counter in `counterRows` (a CTE or VALUES list with
 * scope and key columns), in one order for every statement. Row locks alone could not give that order: countAttempt
 * locks the rows that exist and inserts the missing ones after, so a counter that sorts first but had to be inserted
 * was locked last, and sign-ins of one person running in parallel deadlocked (seen under load: hundreds of times in
 * a stress of parallel sign-ins, some past every retry). Advisory locks exist whether or not the row does. The
 * statement must reference the CTE before it touches a row, e.g. `WHERE (SELECT count(*) FROM serialized) >= 0`.
 */
function serializeCounters(counterRows: string): string {
  return `serialized AS (
    SELECT pg_advisory_xact_lock(${COUNTER_LOCK_CLASS}, k.lock_key)
      FROM (SELECT DISTINCT hashtext(c.scope || ' ' || c.key) AS lock_key FROM ${counterRows} c ORDER BY lock_key) k
  )`;
}

/**
 * Runs one self-contained statement again when Postgres broke a deadlock by cancelling it. The statements below take
 * their counters' locks in one order and should never meet in one; the sweeper's DELETE takes row locks in its own
 * order, though, and a cancelled statement changed nothing, so running it again is safe.
 */
async function retryOnDeadlock<T>(run: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await run();
    } catch (error) {
      if ((error as { code?: unknown }).code !== DEADLOCK_DETECTED || attempt >= DEADLOCK_ATTEMPTS) throw error;
    }
  }
}

/** SQL for sign_in_throttles, the per-account and per-address counters of sign-in attempts. */
export function createSignInThrottleQueries(knex: Knex) {
  return {
    /**
     * Counts an attempt on every counter at once, unless one of them is in back-off; true when all were counted (the
     * attempt may go ahead). One statement: the ON CONFLICT ... WHERE re-checks each row under its row lock, so
     * attempts fired in parallel are counted one after another and none slips past a limit. A counter whose row is
     * in back-off is left as it is (refused attempts do not lengthen the wait). The counters are locked first
     * (serializeCounters), as in settleSuccessfulAttempt and uncountAttempts, so parallel sign-ins of one person
     * wait for each other instead of deadlocking.
     */
    async countAttempt(counters: readonly LimitedThrottleCounter[], policy: BackOffPolicy, now: Date): Promise<boolean> {
      const bindings: Record<string, unknown> = {
        now,
        staleBefore: new Date(now.getTime() - policy.resetAfterSeconds * 1000),
        base: policy.baseDelaySeconds,
        max: policy.maxDelaySeconds,
      };
      const values = counters.map((counter, index) => {
        Object.assign(bindings, { [`scope${index}`]: counter.scope, [`key${index}`]: counter.key, [`free${index}`]: counter.freeAttempts });
        return `(CAST(:scope${index} AS text), CAST(:key${index} AS text), CAST(:free${index} AS integer))`;
      });
      const freeAttempts = '(SELECT a.free_attempts FROM attempt a WHERE a.scope = t.scope AND a.key = t.key)';
      const failures = 'CASE WHEN t.last_failure_at <= CAST(:staleBefore AS timestamptz) THEN 1 ELSE t.failures + 1 END';
      // power() is capped so that a huge count cannot overflow; the delay is capped at max anyway.
      const delay = (extra: string) => `make_interval(secs => LEAST(:max, :base * power(2, LEAST(${extra}, 40))))`;
      const result = await retryOnDeadlock(() => knex.raw<{ rows: { scope: string }[] }>(
        `WITH attempt (scope, key, free_attempts) AS (VALUES ${values.join(', ')}),
        ${serializeCounters('attempt')},
        in_back_off AS (
          SELECT 1 FROM sign_in_throttles t JOIN attempt a ON a.scope = t.scope AND a.key = t.key
          WHERE t.blocked_until > CAST(:now AS timestamptz)
        )
        INSERT INTO sign_in_throttles AS t (scope, key, failures, blocked_until, last_failure_at)
        SELECT a.scope, a.key, 1,
          CASE WHEN a.free_attempts <= 1 THEN CAST(:now AS timestamptz) + ${delay('0')} END,
          CAST(:now AS timestamptz)
        FROM attempt a WHERE (SELECT count(*) FROM serialized) >= 0 AND NOT EXISTS (SELECT 1 FROM in_back_off)
        ORDER BY a.scope, a.key
        ON CONFLICT (scope, key) DO UPDATE SET
          failures = ${failures},
          blocked_until = CASE WHEN ${failures} >= ${freeAttempts}
            THEN CAST(:now AS timestamptz) + ${delay(`${failures} - ${freeAttempts}`)} END,
          last_failure_at = CAST(:now AS timestamptz)
        WHERE t.blocked_until IS NULL OR t.blocked_until <= CAST(:now AS timestamptz)
        RETURNING t.scope`,
        bindings,
      ).options(PREPARED));
      return result.rows.length === counters.length;
    },

    /** The latest end of back-off among the counters, or undefined when none is in back-off. */
    async findBlockedUntil(counters: readonly ThrottleCounter[], now: Date): Promise<Date | undefined> {
      if (counters.length === 0) return undefined;
      const row = await knex('sign_in_throttles')
        .max<{ until: Date | null }>('blocked_until as until')
        .whereIn(['scope', 'key'], counters.map((counter) => [counter.scope, counter.key]))
        .andWhere('blocked_until', '>', now)
        .first();
      return row?.until ?? undefined;
    },

    /**
     * After a successful sign-in, in one statement: forgets the `forgotten` counters and takes the counted attempt back
     * from `uncounted`, along with the back-off it alone started. The counters are locked first, as countAttempt
     * locks them, so the two never wait for each other in a circle.
     */
    async settleSuccessfulAttempt(forgotten: readonly ThrottleCounter[], uncounted: LimitedThrottleCounter): Promise<void> {
      const bindings: Record<string, unknown> = { uncountedScope: uncounted.scope, uncountedKey: uncounted.key, free: uncounted.freeAttempts };
      const forgottenRows = forgotten.map((counter, index) => {
        Object.assign(bindings, { [`scope${index}`]: counter.scope, [`key${index}`]: counter.key });
        return `(CAST(:scope${index} AS text), CAST(:key${index} AS text))`;
      });
      const allRows = [...forgottenRows, '(CAST(:uncountedScope AS text), CAST(:uncountedKey AS text))'].join(', ');
      const forget = forgottenRows.length === 0 ? 'SELECT 1' : `DELETE FROM sign_in_throttles t USING serialized_rows l
            WHERE t.scope = l.scope AND t.key = l.key AND (t.scope, t.key) IN (${forgottenRows.join(', ')})`;
      await retryOnDeadlock(() => knex.raw(
        `WITH counter (scope, key) AS (VALUES ${allRows}),
        ${serializeCounters('counter')},
        serialized_rows AS (
          SELECT scope, key FROM sign_in_throttles WHERE (scope, key) IN (SELECT scope, key FROM counter) AND (SELECT count(*) FROM serialized) >= 0
        ),
        forgotten AS (${forget})
        UPDATE sign_in_throttles t
           SET failures = GREATEST(t.failures - 1, 0),
               blocked_until = CASE WHEN t.failures - 1 >= CAST(:free AS integer) THEN t.blocked_until END
          FROM serialized_rows l
         WHERE t.scope = l.scope AND t.key = l.key AND t.scope = CAST(:uncountedScope AS text) AND t.key = CAST(:uncountedKey AS text)`,
        bindings,
      ).options(PREPARED));
    },

    /**
     * Takes back one counted attempt on each counter (it was never checked), and the back-off it alone started. The
     * counters are locked first, as countAttempt locks them, so the two cannot deadlock.
     */
    async uncountAttempts(counters: readonly LimitedThrottleCounter[]): Promise<void> {
      if (counters.length === 0) return;
      const bindings: Record<string, unknown> = {};
      const values = counters.map((counter, index) => {
        Object.assign(bindings, { [`scope${index}`]: counter.scope, [`key${index}`]: counter.key, [`free${index}`]: counter.freeAttempts });
        return `(CAST(:scope${index} AS text), CAST(:key${index} AS text), CAST(:free${index} AS integer))`;
      });
      await retryOnDeadlock(() => knex.raw(
        `WITH attempt (scope, key, free_attempts) AS (VALUES ${values.join(', ')}),
        ${serializeCounters('attempt')},
        serialized_rows AS (
          SELECT t.scope, t.key, a.free_attempts FROM sign_in_throttles t JOIN attempt a ON a.scope = t.scope AND a.key = t.key
          WHERE (SELECT count(*) FROM serialized) >= 0
        )
        UPDATE sign_in_throttles AS t SET
          failures = GREATEST(t.failures - 1, 0),
          blocked_until = CASE WHEN t.failures - 1 >= l.free_attempts THEN t.blocked_until END
        FROM serialized_rows l
        WHERE t.scope = l.scope AND t.key = l.key`,
        bindings,
      ).options(PREPARED));
    },

    /** Deletes counters that are out of back-off and have counted nothing since `staleBefore`. */
    async deleteStaleCounters(staleBefore: Date, now: Date): Promise<number> {
      return knex('sign_in_throttles')
        .where('last_failure_at', '<=', staleBefore)
        .andWhere((query) => {
          query.whereNull('blocked_until').orWhere('blocked_until', '<=', now);
        })
        .delete();
    },
  };
}

export type SignInThrottleQueries = ReturnType<typeof createSignInThrottleQueries>;
