import type { Knex } from 'knex';

/** Postgres advisory locks, for work that exactly one instance may do at a time. */
export function createLockQueries(knex: Knex) {
  return {
    /** Waits for the named lock; it is released when the surrounding transaction ends. */
    async lockForTransaction(name: string): Promise<void> {
      await knex.raw('SELECT pg_advisory_xact_lock(hashtext(?))', [`latchkey:${name}`]);
    },

    /** Takes the named lock if it is free, without waiting; released when the surrounding transaction ends. */
    async tryLockForTransaction(name: string): Promise<boolean> {
      const result = await knex.raw<{ rows: Array<{ locked: boolean }> }>('SELECT pg_try_advisory_xact_lock(hashtext(?)) AS locked', [
        `latchkey:${name}`,
      ]);
      return result.rows[0]?.locked === true;
    },
  };
}
