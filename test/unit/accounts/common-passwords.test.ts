import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { isCommonPassword, loadCommonPasswords } from '../../../src/accounts/common-passwords.ts';

const REPO = path.resolve(import.meta.dirname, '../../..');

describe('the common-password list', () => {
  it('holds the most common breached passwords of 8+ characters, in lower case, each once', () => {
    const list = loadCommonPasswords();
    expect(list.size).toBeGreaterThanOrEqual(10_000);
    for (const password of ['password', '12345678', 'iloveyou', 'qwertyuiop', 'password1']) expect(list.has(password), password).toBe(true);
    for (const password of list) {
      expect(password.length).toBeGreaterThanOrEqual(8);
      expect(password).toBe(password.toLowerCase());
    }
    const lines = readFileSync(path.join(REPO, 'src/accounts/common-passwords.txt'), 'utf8').split('\n').filter((line) => line && !line.startsWith('#'));
    expect(lines).toHaveLength(list.size);
  });

  it('matches without regard to case, and leaves uncommon passwords alone', () => {
    expect(isCommonPassword('PassWord1')).toBe(true);
    expect(isCommonPassword('ILOVEYOU')).toBe(true);
    expect(isCommonPassword('correct horse battery staple 42')).toBe(false);
  });

  it('is what scripts/generate-common-passwords.ts generates from @zxcvbn-ts/language-common', () => {
    const run = () =>
      execFileSync(process.execPath, ['--experimental-strip-types', '--disable-warning=ExperimentalWarning', 'scripts/generate-common-passwords.ts', '--check'], { cwd: REPO, stdio: 'pipe' });
    expect(run).not.toThrow();
  });
});
