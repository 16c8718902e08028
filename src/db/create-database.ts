import knexFactory, { type Knex } from 'knex';
import { startEmbeddedPostgres, EMBEDDED_SOCKET_PORT } from './embedded/embedded-postgres.ts';
import { DataDirInUseError, findDataDirOwner } from './embedded/data-dir-lock.ts';

/** An open database: knex over pg, and the embedded Postgres this process serves, if any. */
export interface Database {
  knex: Knex;
  /** 'postgres' for a server from DATABASE_URL, 'embedded' for PGlite in the data directory. */
  kind: 'postgres' | 'embedded';
  close(): Promise<void>;
}

export interface DatabaseSettings {
  url: string | undefined;
  poolMax: number;
  dataDir: string;
}

/**
 * Opens the database. On the embedded database the server owns the files and serves them on a Unix socket; other
 * processes (the CLI while the server runs) connect through that socket, never to the files.
 */
export async function createDatabase(
  settings: DatabaseSettings,
  role: 'server' | 'client',
): Promise<Database> {
  if (settings.url) {
    const knex = createKnex({ connectionString: settings.url }, settings.poolMax);
    return { knex, kind: 'postgres', close: () => knex.destroy() };
  }
  const owner = findDataDirOwner(settings.dataDir);
  if (owner) {
    if (role === 'server') throw new DataDirInUseError(settings.dataDir, owner.pid);
    const knex = createKnex(embeddedConnection(owner.socketDir), 2);
    return { knex, kind: 'embedded', close: () => knex.destroy() };
  }
  const embedded = await startEmbeddedPostgres(settings.dataDir);
  // The embedded backend runs one unit of work at a time anyway; a few connections only queue work in order.
  const knex = createKnex(embeddedConnection(embedded.socketDir), Math.min(settings.poolMax, 4));
  return {
    knex,
    kind: 'embedded',
    async close() {
      await knex.destroy();
      await embedded.close();
    },
  };
}

function embeddedConnection(socketDir: string): Knex.PgConnectionConfig {
  return { host: socketDir, port: EMBEDDED_SOCKET_PORT, user: 'postgres', database: 'postgres' };
}

function createKnex(connection: Knex.PgConnectionConfig, poolMax: number): Knex {
  return knexFactory({
    client: 'pg',
    connection,
    // Migrations hold one connection for their advisory lock while knex runs them on another.
    pool: { min: 0, max: Math.max(2, poolMax) },
    acquireConnectionTimeout: 10_000,
  });
}
