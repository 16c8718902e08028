// The `signing` section of latchkey.yaml: algorithms, the key-encryption key, and the key life cycle.
import { z } from 'zod';
import { durationSchema, formatDuration } from './duration.ts';
import { section, uniqueList, unset } from './fields.ts';

export const SIGNING_ALGORITHMS = ['RS256', 'ES256', 'EdDSA'] as const;

/**
 * The shortest publish lead time: every instance checks the database for key changes every few seconds, and must know
 * a new key before any instance signs with it.
 */
export const MIN_PUBLISH_LEAD_SECONDS = 5;

const KEK_HINT = 'must be the base64 of 32 random bytes (44 characters); generate one with `openssl rand -base64 32`';

/** Decodes a key-encryption key written as base64 (or base64url) of exactly 32 bytes; undefined when it is not one. */
export function decodeKeyEncryptionKey(text: string): Buffer | undefined {
  const trimmed = text.trim();
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(trimmed)) return undefined;
  const bytes = Buffer.from(trimmed.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  return bytes.length === 32 ? bytes : undefined;
}

export const keyEncryptionKeyField = z
  .string({ error: KEK_HINT })
  .check((ctx) => {
    if (decodeKeyEncryptionKey(ctx.value) === undefined) ctx.issues.push({ code: 'custom', input: ctx.value, message: KEK_HINT });
  })
  .transform((text) => text.trim());

export const previousKeyEncryptionKeysField = z.array(keyEncryptionKeyField, { error: 'must be a list of keys' });

const signingAlgorithms = uniqueList(z.enum(SIGNING_ALGORITHMS, { error: `must be one of ${SIGNING_ALGORITHMS.join(', ')}` }), 'algorithms')
  // OpenID Connect Core §15.1: every OP must support RS256, and clients may rely on it.
  .refine((algorithms) => algorithms.includes('RS256'), { error: 'must include RS256 (required by OpenID Connect Core §15.1)' });

export const signingSection = section({
  algorithms: signingAlgorithms.default(['RS256', 'ES256']),
  key_encryption_key: unset(keyEncryptionKeyField),
  previous_key_encryption_keys: previousKeyEncryptionKeysField.default([]),
  rotation_interval: durationSchema.prefault('90d'),
  publish_lead_time: durationSchema.prefault('2d'),
  jwks_max_age: durationSchema.prefault('10m'),
}).check((ctx) => {
  const signing = ctx.value;
  const issue = (path: string, message: string) => ctx.issues.push({ code: 'custom', input: signing, path: [path], message });
  if (signing.publish_lead_time < signing.jwks_max_age) {
    issue('publish_lead_time', `must be at least jwks_max_age (${formatDuration(signing.jwks_max_age)}), so that relying parties that cached the JWKS see a new key before it signs anything`);
  } else if (signing.publish_lead_time < MIN_PUBLISH_LEAD_SECONDS) {
    issue('publish_lead_time', `must be at least ${MIN_PUBLISH_LEAD_SECONDS}s, so that every instance knows a new key before any of them signs with it`);
  }
  if (signing.rotation_interval < signing.publish_lead_time) {
    issue('rotation_interval', `must be at least publish_lead_time (${formatDuration(signing.publish_lead_time)}): the next key is published that long before it takes over`);
  }
});
