// Secrets at rest: AES-256-GCM under a key-encryption key, bound to the row they belong to.
import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';

/** A 32-byte key-encryption key and its id, which sealed values name so the right key (or a clear error) is found. */
export interface KeyEncryptionKey {
  id: string;
  key: Buffer;
}

const FORMAT = 'v1';
const IV_BYTES = 12; // NIST SP 800-38D §8.2: 96-bit random IVs; a few thousand keys per KEK stay far below its limits

/** Wraps raw key bytes; the id is an HMAC of a fixed label, so it names the key without revealing anything of it. */
export function toKeyEncryptionKey(key: Buffer): KeyEncryptionKey {
  if (key.length !== 32) throw new RangeError('a key-encryption key must be 32 bytes');
  return { id: createHmac('sha256', key).update('latchkey key-encryption key id').digest('hex').slice(0, 16), key };
}

/**
 * A secret derived from the key-encryption key for another use (`label` keeps uses apart; HMAC-SHA256, so the result
 * reveals nothing of the key): the same on every instance, and unchanged by signing and cookie key rotations.
 */
export function deriveSecret(kek: KeyEncryptionKey, label: string): string {
  return createHmac('sha256', kek.key).update(`latchkey derived secret:${label}`).digest('base64url');
}

/**
 * Encrypts `plaintext` for the row named by `context` (e.g. `signing-key:<kid>`): the context is the GCM additional
 * data, so a sealed value copied into another row does not decrypt there. Returns `v1.<kek id>.<iv>.<ciphertext>.<tag>`.
 */
export function sealSecret(kek: KeyEncryptionKey, plaintext: string, context: string): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', kek.key, iv);
  cipher.setAAD(additionalData(context));
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return [FORMAT, kek.id, iv, ciphertext, cipher.getAuthTag()].map((part) => (typeof part === 'string' ? part : part.toString('base64url'))).join('.');
}

/** The id of the key-encryption key a value was sealed with, or undefined when it is not a sealed value. */
export function sealedWith(sealed: string): string | undefined {
  return parse(sealed)?.kekId;
}

/** Decrypts a value sealed for `context` with one of `keks`; throws SealedSecretError saying why it cannot. */
export function openSealed(keks: readonly KeyEncryptionKey[], sealed: string, context: string): string {
  const parts = parse(sealed);
  if (!parts) throw new SealedSecretError(`${context} is not stored in the sealed format Latchkey writes`);
  const kek = keks.find((candidate) => candidate.id === parts.kekId);
  if (!kek) throw new SealedSecretError(`${context} was encrypted with the key-encryption key ${parts.kekId}, which is not configured`);
  try {
    const decipher = createDecipheriv('aes-256-gcm', kek.key, parts.iv);
    decipher.setAAD(additionalData(context));
    decipher.setAuthTag(parts.tag);
    return Buffer.concat([decipher.update(parts.ciphertext), decipher.final()]).toString('utf8');
  } catch {
    throw new SealedSecretError(`${context} does not decrypt: the stored value was altered or belongs to another row`);
  }
}

/** A sealed value that cannot be opened. */
export class SealedSecretError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SealedSecretError';
  }
}

function additionalData(context: string): Buffer {
  return Buffer.from(`latchkey:${FORMAT}:${context}`, 'utf8');
}

function parse(sealed: string): { kekId: string; iv: Buffer; ciphertext: Buffer; tag: Buffer } | undefined {
  const [format, kekId, iv, ciphertext, tag, ...rest] = sealed.split('.');
  if (format !== FORMAT || !kekId || iv === undefined || ciphertext === undefined || tag === undefined || rest.length > 0) return undefined;
  const [ivBytes, tagBytes] = [Buffer.from(iv, 'base64url'), Buffer.from(tag, 'base64url')];
  if (ivBytes.length !== IV_BYTES || tagBytes.length !== 16) return undefined;
  return { kekId, iv: ivBytes, ciphertext: Buffer.from(ciphertext, 'base64url'), tag: tagBytes };
}
