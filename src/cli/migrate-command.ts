import { loadConfig } from '../config/load-config.ts';
import { createDatabase } from '../db/create-database.ts';
import { migrateToLatest } from '../db/migrate.ts';

export const MIGRATE_HELP = `Usage: latchkey migrate

Applies pending database migrations (the server also does this when it starts).
`;

/** `latchkey migrate` */
export async function runMigrateCommand(): Promise<void> {
  const config = loadConfig({});
  const database = await createDatabase(config.database, 'client');
  try {
    const applied = await migrateToLatest(database.knex);
    console.log(applied.length === 0 ? 'The database is up to date.' : `Applied: ${applied.join(', ')}`);
  } finally {
    await database.close();
  }
}
