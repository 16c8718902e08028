import knexFactory, { type Knex } from 'knex';
import pg from 'pg';
import { startEmbeddedPostgres, EMBEDDED_SOCKET_PORT } from './embedded/embedded-postgres.ts';
import { DataDirInUseError, findDataDirOwner } from './embedded/data-dir-lock.ts';
import { PreparingPgClient } from './preparing-pg-client.ts';

/** An open database: knex over pg, and the embedded Postgres this process serves, if any. */
export interface Database {
  knex: Knex;
  /** 'postgres' for a server from DATABASE_URL, 'embedded' for PGlite in the data directory. */
  kind: 'postgres' | 'embedded';
  /** Checks that the database answers, on a connection of its own: a full pool does not make it look down. */
  probe(): Promise<void>;
  close(): Promise<void>;
}

export interface DatabaseSettings {
  url: string | undefined;
  poolMax: number;
  dataDir: string;
  /** Seconds to wait for a connection to a Postgres server (connect and pool acquire); default 5. */
  connectTimeout?: number;
  /** Seconds a statement may run on a Postgres server; default 10. */
  statementTimeout?: number;
  /** Name the frequent statements on a Postgres server (prepared once per connection); default false. */
  preparedStatements?: boolean;
}

// Margin over statement_timeout before the client gives up on an answer itself (a server or network gone silent).
const QUERY_TIMEOUT_MARGIN_MS = 5_000;
const EMBEDDED_ACQUIRE_TIMEOUT_MS = 10_000;

/**
 * Opens the database. On the embedded database the server owns the files and serves them on a Unix socket; other
 * processes (the CLI while the server runs) connect through that socket, never to the files.
 */
export async function createDatabase(
  settings: DatabaseSettings,
  role: 'server' | 'client',
): Promise<Database> {
  const connectTimeoutMs = (settings.connectTimeout ?? 5) * 1000;
  const statementTimeoutMs = (settings.statementTimeout ?? 10) * 1000;
  if (settings.url) {
    const connection: ConnectionSettings = {
      connectionString: settings.url,
      connectionTimeoutMillis: connectTimeoutMs,
      statement_timeout: statementTimeoutMs,
      query_timeout: statementTimeoutMs + QUERY_TIMEOUT_MARGIN_MS,
      keepAlive: true,
    };
    const knex = createKnex(connection, settings.poolMax, connectTimeoutMs, settings.preparedStatements ?? false);
    return { knex, kind: 'postgres', probe: () => probe(connection), close: () => knex.destroy() };
  }
  // The embedded database cannot go away while its process runs; waiting for it only means it is busy (one backend
  // for every connection), so its connections get the patient timeout they always had.
  const owner = findDataDirOwner(settings.dataDir);
  if (owner) {
    if (role === 'server') throw new DataDirInUseError(settings.dataDir, owner.pid);
    const connection = embeddedConnection(owner.socketDir);
    const knex = createKnex(connection, 2, EMBEDDED_ACQUIRE_TIMEOUT_MS);
    return { knex, kind: 'embedded', probe: () => probe(connection), close: () => knex.destroy() };
  }
  const embedded = await startEmbeddedPostgres(settings.dataDir);
  const connection = embeddedConnection(embedded.socketDir);
  // The embedded backend runs one unit of work at a time anyway; a few connections only queue work in order.
  const knex = createKnex(connection, Math.min(settings.poolMax, 4), EMBEDDED_ACQUIRE_TIMEOUT_MS);
  return {
    knex,
    kind: 'embedded',
    probe: () => probe(connection),
    async close() {
      await knex.destroy();
      await embedded.close();
    },
  };
}

/** What both pg and knex accept as connection settings (their typings differ only in the custom type parsers we never set). */
type ConnectionSettings = Omit<pg.ClientConfig, 'types'>;

/** Connects, runs SELECT 1 and disconnects; rejects when the database cannot be reached within the connect timeout. */
async function probe(connection: ConnectionSettings): Promise<void> {
  const client = new pg.Client(connection);
  // An error after connecting (the server going away) must not go unhandled; the query below reports it.
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
  } finally {
    await client.end().catch(() => undefined);
  }
}

function embeddedConnection(socketDir: string): ConnectionSettings {
  return { host: socketDir, port: EMBEDDED_SOCKET_PORT, user: 'postgres', database: 'postgres' };
}

/**
 * `prepare`: statements marked for it are prepared on the server (see preparing-pg-client.ts). Never on the embedded
 * database, whose one backend serves every connection: a name one connection prepared would clash with another's.
 */
function createKnex(connection: ConnectionSettings, poolMax: number, connectTimeoutMs: number, prepare = false): Knex {
  return knexFactory({
    client: prepare ? PreparingPgClient : 'pg',
    connection,
    // Migrations hold one connection for their advisory lock while knex runs them on another.
    pool: { min: 0, max: Math.max(2, poolMax) },
    // A request waits at most this long for a connection, so a database outage answers 503 instead of hanging.
    acquireConnectionTimeout: connectTimeoutMs,
    log: { warn: warnUnlessConnectionLost },
  });
}

// knex warns on every lost connection and failed connect, one line each: an outage would flood the log. The errors
// reach the requests that meet them, and the server logs the outage once (database-availability.ts).
const CONNECTION_WARNINGS = /^(Connection Error|Acquire connection error): /;

function warnUnlessConnectionLost(message: string): void {
  if (!CONNECTION_WARNINGS.test(message)) process.stderr.write(`knex: ${message}\n`);
}
