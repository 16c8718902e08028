import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { findStartCacheDir } from '../../../src/config/start-cache-dir.ts';

describe('findStartCacheDir', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(path.join(tmpdir(), 'lk-cache-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('creates latchkey/ under XDG_CACHE_HOME, else ~/.cache, readable by this user alone', () => {
    const xdg = findStartCacheDir({ XDG_CACHE_HOME: path.join(root, 'xdg'), HOME: path.join(root, 'home') });
    expect(xdg).toBe(path.join(root, 'xdg', 'latchkey'));
    expect(statSync(xdg!).mode & 0o777).toBe(0o700);
    expect(findStartCacheDir({ XDG_CACHE_HOME: 'relative/is/ignored', HOME: path.join(root, 'home') })).toBe(path.join(root, 'home', '.cache', 'latchkey'));
  });

  it('gives none without an absolute home', () => {
    expect(findStartCacheDir({})).toBeUndefined();
    expect(findStartCacheDir({ HOME: 'relative' })).toBeUndefined();
  });

  it('gives none when others could write the directory or swap it for theirs', () => {
    const dir = path.join(root, 'open', 'latchkey');
    mkdirSync(dir, { recursive: true });
    chmodSync(dir, 0o777);
    expect(findStartCacheDir({ XDG_CACHE_HOME: path.join(root, 'open') })).toBeUndefined();

    const shared = path.join(root, 'shared');
    mkdirSync(shared);
    chmodSync(shared, 0o777);
    expect(findStartCacheDir({ XDG_CACHE_HOME: shared })).toBeUndefined();
    chmodSync(shared, 0o1777); // sticky, like /tmp: others cannot rename what is ours
    expect(findStartCacheDir({ XDG_CACHE_HOME: shared })).toBe(path.join(shared, 'latchkey'));
  });
});
