// knex ships its dialect clients without type declarations; this one is knex's Client, extended for Postgres.
declare module 'knex/lib/dialects/postgres/index.js' {
  import type { Knex } from 'knex';
  const PgClient: typeof Knex.Client;
  export default PgClient;
}
