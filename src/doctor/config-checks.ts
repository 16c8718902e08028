import type { LatchkeyConfig } from '../config/types.ts';
import { fail, ok, warn, type CheckResult } from './check-result.ts';
import { isLocalIssuer } from './transport-checks.ts';

/**
 * Settings that work but should not reach production, read from the local configuration (only when it is the
 * configuration of the server being checked).
 */
export function evaluateConfiguration(config: LatchkeyConfig): CheckResult[] {
  const production = !isLocalIssuer(config.issuer);
  const results: CheckResult[] = [];
  if (config.database.url === undefined) {
    results.push(
      production
        ? warn('database kind', 'the embedded database serves a public issuer', 'set DATABASE_URL to a Postgres server with backups')
        : ok('database kind', 'embedded (fine for development)'),
    );
  } else {
    results.push(ok('database kind', 'Postgres server'));
  }
  const kek = keyEncryptionKeyOf(config);
  if (kek.present) {
    if (kek.value) results.push(ok('key encryption', 'signing keys are encrypted at rest'));
    else if (production) results.push(fail('key encryption', 'signing.key_encryption_key is not set: the signing keys are encrypted with a key generated into the data directory, next to the database', 'set LATCHKEY_KEY_ENCRYPTION_KEY (openssl rand -base64 32)'));
    else results.push(warn('key encryption', 'signing.key_encryption_key is not set: the signing keys are encrypted with a key generated into the data directory (acceptable for development only)'));
  }
  return results;
}

/** The key-encryption key setting exists only once key rotation (signing.key_encryption_key) is part of the config. */
function keyEncryptionKeyOf(config: LatchkeyConfig): { present: boolean; value: unknown } {
  const signing = config.signing as Record<string, unknown>;
  for (const field of ['keyEncryptionKey', 'key_encryption_key']) {
    if (field in signing) return { present: true, value: signing[field] };
  }
  return { present: false, value: undefined };
}
