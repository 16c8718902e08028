// Where the key-encryption key comes from: the configuration, or on the embedded database a file generated in the data
// directory (a development convenience that warns loudly).
import { closeSync, mkdirSync, openSync, readFileSync, statSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { ConfigError } from '../config/config-error.ts';
import { displayPath } from '../config/problem-path.ts';
import { decodeKeyEncryptionKey } from '../config/signing-schema.ts';
import type { LatchkeyConfig } from '../config/types.ts';
import { toKeyEncryptionKey, type KeyEncryptionKey } from './key-encryption.ts';

/** The key that seals new material, and every key that may open stored material (the current one first). */
export interface KeyEncryptionKeys {
  current: KeyEncryptionKey;
  all: readonly KeyEncryptionKey[];
  /** Where `current` came from, for messages. */
  source: string;
  /** latchkey.yaml as messages name it. */
  configFile: string;
}

const GENERATED_KEK_FILE = 'key-encryption-key';
const SETTING = 'signing.key_encryption_key';
const HOW_TO =
  'generate one with `openssl rand -base64 32` and set it in LATCHKEY_KEY_ENCRYPTION_KEY (or signing.key_encryption_key) on every ' +
  'instance; keep it in a secret store, apart from the database and its backups';

/** Resolves the key-encryption keys; throws ConfigError when a Postgres server is used without one. */
export function resolveKeyEncryptionKeys(
  config: Pick<LatchkeyConfig, 'signing' | 'database' | 'sources'>,
  warn: (message: string, fields?: Record<string, unknown>) => void,
): KeyEncryptionKeys {
  const previous = config.signing.previousKeyEncryptionKeys.map(decodeConfigured);
  const configFile = displayPath(config.sources.serverFile, process.cwd());
  if (config.signing.keyEncryptionKey !== undefined) {
    const current = decodeConfigured(config.signing.keyEncryptionKey);
    return { current, all: [current, ...previous], source: `${SETTING} (or LATCHKEY_KEY_ENCRYPTION_KEY)`, configFile };
  }
  if (config.database.url !== undefined) {
    throw new ConfigError([
      {
        file: configFile,
        path: SETTING,
        message: `must be set when the database is a Postgres server (DATABASE_URL): Latchkey stores its signing keys there encrypted with this key; ${HOW_TO}`,
      },
    ]);
  }
  const file = path.join(config.database.dataDir, GENERATED_KEK_FILE);
  const current = toKeyEncryptionKey(readOrGenerate(file, warn));
  return { current, all: [current, ...previous], source: file, configFile };
}

function decodeConfigured(text: string): KeyEncryptionKey {
  const bytes = decodeKeyEncryptionKey(text);
  // The config schema has validated it; this only narrows the type.
  if (!bytes) throw new RangeError(`${SETTING} is not the base64 of 32 bytes`);
  return toKeyEncryptionKey(bytes);
}

function readOrGenerate(file: string, warn: (message: string, fields?: Record<string, unknown>) => void): Buffer {
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  let generated = false;
  try {
    // 'wx' fails when the file exists, so two processes never both generate one.
    const fd = openSync(file, 'wx', 0o600);
    try {
      writeSync(fd, `${randomBytes(32).toString('base64')}\n`);
    } finally {
      closeSync(fd);
    }
    generated = true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  const bytes = decodeKeyEncryptionKey(readFileSync(file, 'utf8'));
  if (!bytes) throw new Error(`${file} does not hold a key-encryption key (the base64 of 32 bytes); restore it from a backup`);
  if (generated) {
    warn(
      `NO KEY-ENCRYPTION KEY IS CONFIGURED. Generated one in ${file}; the private keys in the database are encrypted with it, ` +
        `and anyone who has both this file and the database can read them. Fine for trying Latchkey out; in production ${HOW_TO}.`,
      { file },
    );
  } else {
    warn(`using the key-encryption key generated in ${file}; in production ${HOW_TO}`, { file });
  }
  if ((statSync(file).mode & 0o077) !== 0) warn(`${file} is readable by other users; chmod 600 it`, { file });
  return bytes;
}
