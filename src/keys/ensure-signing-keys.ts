import type { Queries } from '../db/queries/index.ts';
import type { SigningAlgorithm } from '../config/types.ts';
import { generateSigningKey, type PrivateSigningJwk } from './generate-signing-key.ts';

/**
 * Makes sure there is a signing key for every configured algorithm and returns them all, newest first. Instances
 * starting together take a database lock, so only one of them generates a missing key.
 */
export async function ensureSigningKeys(queries: Queries, algorithms: readonly SigningAlgorithm[]): Promise<PrivateSigningJwk[]> {
  const stored = await queries.signingKeys.listSigningKeys();
  const missing = algorithms.filter((alg) => !stored.some((key) => key.alg === alg));
  if (missing.length === 0) return stored.map((key) => key.privateJwk as PrivateSigningJwk);

  return queries.transaction(async (trx) => {
    await trx.locks.lockForTransaction('signing-keys');
    const current = await trx.signingKeys.listSigningKeys();
    for (const alg of algorithms.filter((candidate) => !current.some((key) => key.alg === candidate))) {
      const key = await generateSigningKey(alg);
      await trx.signingKeys.insertSigningKey({ kid: key.kid, alg, privateJwk: key }, new Date());
    }
    return (await trx.signingKeys.listSigningKeys()).map((key) => key.privateJwk as PrivateSigningJwk);
  });
}
