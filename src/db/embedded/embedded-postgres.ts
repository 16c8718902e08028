import { createServer, type Server } from 'node:net';
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import { lockDataDir } from './data-dir-lock.ts';
import { servePgliteConnection } from './pglite-connection.ts';

/** An embedded Postgres (PGlite) served on a Unix socket, so that knex/pg and the CLI reach it like a real server. */
export interface EmbeddedPostgres {
  /** Directory holding `.s.PGSQL.<port>`; pass it to pg as `host`. */
  socketDir: string;
  port: number;
  close(): Promise<void>;
}

export const EMBEDDED_SOCKET_PORT = 5432;
// Unix socket paths are limited to 107 bytes on Linux; a deep data directory falls back to a private temp dir.
const MAX_SOCKET_PATH = 100;
// A client holding the single backend this long without a word (mid-transaction) is cut off so others can proceed.
const MAX_HOLD_MS = 30_000;

/** Opens the PGlite database in `dataDir` and serves it on a Unix socket owned by this process. */
export async function startEmbeddedPostgres(dataDir: string): Promise<EmbeddedPostgres> {
  const socketDir = chooseSocketDir(dataDir);
  const lock = lockDataDir(dataDir, socketDir);
  let db: PGlite | undefined;
  let server: Server | undefined;
  try {
    // Imported here, not at the top: a server on Postgres never needs PGlite.
    const { PGlite } = await import('@electric-sql/pglite');
    db = await PGlite.create(join(dataDir, 'pgdata'));
    const backend = db;
    mkdirSync(socketDir, { recursive: true, mode: 0o700 });
    const socketPath = join(socketDir, `.s.PGSQL.${EMBEDDED_SOCKET_PORT}`);
    rmSync(socketPath, { force: true });
    const listening = createServer((socket) => servePgliteConnection(backend, socket, { maxHoldMs: MAX_HOLD_MS }));
    server = listening;
    await new Promise<void>((resolve, reject) => {
      listening.once('error', reject);
      listening.listen(socketPath, () => resolve());
    });
  } catch (error) {
    server?.close();
    await db?.close().catch(() => undefined);
    lock.release();
    throw error;
  }
  const openServer = server;
  const openDb = db;
  return {
    socketDir,
    port: EMBEDDED_SOCKET_PORT,
    async close() {
      await new Promise<void>((resolve) => openServer.close(() => resolve()));
      await openDb.close();
      lock.release();
    },
  };
}

function chooseSocketDir(dataDir: string): string {
  const preferred = join(dataDir, 'run');
  if (join(preferred, `.s.PGSQL.${EMBEDDED_SOCKET_PORT}`).length <= MAX_SOCKET_PATH) return preferred;
  return mkdtempSync(join(tmpdir(), 'latchkey-'));
}
