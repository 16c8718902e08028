import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { openSealed, sealedWith, sealSecret, toKeyEncryptionKey } from '../../../src/keys/key-encryption.ts';

const kek = toKeyEncryptionKey(randomBytes(32));
const other = toKeyEncryptionKey(randomBytes(32));
const secret = JSON.stringify({ kty: 'EC', d: 'private-part-of-the-key', kid: 'kid-1' });

describe('sealed secrets (AES-256-GCM)', () => {
  it('round-trips, and the sealed value shows nothing of the secret', () => {
    const sealed = sealSecret(kek, secret, 'signing-key:kid-1');
    expect(sealed).toMatch(/^v1\.[0-9a-f]{16}\.[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(sealed).not.toContain('private-part');
    expect(Buffer.from(sealed.split('.')[3]!, 'base64url').toString('utf8')).not.toContain('private-part');
    expect(openSealed([other, kek], sealed, 'signing-key:kid-1')).toBe(secret);
  });

  it('uses a fresh IV each time', () => {
    expect(sealSecret(kek, secret, 'c')).not.toBe(sealSecret(kek, secret, 'c'));
  });

  it('names the key-encryption key it was sealed with, by an id that is not the key', () => {
    const sealed = sealSecret(kek, secret, 'c');
    expect(sealedWith(sealed)).toBe(kek.id);
    expect(kek.id).not.toBe(other.id);
    expect(kek.key.toString('hex')).not.toContain(kek.id);
  });

  it('does not open in another row: the row is bound as additional data', () => {
    const sealed = sealSecret(kek, secret, 'signing-key:kid-1');
    expect(() => openSealed([kek], sealed, 'signing-key:kid-2')).toThrow('does not decrypt');
    expect(() => openSealed([kek], sealed, 'cookie-key:kid-1')).toThrow('does not decrypt');
  });

  it('does not open without its key-encryption key, and says which one it needs', () => {
    const sealed = sealSecret(kek, secret, 'c');
    expect(() => openSealed([other], sealed, 'c')).toThrow(`was encrypted with the key-encryption key ${kek.id}, which is not configured`);
  });

  it('refuses a value whose ciphertext, tag or IV was altered', () => {
    const parts = sealSecret(kek, secret, 'c').split('.');
    for (const index of [2, 3, 4]) {
      const altered = [...parts];
      const bytes = Buffer.from(altered[index]!, 'base64url');
      bytes[0] = bytes[0]! ^ 1;
      altered[index] = bytes.toString('base64url');
      expect(() => openSealed([kek], altered.join('.'), 'c')).toThrow('does not decrypt');
    }
    expect(() => openSealed([kek], '{"kty":"RSA"}', 'c')).toThrow('not stored in the sealed format');
  });
});
