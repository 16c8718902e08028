import type { Knex } from 'knex';

/** SQL for key_set_version: a counter that triggers bump on every change to signing_keys or cookie_keys. */
export function createKeySetVersionQueries(knex: Knex) {
  return {
    /** One indexed one-row read: what every instance polls to notice key changes made elsewhere. */
    async readKeySetVersion(): Promise<string> {
      const row = await knex<{ id: number; version: string }>('key_set_version').select('version').where('id', 1).first();
      // bigint comes back from pg as a string; compared for equality only.
      return String(row?.version ?? '0');
    },
  };
}

export type KeySetVersionQueries = ReturnType<typeof createKeySetVersionQueries>;
