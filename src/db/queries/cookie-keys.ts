import type { Knex } from 'knex';

/** SQL for the cookie_keys table: generated cookie-signing secrets, newest first. */
export function createCookieKeyQueries(knex: Knex) {
  return {
    async listCookieSecrets(): Promise<string[]> {
      const rows = await knex<{ id: number; secret: string }>('cookie_keys').select('secret').orderBy('id', 'desc');
      return rows.map((row) => row.secret);
    },

    async insertCookieSecret(secret: string, now: Date): Promise<void> {
      await knex('cookie_keys').insert({ secret, created_at: now });
    },
  };
}

export type CookieKeyQueries = ReturnType<typeof createCookieKeyQueries>;
