// The databases every integration suite runs on: the embedded PGlite database always, a real Postgres server when
// TEST_DATABASE_URL names one. Each test server gets a database of its own, created fresh and removed afterwards.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';

/** The `database` section of latchkey.yaml for one test server, and how to remove that database afterwards. */
export interface ProvisionedDatabase {
  settings: { url: string } | { data_dir: string };
  dispose(): Promise<void>;
}

/** A kind of database the suites run against; `name` is what test titles show. */
export interface DatabaseTarget {
  name: 'embedded' | 'postgres';
  provision(): Promise<ProvisionedDatabase>;
}

/** The targets for `describe.each`: embedded always, postgres when TEST_DATABASE_URL is set. */
export function databaseTargets(env: NodeJS.ProcessEnv = process.env): DatabaseTarget[] {
  const serverUrl = env['TEST_DATABASE_URL'];
  return serverUrl ? [embeddedTarget, postgresTarget(serverUrl)] : [embeddedTarget];
}

const embeddedTarget: DatabaseTarget = {
  name: 'embedded',
  async provision() {
    // Short path on purpose: the embedded server's Unix socket lives under data_dir/run (Linux caps socket paths).
    const dir = mkdtempSync(path.join(tmpdir(), 'lk-'));
    return {
      settings: { data_dir: path.join(dir, 'data') },
      async dispose() {
        rmSync(dir, { recursive: true, force: true });
      },
    };
  },
};

function postgresTarget(serverUrl: string): DatabaseTarget {
  return {
    name: 'postgres',
    async provision() {
      const name = `latchkey_test_${randomBytes(6).toString('hex')}`;
      await withAdminConnection(serverUrl, (admin) => admin.query(`CREATE DATABASE ${name}`));
      const url = new URL(serverUrl);
      url.pathname = `/${name}`;
      return {
        settings: { url: url.href },
        async dispose() {
          // FORCE (Postgres 13+) ends connections a failed test may have left open.
          await withAdminConnection(serverUrl, (admin) => admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
        },
      };
    },
  };
}

async function withAdminConnection(serverUrl: string, work: (admin: pg.Client) => Promise<unknown>): Promise<void> {
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await work(admin);
  } finally {
    await admin.end();
  }
}
