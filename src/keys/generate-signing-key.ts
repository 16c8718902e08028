import { calculateJwkThumbprint, exportJWK, generateKeyPair } from 'jose';
import type { SigningAlgorithm } from '../config/types.ts';

/** A private signing key as a JWK, with `kid` (its RFC 7638 thumbprint), `alg` and `use`. */
export type PrivateSigningJwk = Record<string, unknown> & { kid: string; alg: SigningAlgorithm; use: 'sig' };

const KEY_OPTIONS: Record<SigningAlgorithm, { modulusLength?: number; crv?: string }> = {
  RS256: { modulusLength: 2048 },
  ES256: {},
  EdDSA: { crv: 'Ed25519' },
};

/** Generates a new private signing key for the algorithm. */
export async function generateSigningKey(alg: SigningAlgorithm): Promise<PrivateSigningJwk> {
  const { privateKey } = await generateKeyPair(alg, { ...KEY_OPTIONS[alg], extractable: true });
  const jwk = await exportJWK(privateKey);
  const kid = await calculateJwkThumbprint(jwk);
  return { ...jwk, kid, alg, use: 'sig' };
}
