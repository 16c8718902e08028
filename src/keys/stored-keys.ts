// The signing and cookie keys as stored, and their material opened for use.
import type { Queries } from '../db/queries/index.ts';
import { SIGNING_ALGORITHMS } from '../config/signing-schema.ts';
import type { KeyGroup } from './key-life-cycle.ts';
import type { PlannedKey } from './key-steps.ts';
import { openSealed, type KeyEncryptionKey } from './key-encryption.ts';
import type { PrivateSigningJwk } from './generate-signing-key.ts';

/** A key row of either table: its timeline, its sealed material and any plaintext an earlier version left. */
export interface StoredKey extends PlannedKey {
  sealed: string | null;
  plaintext: string | null;
}

/** A key with its material opened: a private JWK for a signing key, the secret for a cookie key. */
export type OpenedKey = PlannedKey & ({ group: 'cookie'; secret: string } | { group: Exclude<KeyGroup, 'cookie'>; jwk: PrivateSigningJwk });

/** Every stored key, removed ones included. */
export async function listStoredKeys(queries: Queries): Promise<StoredKey[]> {
  const [signing, cookies] = await Promise.all([queries.signingKeys.listSigningKeys(), queries.cookieKeys.listCookieKeys()]);
  return [
    ...signing.map(({ alg, sealedPrivateJwk, plaintextPrivateJwk, ...key }) => ({
      ...key,
      group: toSigningGroup(alg, key.kid),
      sealed: sealedPrivateJwk,
      plaintext: plaintextPrivateJwk === null ? null : JSON.stringify(plaintextPrivateJwk),
      hasMaterial: sealedPrivateJwk !== null || plaintextPrivateJwk !== null,
    })),
    ...cookies.map(({ sealedSecret, plaintextSecret, ...key }) => ({
      ...key,
      group: 'cookie' as const,
      sealed: sealedSecret,
      plaintext: plaintextSecret,
      hasMaterial: sealedSecret !== null || plaintextSecret !== null,
    })),
  ];
}

/** The GCM additional data of a key's material: its table and kid, so material cannot move between rows. */
export function sealingContext(key: Pick<StoredKey, 'group' | 'kid'>): string {
  return `${key.group === 'cookie' ? 'cookie-key' : 'signing-key'}:${key.kid}`;
}

/** Opens a key's material; undefined when it has none left. Throws when it cannot be decrypted or does not match its row. */
export function openStoredKey(key: StoredKey, keks: readonly KeyEncryptionKey[]): OpenedKey | undefined {
  const { sealed, plaintext, ...planned } = key;
  const material = sealed !== null ? openSealed(keks, sealed, sealingContext(key)) : plaintext;
  if (material === null) return undefined;
  if (planned.group === 'cookie') return { ...planned, group: 'cookie', secret: material };
  const jwk = JSON.parse(material) as PrivateSigningJwk;
  if (jwk.kid !== key.kid || jwk.alg !== key.group) {
    throw new Error(`signing key ${key.kid}: the stored key is for ${String(jwk.alg)} ${String(jwk.kid)}, not for its row`);
  }
  return { ...planned, group: planned.group, jwk };
}

function toSigningGroup(alg: string, kid: string): Exclude<KeyGroup, 'cookie'> {
  const known = SIGNING_ALGORITHMS.find((candidate) => candidate === alg);
  if (!known) throw new Error(`signing key ${kid} has the algorithm ${alg}, which this version of Latchkey does not know`);
  return known;
}
