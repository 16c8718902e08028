import { lstatSync, mkdirSync, type Stats } from 'node:fs';
import path from 'node:path';

// Write permission for group and others.
const WRITABLE_BY_OTHERS = 0o022;
const STICKY = 0o1000;

/**
 * Where a start may leave what makes the next one faster (compiled modules and views): $XDG_CACHE_HOME/latchkey, else
 * ~/.cache/latchkey. What it holds runs as code, so a cache others can write would let them inject code (the reason
 * not to use the shared os.tmpdir()): undefined, meaning no caching, unless it is a directory of this user's that no
 * one else can write or swap out. Caching is an optimisation, so any failure here also means undefined.
 */
export function findStartCacheDir(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const uid = process.getuid?.();
  const home = absolute(env['HOME']);
  const base = absolute(env['XDG_CACHE_HOME']) ?? (home === undefined ? undefined : path.join(home, '.cache'));
  if (uid === undefined || base === undefined) return undefined;
  const dir = path.join(base, 'latchkey');
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const own = lstatSync(dir);
    const parent = lstatSync(path.dirname(dir));
    return own.isDirectory() && isPrivate(own, uid) && !othersCanReplaceEntries(parent, uid) ? dir : undefined;
  } catch {
    return undefined;
  }
}

// The XDG base directory spec: a relative path in these variables is invalid and ignored.
function absolute(value: string | undefined): string | undefined {
  return value && path.isAbsolute(value) ? value : undefined;
}

function isPrivate(stats: Stats, uid: number): boolean {
  return stats.uid === uid && (stats.mode & WRITABLE_BY_OTHERS) === 0;
}

/** Whether someone other than this user (or root) could rename an entry of `parent` and put their own in its place. */
function othersCanReplaceEntries(parent: Stats, uid: number): boolean {
  if (parent.uid !== uid && parent.uid !== 0) return true;
  return (parent.mode & WRITABLE_BY_OTHERS) !== 0 && (parent.mode & STICKY) === 0;
}
