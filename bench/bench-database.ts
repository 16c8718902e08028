// The database a bench run uses: created fresh on the Postgres server, watched while the load runs, dropped after.
import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** A fresh database on the server, and an admin connection (to the server's own database) that watches it. */
export interface BenchDatabase {
  name: string;
  /** Connection URL of the bench database, for Latchkey and the CLI. */
  url: string;
  /** Pids of the Postgres client backends connected to the bench database right now. */
  listBackendPids(): Promise<number[]>;
  /** Committed + rolled back transactions of the bench database so far (pg_stat_database; flushed with a delay). */
  readTransactionCount(): Promise<number>;
  /** The server's version, e.g. "15.20". */
  serverVersion(): Promise<string>;
  drop(): Promise<void>;
}

/** Creates latchkey_bench_<random> on the server named by `serverUrl`. */
export async function createBenchDatabase(serverUrl: string): Promise<BenchDatabase> {
  const name = `latchkey_bench_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl, application_name: 'latchkey-bench-admin' });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } catch (error) {
    await admin.end();
    throw error;
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    name,
    url: url.href,
    async listBackendPids() {
      const result = await admin.query<{ pid: number }>(
        "SELECT pid FROM pg_stat_activity WHERE datname = $1 AND backend_type = 'client backend'",
        [name],
      );
      return result.rows.map((row) => row.pid);
    },
    async readTransactionCount() {
      const result = await admin.query<{ total: string }>(
        'SELECT xact_commit + xact_rollback AS total FROM pg_stat_database WHERE datname = $1',
        [name],
      );
      return Number(result.rows[0]?.total ?? 0);
    },
    async serverVersion() {
      const result = await admin.query<{ server_version: string }>('SHOW server_version');
      return result.rows[0]?.server_version.split(' ')[0] ?? 'unknown';
    },
    async drop() {
      try {
        // FORCE ends connections a crashed server may have left behind (Postgres 13+).
        await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await admin.end();
      }
    },
  };
}
