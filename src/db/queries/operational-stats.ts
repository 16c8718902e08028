import type { Knex } from 'knex';

/** Small aggregate reads for metrics and health: cheap enough to run on every scrape. */
export function createOperationalStatsQueries(knex: Knex) {
  return {
    /** Sessions with a signed-in account that have not expired. */
    async countActiveSessions(now: Date): Promise<number> {
      const row = await knex('oidc_payloads')
        .where('model', 'Session')
        .whereNotNull('account_id')
        .andWhereRaw('(expires_at IS NULL OR expires_at > ?)', [now])
        .count<{ count: string | number }>({ count: '*' })
        .first();
      return Number(row?.count ?? 0);
    },

    /** For each algorithm, when the key that signs now was created (the newest active one, not a merely published one). */
    async listNewestSigningKeyTimes(now: Date = new Date()): Promise<{ alg: string; createdAt: Date }[]> {
      const rows = await knex('signing_keys')
        .select('alg')
        .max<{ alg: string; created_at: Date }[]>({ created_at: 'created_at' })
        .where('active_from', '<=', now)
        // Retirement and removal are planned ahead (a signer gets its retired_from when its successor is published).
        .andWhereRaw('(retired_from IS NULL OR retired_from > ?)', [now])
        .andWhereRaw('(removed_at IS NULL OR removed_at > ?)', [now])
        .whereNull('revoked_at')
        .groupBy('alg');
      return rows.map((row) => ({ alg: row.alg, createdAt: new Date(row.created_at) }));
    },
  };
}

export type OperationalStatsQueries = ReturnType<typeof createOperationalStatsQueries>;
