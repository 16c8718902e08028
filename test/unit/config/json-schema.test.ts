import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const REPO = path.resolve(import.meta.dirname, '../../..');

describe('config/schema/*.schema.json', () => {
  it('matches the zod schemas (run `npm run schema` after changing them)', () => {
    const run = () =>
      execFileSync(process.execPath, ['--experimental-strip-types', '--disable-warning=ExperimentalWarning', 'scripts/write-json-schema.ts', '--check'], {
        cwd: REPO,
        stdio: 'pipe',
      });
    expect(run).not.toThrow();
  });

  it('is referenced from the first line of each example file', () => {
    for (const name of ['latchkey', 'clients']) {
      const [firstLine] = readFileSync(path.join(REPO, 'config', `${name}.yaml`), 'utf8').split('\n');
      expect(firstLine).toBe(`# yaml-language-server: $schema=./schema/${name}.schema.json`);
    }
  });
});
