import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load-config.ts';
import { linesOf, makeConfigDir } from './fixtures/config-dir.ts';

const KEK = Buffer.alloc(32, 7).toString('base64');
const OLD_KEK = Buffer.alloc(32, 8).toString('base64url');

function load(text: string, env: NodeJS.ProcessEnv = {}) {
  const { cwd } = makeConfigDir({ 'latchkey.yaml': text });
  return () => loadConfig({ cwd, env });
}

describe('latchkey.yaml signing section', () => {
  it('parses the life-cycle durations and the key-encryption keys', () => {
    const config = load(`signing:
  rotation_interval: 30d
  publish_lead_time: 1h
  jwks_max_age: 5m
  key_encryption_key: "${KEK}"
  previous_key_encryption_keys: ["${OLD_KEK}"]
`)();
    expect(config.signing).toEqual({
      algorithms: ['RS256', 'ES256'],
      keyEncryptionKey: KEK,
      previousKeyEncryptionKeys: [OLD_KEK],
      rotationInterval: 2_592_000,
      publishLeadTime: 3600,
      jwksMaxAge: 300,
    });
  });

  it('takes the key-encryption keys from the environment', () => {
    const config = load('', { LATCHKEY_KEY_ENCRYPTION_KEY: KEK, LATCHKEY_PREVIOUS_KEY_ENCRYPTION_KEYS: ` ${OLD_KEK} ,` })();
    expect(config.signing).toMatchObject({ keyEncryptionKey: KEK, previousKeyEncryptionKeys: [OLD_KEK] });
  });

  it('allows seconds, so that tests can run a whole rotation quickly', () => {
    expect(load('signing: { rotation_interval: 20s, publish_lead_time: 5s, jwks_max_age: 5s }')().signing).toMatchObject({
      rotationInterval: 20,
      publishLeadTime: 5,
      jwksMaxAge: 5,
    });
  });

  it.each([
    [
      'a lead time shorter than the JWKS cache lifetime',
      'signing: { publish_lead_time: 5m, jwks_max_age: 1h }',
      'signing.publish_lead_time: must be at least jwks_max_age (1h), so that relying parties that cached the JWKS see a new key before it signs anything',
    ],
    [
      'a lead time too short for the other instances to notice',
      'signing: { publish_lead_time: 2s, jwks_max_age: 1s }',
      'signing.publish_lead_time: must be at least 5s, so that every instance knows a new key before any of them signs with it',
    ],
    [
      'a rotation interval shorter than the lead time',
      'signing: { rotation_interval: 1d }',
      'signing.rotation_interval: must be at least publish_lead_time (2d): the next key is published that long before it takes over',
    ],
    [
      'a key-encryption key of the wrong length',
      'signing: { key_encryption_key: c2hvcnQ= }',
      'signing.key_encryption_key: must be the base64 of 32 random bytes (44 characters); generate one with `openssl rand -base64 32`',
    ],
    [
      'a key-encryption key that is not base64',
      `signing: { key_encryption_key: "${'!'.repeat(44)}" }`,
      'signing.key_encryption_key: must be the base64 of 32 random bytes (44 characters); generate one with `openssl rand -base64 32`',
    ],
  ])('reports %s', (_, text, expected) => {
    expect(linesOf(load(text))).toEqual([`config/latchkey.yaml: ${expected}`]);
  });

  it('reports a bad key in the environment against the variable, without echoing it', () => {
    const lines = linesOf(load('', { LATCHKEY_KEY_ENCRYPTION_KEY: 'not-a-key-at-all' }));
    expect(lines).toEqual([
      'environment: LATCHKEY_KEY_ENCRYPTION_KEY: must be the base64 of 32 random bytes (44 characters); generate one with `openssl rand -base64 32`',
    ]);
  });
});
