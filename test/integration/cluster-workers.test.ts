// `npm start` with several worker processes (node:cluster): the primary starts LATCHKEY_WORKERS workers on a Postgres
// server, starts a new one when one dies, and on SIGTERM drains them all and exits 0. On the embedded database it runs
// one process whatever is asked, and says so.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { getPriority, tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort, spawnServer, stop, waitForHttp } from '../support/child-process.ts';
import { databaseTargets, type ProvisionedDatabase } from '../support/database-targets.ts';
import { parseJsonLines } from '../support/log-capture.ts';

const postgres = databaseTargets().find((target) => target.name === 'postgres');
if (!postgres) console.warn('Skipping the multi-worker test: it needs Postgres; set TEST_DATABASE_URL');

// Generous: the embedded database starts slowly on a busy two-core machine.
const STARTUP_BOUND_MS = 90_000;

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

interface LogLine {
  msg?: string;
  pid?: number;
  worker_pid?: number;
  workers?: number;
  requested_workers?: number;
}

const logLines = (output: string) => parseJsonLines<LogLine>(output);

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function until(what: string, check: () => boolean, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`${what} did not happen within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function serverEnv(extra: Record<string, string>): Promise<{ env: Record<string, string>; url: string }> {
  const root = mkdtempSync(path.join(tmpdir(), 'lk-workers-'));
  cleanups.push(() => rmSync(root, { recursive: true, force: true }));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    env: { LATCHKEY_CONFIG_DIR: path.join(root, 'config'), LATCHKEY_DATA_DIR: path.join(root, 'data'), PORT: String(port), ISSUER: url, LOG_LEVEL: 'info', ...extra },
  };
}

describe('worker processes', () => {
  it('runs one process on the embedded database however many workers are asked for, and says so', async () => {
    const { env, url } = await serverEnv({ LATCHKEY_WORKERS: '3' });
    const server = spawnServer(env);
    cleanups.push(async () => void (await stop(server)));
    await waitForHttp(`${url}/readyz`, server, STARTUP_BOUND_MS);

    const lines = logLines(server.output());
    expect(lines).toContainEqual(expect.objectContaining({ msg: 'the embedded database runs in a single process: starting 1 worker', requested_workers: 3 }));
    expect(lines.filter((line) => line.msg === 'worker started')).toEqual([]);
    expect(await stop(server)).toBe(0);
  }, 2 * STARTUP_BOUND_MS);

  describe.runIf(postgres)('on a Postgres server', () => {
    it('starts LATCHKEY_WORKERS workers, replaces one that dies, and drains them all on SIGTERM with exit 0', async () => {
      const database: ProvisionedDatabase | undefined = await postgres?.provision();
      cleanups.push(() => database?.dispose());
      const databaseUrl = database && 'url' in database.settings ? database.settings.url : '';
      const { env, url } = await serverEnv({
        DATABASE_URL: databaseUrl,
        LATCHKEY_WORKERS: '2',
        LATCHKEY_KEY_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      });
      const primary = spawnServer(env);
      cleanups.push(async () => void (await stop(primary)));
      const workerPids = () => logLines(primary.output()).filter((line) => line.msg === 'worker started').flatMap((line) => line.worker_pid ?? []);
      const listening = () => logLines(primary.output()).filter((line) => line.msg === 'latchkey is listening').length;

      await until('two workers listening', () => listening() >= 2, STARTUP_BOUND_MS);
      await waitForHttp(`${url}/readyz`, primary, STARTUP_BOUND_MS);
      expect(logLines(primary.output())).toContainEqual(expect.objectContaining({ msg: 'starting worker processes', workers: 2, pid: primary.pid }));
      const [first, second] = workerPids();
      if (first === undefined || second === undefined) throw new Error('expected two worker pids');
      expect(new Set([primary.pid, first, second]).size).toBe(3);
      // Password hashing yields to the event loop: each worker's libuv threads run 10 nice levels below it.
      for (const pid of [first, second]) {
        const { main, pool } = threadPriorities(pid);
        expect(pool.length).toBeGreaterThan(0);
        expect(pool).toEqual(pool.map(() => Math.min(19, main + 10)));
      }
      expect(logLines(primary.output())).toContainEqual(
        expect.objectContaining({ msg: 'latchkey is listening', password_hashing: expect.stringContaining('threadpool at nice +10') }),
      );
      // Started without memory options, the primary gives its workers a 16 MiB young generation and two malloc arenas.
      for (const pid of [first, second]) {
        expect(readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')).toContain('--max-semi-space-size=16');
        expect(readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0')).toContain('MALLOC_ARENA_MAX=2');
      }

      process.kill(first, 'SIGKILL');
      await until('a replacement worker', () => workerPids().length === 3 && listening() >= 3, STARTUP_BOUND_MS);
      expect(logLines(primary.output())).toContainEqual(expect.objectContaining({ msg: 'worker exited unexpectedly; starting a new one' }));
      for (let i = 0; i < 6; i++) expect((await fetch(`${url}/readyz`)).status).toBe(200);
      const replacement = workerPids()[2] ?? 0;

      expect(await stop(primary)).toBe(0);
      expect(logLines(primary.output()).filter((line) => line.msg === 'stopping')).toHaveLength(2); // each worker drained
      expect([second, replacement].filter(isRunning)).toEqual([]);
    }, 3 * STARTUP_BOUND_MS);
  });
});

/** The nice value of a process's main thread and of each of its libuv threadpool threads (Linux). */
function threadPriorities(pid: number): { main: number; pool: number[] } {
  const pool = readdirSync(`/proc/${pid}/task`)
    .filter((tid) => readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim() === 'libuv-worker')
    .map((tid) => getPriority(Number(tid)));
  return { main: getPriority(pid), pool };
}
