import { ConfigError } from '../config/config-error.ts';
import type { Queries } from '../db/queries/index.ts';
import { openSealed, sealedWith, sealSecret } from './key-encryption.ts';
import type { KeyEncryptionKeys } from './key-encryption-key.ts';
import { withKeyLock } from './key-operations.ts';
import { sealingContext, type StoredKey } from './stored-keys.ts';

/** What sealStoredKeys changed, by kid. */
export interface SealingReport {
  /** Keys an earlier version stored in plain text, now encrypted. */
  encrypted: string[];
  /** Keys encrypted with a previous key-encryption key, now with the current one. */
  reencrypted: string[];
}

/**
 * Makes every stored key sealed with the current key-encryption key: plaintext left by an earlier version is encrypted
 * and cleared, material sealed with a previous key is re-sealed. Throws ConfigError, before anything is served, when
 * material was sealed with a key that is not configured at all.
 */
export async function sealStoredKeys(queries: Queries, keks: KeyEncryptionKeys): Promise<SealingReport> {
  const report: SealingReport = { encrypted: [], reencrypted: [] };
  await withKeyLock(queries, 'wait', async (trx, keys) => {
    const unknown = keys.filter((key) => key.plaintext === null && key.sealed !== null && !keks.all.some((kek) => kek.id === sealedWith(key.sealed ?? '')));
    if (unknown.length > 0) throw mismatch(keks, unknown);
    for (const key of keys) {
      const material = key.plaintext ?? (key.sealed !== null && sealedWith(key.sealed) !== keks.current.id ? openSealed(keks.all, key.sealed, sealingContext(key)) : null);
      if (material === null) continue;
      await replaceMaterial(trx, key, sealSecret(keks.current, material, sealingContext(key)));
      (key.plaintext !== null ? report.encrypted : report.reencrypted).push(key.kid);
    }
  });
  return report;
}

function replaceMaterial(trx: Queries, key: StoredKey, sealed: string): Promise<void> {
  return key.group === 'cookie'
    ? trx.cookieKeys.replaceCookieKeyMaterial(key.kid, sealed)
    : trx.signingKeys.replaceSigningKeyMaterial(key.kid, sealed);
}

function mismatch(keks: KeyEncryptionKeys, unknown: readonly StoredKey[]): ConfigError {
  const ids = [...new Set(unknown.map((key) => sealedWith(key.sealed ?? '') ?? 'unknown'))].join(', ');
  return new ConfigError([
    {
      file: keks.configFile,
      path: 'signing.key_encryption_key',
      message:
        `is not the key this database's signing keys were encrypted with (they name key-encryption key ${ids}; the one from ` +
        `${keks.source} is ${keks.current.id}). Set the key this database was set up with; to change keys, list the old one ` +
        'under signing.previous_key_encryption_keys (LATCHKEY_PREVIOUS_KEY_ENCRYPTION_KEYS) until every instance has the new one.',
    },
  ]);
}
