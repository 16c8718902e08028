import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { listPackageTree } from './package-tree.ts';

const CACHE_FILE = 'views.json';
const cacheFileSchema = z.object({ key: z.string(), templates: z.record(z.string(), z.string()) });

/** Compiled template code kept between starts, valid only for the key it was stored with. */
export interface ViewCache {
  read(): Record<string, string> | undefined;
  write(templates: Record<string, string>): void;
}

/**
 * The compiled views in `cacheDir`, keyed by `compileOptions`, every file under `viewsDir` and the versions of pug and
 * its dependencies. Reading and writing never throw: a cache that cannot be used is a cache miss.
 */
export function openViewCache(cacheDir: string, viewsDir: string, compileOptions: object): ViewCache {
  const file = path.join(cacheDir, CACHE_FILE);
  let key: string | undefined;
  try {
    key = cacheKey(viewsDir, compileOptions);
  } catch {
    key = undefined;
  }
  return {
    read() {
      if (key === undefined) return undefined;
      try {
        const cached = cacheFileSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
        return cached.success && cached.data.key === key ? cached.data.templates : undefined;
      } catch {
        return undefined;
      }
    },
    write(templates) {
      if (key === undefined) return;
      const temporary = `${file}.${process.pid}.tmp`;
      try {
        writeFileSync(temporary, JSON.stringify({ key, templates }), { mode: 0o600 });
        // Atomic: workers starting together each read a whole file, theirs or another's with the same key.
        renameSync(temporary, file);
      } catch {
        rmSync(temporary, { force: true });
      }
    },
  };
}

function cacheKey(viewsDir: string, compileOptions: object): string {
  const hash = createHash('sha256').update(JSON.stringify(compileOptions));
  for (const entry of listPackageTree('pug', import.meta.dirname)) hash.update(`${entry}\0`);
  for (const name of readdirSync(viewsDir, { recursive: true }).map(String).sort()) {
    const file = path.join(viewsDir, name);
    if (!statSync(file).isFile()) continue;
    const content = readFileSync(file);
    hash.update(`${name}\0${content.length}\0`).update(content);
  }
  return hash.digest('hex');
}
