// Several real Latchkey server processes (`node src/main.ts`, as `npm start` runs it) on different ports over one
// Postgres database, all with the same issuer: the URL of a round-robin proxy in front of them.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ChildProcess } from 'node:child_process';
import knexFactory, { type Knex } from 'knex';
import { stringify } from 'yaml';
import { freePort, spawnServer, stop, waitForHttp } from './child-process.ts';
import { startRoundRobinProxy, type RoundRobinProxy } from './round-robin-proxy.ts';
import type { TestClient, TestResource } from './test-server.ts';
import { loadConfig } from '../../src/config/load-config.ts';
import { createQueries } from '../../src/db/queries/index.ts';
import { createAccountService, type AccountService } from '../../src/accounts/account-service.ts';
import { createPasswordHasher } from '../../src/accounts/password-hasher.ts';
import { createHashingGate, NEVER_BUSY } from '../../src/accounts/hashing-gate.ts';
import { createSessionService, findLogoutReceivers } from '../../src/sessions/session-service.ts';

/** One server process. */
export interface ServerInstance {
  url: string;
  port: number;
  process: ChildProcess & { output: () => string };
}

export interface InstanceGroup {
  /** The proxy's URL: the issuer of every instance. */
  issuer: string;
  proxy: RoundRobinProxy;
  instances: ServerInstance[];
  configDir: string;
  /** Environment for `latchkey` CLI runs against the same config and database. */
  cliEnv: Record<string, string>;
  /** Accounts on the shared database, through a connection of the test's own. */
  accounts: AccountService;
  knex: Knex;
  /** Starts instance `index` again (after it was killed), on its old port. */
  restart(index: number): Promise<void>;
  close(): Promise<void>;
}

export interface InstanceGroupOptions {
  count: number;
  databaseUrl: string;
  clients?: readonly TestClient[];
  resources?: readonly TestResource[];
  /** Merged over latchkey.yaml (snake_case). */
  overrides?: Record<string, unknown>;
  /** Extra environment for every instance. */
  env?: Record<string, string>;
}

const FAST_ARGON2 = { memory_cost: 8192, time_cost: 1, parallelism: 1 };

/** Writes one config dir, starts `count` instances on it together, and points a round-robin proxy at them. */
export async function startInstanceGroup(options: InstanceGroupOptions): Promise<InstanceGroup> {
  const proxy = await startRoundRobinProxy();
  const configDir = mkdtempSync(path.join(tmpdir(), 'lk-group-'));
  writeFileSync(
    path.join(configDir, 'latchkey.yaml'),
    stringify({
      issuer: proxy.url,
      host: '127.0.0.1',
      proxy: true,
      log_level: process.env['TEST_LOG'] ? 'info' : 'warn',
      cluster: { workers: 1 },
      passwords: { argon2: FAST_ARGON2 },
      ...options.overrides,
      database: { url: options.databaseUrl, pool_max: 4, ...(options.overrides?.['database'] as object | undefined) },
      // Required on a Postgres server; one key for the group, as instances of one deployment share it.
      signing: { key_encryption_key: randomBytes(32).toString('base64'), ...(options.overrides?.['signing'] as object | undefined) },
    }),
  );
  writeFileSync(path.join(configDir, 'clients.yaml'), stringify({ clients: options.clients ?? [], resources: options.resources ?? [] }));
  const ports = await Promise.all(Array.from({ length: options.count }, () => freePort()));
  const instances: ServerInstance[] = [];
  const spawnInstance = (port: number) =>
    spawnServer({ LATCHKEY_CONFIG_DIR: configDir, PORT: String(port), ...options.env });

  const config = loadConfig({ configDir, env: {} });
  const knex = knexFactory({ client: 'pg', connection: options.databaseUrl, pool: { min: 0, max: 2 } });
  const queries = createQueries(knex);
  const accounts = createAccountService(
    queries,
    createPasswordHasher(config.passwords.argon2, createHashingGate(NEVER_BUSY)),
    { minPasswordLength: config.passwords.minLength },
    createSessionService(queries, () => findLogoutReceivers(config.clients)),
  );

  const close = async () => {
    await Promise.all(instances.map((instance) => stop(instance.process)));
    await proxy.close();
    await knex.destroy();
    rmSync(configDir, { recursive: true, force: true });
  };

  try {
    // Started together: migrations and key generation must sort themselves out between the instances.
    for (const port of ports) instances.push({ url: `http://127.0.0.1:${port}`, port, process: spawnInstance(port) });
    await Promise.all(instances.map((instance) => waitForReady(instance)));
    proxy.setTargets(instances.map((instance) => instance.url));
  } catch (error) {
    for (const instance of instances) process.stderr.write(`--- instance ${instance.url}\n${instance.process.output()}\n`);
    await close();
    throw error;
  }

  return {
    issuer: proxy.url,
    proxy,
    instances,
    configDir,
    cliEnv: { LATCHKEY_CONFIG_DIR: configDir },
    accounts,
    knex,
    async restart(index) {
      const instance = instances[index];
      if (!instance) throw new Error(`no instance ${index}`);
      instance.process = spawnInstance(instance.port);
      await waitForReady(instance);
    },
    close,
  };
}

function waitForReady(instance: ServerInstance): Promise<void> {
  return waitForHttp(`${instance.url}/readyz`, instance.process, 60_000);
}
