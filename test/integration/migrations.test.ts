// The migration runner on both databases: pending migrations applied (under the advisory lock on Postgres), and a
// database that already has them all left alone with one query, without waiting for the lock.
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Knex } from 'knex';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { createDatabase, type Database } from '../../src/db/create-database.ts';
import { MIGRATION_ADVISORY_LOCK, migrateToLatest } from '../../src/db/migrate.ts';
import { REPO_ROOT } from '../support/child-process.ts';
import { databaseTargets, type ProvisionedDatabase } from '../support/database-targets.ts';

const MIGRATIONS_DIR = path.join(REPO_ROOT, 'migrations');
const ALL = readdirSync(MIGRATIONS_DIR).filter((file) => file.endsWith('.ts')).sort();
const FIRST = ALL.slice(0, 1);

describe.each(databaseTargets())('migrations ($name database)', (target) => {
  let provisioned: ProvisionedDatabase | undefined;
  let database: Database | undefined;
  afterEach(async () => {
    await database?.close();
    await provisioned?.dispose();
    database = undefined;
    provisioned = undefined;
  });

  async function open(): Promise<Database> {
    provisioned = await target.provision();
    const settings = provisioned.settings;
    database = await createDatabase(
      { url: 'url' in settings ? settings.url : undefined, dataDir: 'data_dir' in settings ? settings.data_dir : '', poolMax: 4 },
      'server',
    );
    return database;
  }

  it('applies every migration to a new database, then finds nothing to do', async () => {
    const { knex } = await open();
    expect(await migrateToLatest(knex)).toEqual(ALL);
    expect(await migrateToLatest(knex)).toEqual([]);
  });

  it('applies the migrations a partly migrated database lacks', async () => {
    const { knex } = await open();
    await knex.migrate.latest({ migrationSource: sourceOf(FIRST) });
    expect(await migrateToLatest(knex)).toEqual(ALL.slice(1));
  });

  it('refuses a database that applied a migration this version does not have, as knex always did', async () => {
    const { knex } = await open();
    await migrateToLatest(knex);
    await knex('knex_migrations').insert({ name: '29991231000000_from_the_future.ts', batch: 99, migration_time: new Date() });
    await expect(migrateToLatest(knex)).rejects.toThrow(/29991231000000_from_the_future\.ts/);
  });

  // Only a Postgres server has other sessions that could hold the lock; the embedded database has no such test.
  const onPostgres = target.name === 'postgres' ? it : undefined;
  onPostgres?.('takes the advisory lock only when there is something to apply', async () => {
    const { knex } = await open();
    const settings = provisioned!.settings as { url: string };
    await knex.migrate.latest({ migrationSource: sourceOf(FIRST) });
    const holder = new pg.Client({ connectionString: settings.url });
    await holder.connect();
    try {
      await holder.query(`SELECT pg_advisory_lock(${MIGRATION_ADVISORY_LOCK})`);
      let settled = false;
      const migrating = migrateToLatest(knex).finally(() => (settled = true));
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(settled).toBe(false); // pending migrations wait for the instance holding the lock
      await holder.query(`SELECT pg_advisory_unlock(${MIGRATION_ADVISORY_LOCK})`);
      expect(await migrating).toEqual(ALL.slice(1));

      await holder.query(`SELECT pg_advisory_lock(${MIGRATION_ADVISORY_LOCK})`);
      expect(await migrateToLatest(knex)).toEqual([]); // nothing pending: no wait
    } finally {
      await holder.end();
    }
  });
});

function sourceOf(files: string[]): Knex.MigrationSource<string> {
  return {
    getMigrations: async () => files,
    getMigrationName: (file) => file,
    getMigration: async (file) => (await import(pathToFileURL(path.join(MIGRATIONS_DIR, file)).href)) as Knex.Migration,
  };
}
