import { createHash } from 'node:crypto';
import PgClient from 'knex/lib/dialects/postgres/index.js';

/** Marks a query to be prepared on a Postgres server: `query.options(PREPARED)`. Other clients ignore it. */
export const PREPARED = { prepare: true } as const;

// knex's own types leave out the dialect's internals; _query is where it hands a compiled query to pg.
const pgQuery = (PgClient.prototype as unknown as { _query(this: unknown, connection: unknown, query: CompiledQuery): Promise<unknown> })._query;

interface CompiledQuery {
  sql: string;
  options?: Record<string, unknown>;
}

/**
 * knex's Postgres client, with one addition: a query marked PREPARED goes out as a named statement, which Postgres
 * parses and plans once per connection and then reuses; planning is most of the server's work for the short lookups
 * on every token request. The name is derived from the SQL text, so two shapes of one query can never share a name
 * (pg refuses that). Only queries with an explicit column list are marked: a prepared `SELECT *` would fail once a
 * migration adds a column while the server runs.
 */
export class PreparingPgClient extends PgClient {
  readonly #names = new Map<string, string>();

  _query(connection: unknown, query: CompiledQuery): Promise<unknown> {
    if (query.options?.['prepare'] === true) {
      let name = this.#names.get(query.sql);
      if (name === undefined) {
        name = `latchkey_${createHash('sha256').update(query.sql).digest('base64url').slice(0, 24)}`;
        this.#names.set(query.sql, name);
      }
      query.options = { ...query.options, name };
    }
    return pgQuery.call(this, connection, query);
  }
}
