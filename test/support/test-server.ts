// A real Latchkey server for integration tests: config files in a temp dir, loaded by loadConfig, started in-process
// on a free 127.0.0.1 port, on a database of its own from a DatabaseTarget.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Knex } from 'knex';
import { stringify } from 'yaml';
import { loadConfig } from '../../src/config/load-config.ts';
import type { ClientMetadata, LatchkeyConfig, LogLevel, ResourceServer } from '../../src/config/types.ts';
import { startServer, type RunningServer } from '../../src/start-server.ts';
import { createLogger } from '../../src/logger.ts';
import type { LogCapture } from './log-capture.ts';
import { createQueries } from '../../src/db/queries/index.ts';
import type { AccountService } from '../../src/accounts/account-service.ts';
import type { SessionService } from '../../src/sessions/session-service.ts';
import { buildAccountAdministration } from '../../src/cli/cli-context.ts';
import { createDatabase } from '../../src/db/create-database.ts';
import type { DatabaseTarget, ProvisionedDatabase } from './database-targets.ts';

/** A client as written in clients.yaml (the loader fills the defaults). */
export type TestClient = Partial<ClientMetadata> & { client_id: string };

/** A resource as written in clients.yaml; access_token_ttl may be a duration like 5m. */
export type TestResource = Omit<ResourceServer, 'access_token_ttl'> & { access_token_ttl?: string | number };

export interface TestServerOptions {
  target: DatabaseTarget;
  clients?: readonly TestClient[];
  resources?: readonly TestResource[];
  /** Merged into latchkey.yaml (snake_case, as in the file). */
  overrides?: Record<string, unknown>;
  /** Collects the server's log lines (at trace level) instead of TEST_LOG's stderr. */
  logs?: LogCapture;
}

/** A running server and what tests need around it. */
export interface TestServer {
  /** http://127.0.0.1:<port>, which is also where it listens (unless the test overrides the issuer). */
  issuer: string;
  /** Where it listens: http://127.0.0.1:<port>. */
  url: string;
  config: LatchkeyConfig;
  /** Accounts on the server's database, through a connection of the test's own. */
  accounts: AccountService;
  /** Sessions on the server's database, as the CLI ends them (back-channel logouts included). */
  sessions: SessionService;
  /** The test's own connection to the server's database, to read rows directly. */
  knex: Knex;
  /** The server itself: reloadClients, metricsUrl. */
  running: RunningServer;
  /** The directory holding its latchkey.yaml and clients.yaml. */
  configDir: string;
  close(): Promise<void>;
}

// Cheapest argon2id cost the config schema accepts (src/config/server-schema.ts); tests only.
const FAST_ARGON2 = { memory_cost: 8192, time_cost: 1, parallelism: 1 };
const PORT_ATTEMPTS = 3;

/** Writes a config dir, loads it with loadConfig and starts the server on it; close() stops it and drops the database. */
export async function startTestServer(options: TestServerOptions): Promise<TestServer> {
  const database = await options.target.provision();
  const configDir = mkdtempSync(path.join(tmpdir(), 'latchkey-config-'));
  const removeConfigDir = () => rmSync(configDir, { recursive: true, force: true });
  try {
    const { config, server } = await startOnFreePort(options, database, configDir);
    let knex: Knex | undefined;
    try {
      knex = await openTestConnection(config);
      const { accounts, sessions } = buildAccountAdministration(createQueries(knex), config);
      const testKnex = knex;
      return {
        issuer: config.issuer,
        url: server.url,
        config,
        accounts,
        sessions,
        knex: testKnex,
        running: server,
        configDir,
        async close() {
          try {
            await testKnex.destroy();
            await server.close();
          } finally {
            await database.dispose();
            removeConfigDir();
          }
        },
      };
    } catch (error) {
      await knex?.destroy();
      await server.close();
      throw error;
    }
  } catch (error) {
    await database.dispose();
    removeConfigDir();
    throw error;
  }
}

async function startOnFreePort(
  options: TestServerOptions,
  database: ProvisionedDatabase,
  configDir: string,
): Promise<{ config: LatchkeyConfig; server: RunningServer }> {
  for (let attempt = 1; ; attempt++) {
    // The issuer must be the URL the server listens on, so the port is chosen before the config is written.
    const port = await findFreePort();
    writeConfigFiles(configDir, port, options, database);
    const config = loadConfig({ configDir, env: {}, cwd: configDir });
    try {
      const logger = options.logs ? createLogger('trace', { destination: options.logs.destination }) : createLogger(testLogLevel());
      // The test runner hosts many servers and suites: its threadpool keeps its priority (the spawned servers of
      // cluster-workers.test.ts check the lowering).
      const server = await startServer(config, logger, { env: {}, lowerThreadpoolPriority: false });
      return { config, server };
    } catch (error) {
      // Another process may take the port between findFreePort and listen; try another one.
      if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE' || attempt >= PORT_ATTEMPTS) throw error;
    }
  }
}

function writeConfigFiles(configDir: string, port: number, options: TestServerOptions, database: ProvisionedDatabase): void {
  const server = deepMerge(
    {
      issuer: `http://127.0.0.1:${port}`,
      port,
      host: '127.0.0.1',
      log_level: testLogLevel(),
      database: { ...database.settings, pool_max: 4 },
      passwords: { argon2: FAST_ARGON2 },
      // Required on Postgres; given on the embedded database too, so no test writes a key file into a data dir.
      signing: { key_encryption_key: randomBytes(32).toString('base64') },
    },
    options.overrides ?? {},
  );
  writeFileSync(path.join(configDir, 'latchkey.yaml'), stringify(server));
  writeFileSync(
    path.join(configDir, 'clients.yaml'),
    stringify({ clients: options.clients ?? [], resources: options.resources ?? [] }),
  );
}

/** A second connection to the server's database; in-process, the embedded one is reached through its socket. */
async function openTestConnection(config: LatchkeyConfig): Promise<Knex> {
  return (await createDatabase(config.database, 'client')).knex;
}

function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createNetServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

function testLogLevel(): LogLevel {
  const level = process.env['TEST_LOG'];
  if (!level) return 'silent';
  const known: readonly string[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
  return known.includes(level) ? (level as LogLevel) : 'info'; // TEST_LOG=1 means "show the logs"
}

function deepMerge(base: Record<string, unknown>, extra: Record<string, unknown>): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(extra)) {
    const current = merged[key];
    merged[key] = isPlainObject(current) && isPlainObject(value) ? deepMerge(current, value) : value;
  }
  return merged;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
