// A Postgres cluster of the test's own (initdb in a temp dir, on a free port), so a test can stop and start the database
// without touching the machine's shared server. initdb refuses to run as root, so as root the cluster belongs to the
// `postgres` OS user (runuser); as anyone else it runs as that user.
import { execFile } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './child-process.ts';

const run = promisify(execFile);
const POSTGRES_ROOT = '/usr/lib/postgresql';

export interface PrivatePostgres {
  /** postgres://postgres@127.0.0.1:<port>/postgres */
  url: string;
  start(): Promise<void>;
  /** A fast shutdown: open connections are cut, as in a failover or a restart for maintenance. */
  stop(): Promise<void>;
  dispose(): Promise<void>;
}

/** The bin directory of the newest Postgres installed under /usr/lib/postgresql, or undefined. */
export function findPostgresBinaries(): string | undefined {
  if (!existsSync(POSTGRES_ROOT)) return undefined;
  const versions = readdirSync(POSTGRES_ROOT)
    .filter((version) => existsSync(path.join(POSTGRES_ROOT, version, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] === undefined ? undefined : path.join(POSTGRES_ROOT, versions[0], 'bin');
}

/** Creates and starts a cluster; dispose() stops it and removes its files. */
export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const bin = findPostgresBinaries();
  if (!bin) throw new Error(`no Postgres binaries under ${POSTGRES_ROOT} (apt-get install postgresql)`);
  const root = mkdtempSync(path.join(tmpdir(), 'lk-pg-'));
  const dataDir = path.join(root, 'data');
  const port = await freePort();
  const asRoot = process.getuid?.() === 0;
  const asOwner = (command: string, args: string[]) =>
    asRoot ? run('runuser', ['-u', 'postgres', '--', path.join(bin, command), ...args]) : run(path.join(bin, command), args);
  if (asRoot) {
    chmodSync(root, 0o755);
    await run('chown', ['postgres', root]);
  }
  await asOwner('initdb', ['-D', dataDir, '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8', '--locale=C']);
  const serverOptions = [`-p ${port}`, `-k ${root}`, '-c listen_addresses=127.0.0.1', '-c fsync=off', '-c max_connections=40'].join(' ');
  const cluster: PrivatePostgres = {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    async start() {
      await asOwner('pg_ctl', ['-D', dataDir, '-l', path.join(root, 'postgres.log'), '-o', serverOptions, '-w', '-t', '60', 'start']);
    },
    async stop() {
      await asOwner('pg_ctl', ['-D', dataDir, '-m', 'fast', '-w', '-t', '60', 'stop']);
    },
    async dispose() {
      await cluster.stop().catch(() => undefined);
      rmSync(root, { recursive: true, force: true });
    },
  };
  try {
    await cluster.start();
  } catch (error) {
    rmSync(root, { recursive: true, force: true });
    throw error;
  }
  return cluster;
}
