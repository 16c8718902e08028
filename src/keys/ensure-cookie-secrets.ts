import { randomBytes } from 'node:crypto';
import type { Queries } from '../db/queries/index.ts';

/** Returns the cookie-signing secrets, newest first, generating and storing one on first start. */
export async function ensureCookieSecrets(queries: Queries): Promise<string[]> {
  const stored = await queries.cookieKeys.listCookieSecrets();
  if (stored.length > 0) return stored;
  return queries.transaction(async (trx) => {
    await trx.locks.lockForTransaction('cookie-keys');
    const current = await trx.cookieKeys.listCookieSecrets();
    if (current.length > 0) return current;
    await trx.cookieKeys.insertCookieSecret(randomBytes(32).toString('base64url'), new Date());
    return trx.cookieKeys.listCookieSecrets();
  });
}
