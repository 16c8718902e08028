import { readdir } from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { join } from 'node:path';
import type { Knex } from 'knex';

const MIGRATIONS_DIR = fileURLToPath(new URL('../../migrations/', import.meta.url));
// Any constant will do; it only has to be the same for every Latchkey instance on the database.
export const MIGRATION_ADVISORY_LOCK = 7_418_259_001;
// knex's default, which migrateToLatest leaves as is.
const MIGRATIONS_TABLE = 'knex_migrations';

/** Lists migrations/ in name order and imports them; replaces knex's file loader, which cannot import .ts on its own. */
const migrationSource: Knex.MigrationSource<string> = {
  async getMigrations() {
    const files = await readdir(MIGRATIONS_DIR);
    return files.filter((file) => /^\d{14}_[a-z0-9_]+\.ts$/.test(file)).sort();
  },
  getMigrationName: (file) => file,
  async getMigration(file) {
    return (await import(pathToFileURL(join(MIGRATIONS_DIR, file)).href)) as Knex.Migration;
  },
};

/**
 * Applies pending migrations. A Postgres advisory lock makes instances that start together wait for each other
 * instead of failing on knex's own migration lock.
 */
export async function migrateToLatest(knex: Knex): Promise<string[]> {
  if (await isEveryMigrationApplied(knex)) return [];
  return withAdvisoryLock(knex, async () => {
    const [, applied] = (await knex.migrate.latest({ migrationSource })) as [number, string[]];
    return applied;
  });
}

/** Names of migrations in migrations/ that the database has not applied yet. */
export async function listPendingMigrations(knex: Knex): Promise<string[]> {
  const [, pending] = (await knex.migrate.list({ migrationSource })) as [unknown[], string[]];
  return pending.map(String);
}

/**
 * True when the database has applied exactly the migrations in migrations/: the usual restart, answered by two small
 * queries instead of the lock and knex's dozen round trips. knex applies a batch and records it in one transaction, so
 * a batch another instance is running is either not visible yet (the full path then waits for it) or complete. Any
 * other difference (a missing table, names only one side has) takes the full path, which applies or reports it.
 */
async function isEveryMigrationApplied(knex: Knex): Promise<boolean> {
  const [files, applied] = await Promise.all([migrationSource.getMigrations([]), listAppliedMigrations(knex)]);
  if (applied === undefined || applied.size !== files.length) return false;
  return files.every((file) => applied.has(file));
}

/** Names in knex's migration table, or undefined when it does not exist yet. */
async function listAppliedMigrations(knex: Knex): Promise<Set<string> | undefined> {
  const { rows: [table] } = await knex.raw<{ rows: { name: string | null }[] }>('SELECT to_regclass(?)::text AS name', [MIGRATIONS_TABLE]);
  if (!table?.name) return undefined;
  const rows = await knex<{ name: string }>(MIGRATIONS_TABLE).select('name');
  return new Set(rows.map((row) => row.name));
}

interface PgConnection {
  query(sql: string): Promise<unknown>;
}

async function withAdvisoryLock<T>(knex: Knex, work: () => Promise<T>): Promise<T> {
  // knex types its pool as any; with the pg client a pooled connection is a pg Client.
  const pool = knex.client as { acquireConnection(): Promise<PgConnection>; releaseConnection(c: PgConnection): Promise<void> };
  const connection = await pool.acquireConnection();
  const query = (sql: string) => connection.query(sql);
  try {
    await query(`SELECT pg_advisory_lock(${MIGRATION_ADVISORY_LOCK})`);
    try {
      return await work();
    } finally {
      await query(`SELECT pg_advisory_unlock(${MIGRATION_ADVISORY_LOCK})`);
    }
  } finally {
    await pool.releaseConnection(connection);
  }
}
