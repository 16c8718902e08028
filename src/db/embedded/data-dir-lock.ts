import { mkdirSync, openSync, readFileSync, rmSync, writeSync, closeSync } from 'node:fs';
import { join } from 'node:path';

/** Who owns an embedded data directory, and where it serves Postgres connections. */
export interface DataDirOwner {
  pid: number;
  socketDir: string;
}

const LOCK_FILE = 'latchkey.lock';

/** Returns the live owner of the data directory, or undefined when it is free (a stale lock counts as free). */
export function findDataDirOwner(dataDir: string): DataDirOwner | undefined {
  const owner = readLock(join(dataDir, LOCK_FILE));
  return owner && isProcessAlive(owner.pid) ? owner : undefined;
}

/**
 * Takes the data directory for this process. PGlite's files belong to one process at a time, so a second process
 * must go through the owner's socket instead; the lock says who that is.
 */
export function lockDataDir(dataDir: string, socketDir: string): { release(): void } {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const lockPath = join(dataDir, LOCK_FILE);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(lockPath, 'wx', 0o600);
      writeSync(fd, JSON.stringify({ pid: process.pid, socketDir } satisfies DataDirOwner));
      closeSync(fd);
      return { release: () => rmSync(lockPath, { force: true }) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = findDataDirOwner(dataDir);
      if (owner) throw new DataDirInUseError(dataDir, owner.pid);
      rmSync(lockPath, { force: true });
    }
  }
  throw new DataDirInUseError(dataDir, undefined);
}

/** Thrown when another live process holds the embedded database. */
export class DataDirInUseError extends Error {
  constructor(dataDir: string, pid: number | undefined) {
    super(
      `The embedded database in ${dataDir} is in use by another process${pid ? ` (pid ${pid})` : ''}. ` +
        'Stop it, or set DATABASE_URL to run several instances on a Postgres server.',
    );
    this.name = 'DataDirInUseError';
  }
}

function readLock(lockPath: string): DataDirOwner | undefined {
  try {
    const parsed: unknown = JSON.parse(readFileSync(lockPath, 'utf8'));
    if (typeof parsed !== 'object' || parsed === null) return undefined;
    const { pid, socketDir } = parsed as Record<string, unknown>;
    return typeof pid === 'number' && typeof socketDir === 'string' ? { pid, socketDir } : undefined;
  } catch {
    return undefined;
  }
}

function isProcessAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
