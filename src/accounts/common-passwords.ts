import { readFileSync } from 'node:fs';

const LIST_FILE = new URL('./common-passwords.txt', import.meta.url);

let loaded: ReadonlySet<string> | undefined;

/**
 * The shipped list of common breached passwords (NIST SP 800-63B §5.1.1.2), read once per process into a Set.
 * Regenerate the file with scripts/generate-common-passwords.ts.
 */
export function loadCommonPasswords(): ReadonlySet<string> {
  loaded ??= new Set(
    readFileSync(LIST_FILE, 'utf8')
      .split('\n')
      .filter((line) => line !== '' && !line.startsWith('#')),
  );
  return loaded;
}

/** True when the password is on the list, compared without regard to case ("Password1" is as weak as "password1"). */
export function isCommonPassword(password: string): boolean {
  return loadCommonPasswords().has(password.toLowerCase());
}
