import { readFileSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';

/**
 * `name@version` of the package `name` as Node resolves it from `fromDir`, and of every package it depends on, sorted:
 * what a cache of that package's output is keyed on, since a fix in any of them may change the output.
 */
export function listPackageTree(name: string, fromDir: string): string[] {
  const found = new Map<string, string>();
  const visit = (dependency: string, dir: string): void => {
    const packageDir = findPackageDir(dependency, dir);
    if (packageDir === undefined) throw new Error(`cannot find ${dependency} from ${dir}`);
    if (found.has(packageDir)) return;
    const manifest = JSON.parse(readFileSync(path.join(packageDir, 'package.json'), 'utf8')) as { version?: unknown; dependencies?: object };
    found.set(packageDir, `${dependency}@${String(manifest.version)}`);
    for (const next of Object.keys(manifest.dependencies ?? {})) visit(next, packageDir);
  };
  visit(name, fromDir);
  return [...found.values()].sort();
}

/** The real directory of `name` in the nearest node_modules from `fromDir` upwards (real, as pnpm links packages). */
function findPackageDir(name: string, fromDir: string): string | undefined {
  for (let dir = fromDir; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'node_modules', name);
    if (path.basename(dir) !== 'node_modules' && statSync(candidate, { throwIfNoEntry: false })) return realpathSync(candidate);
    if (path.dirname(dir) === dir) return undefined;
  }
}
