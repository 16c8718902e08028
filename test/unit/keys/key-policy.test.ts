import { describe, expect, it } from 'vitest';
import { buildKeyPolicies, longestSignedLifetime, RETIREMENT_MARGIN_SECONDS } from '../../../src/keys/key-policy.ts';
import type { LatchkeyConfig } from '../../../src/config/types.ts';

const ttl: LatchkeyConfig['ttl'] = {
  accessToken: 600,
  idToken: 3600,
  refreshToken: 1_209_600,
  authorizationCode: 60,
  session: 7200,
  interaction: 3600,
  grant: 31_536_000,
  clientCredentials: 900,
};
const signing: LatchkeyConfig['signing'] = {
  algorithms: ['RS256', 'EdDSA'],
  keyEncryptionKey: undefined,
  previousKeyEncryptionKeys: [],
  rotationInterval: 7_776_000,
  publishLeadTime: 172_800,
  jwksMaxAge: 600,
};
const api = { identifier: 'https://api.example.test', scopes: ['read'], access_token_ttl: 9000 };

describe('key policies from the configuration', () => {
  it('keep a retired signing key for the longest lifetime of what it signed: tokens, APIs, and ID tokens as logout hints', () => {
    expect(longestSignedLifetime({ ttl, resources: [], clients: [] })).toBe(7200); // the session: id_token_hint
    expect(longestSignedLifetime({ ttl, resources: [api], clients: [] })).toBe(9000); // the API's own access_token_ttl
    expect(longestSignedLifetime({ ttl: { ...ttl, idToken: 86_400 }, resources: [api], clients: [] })).toBe(86_400);
    // Back-channel logout tokens live two minutes whatever the settings, once a client takes them.
    const short = { ...ttl, accessToken: 10, idToken: 10, session: 10, clientCredentials: 10 };
    expect(longestSignedLifetime({ ttl: short, resources: [], clients: [] })).toBe(10);
    const backchannel = { client_id: 'rp', backchannel_logout_uri: 'https://rp.example.test/logout' } as LatchkeyConfig['clients'][number];
    expect(longestSignedLifetime({ ttl: short, resources: [], clients: [backchannel] })).toBe(120);
    // Refresh tokens and grants are opaque: their long lifetimes need no key.
    expect(longestSignedLifetime({ ttl, resources: [], clients: [] })).toBeLessThan(ttl.refreshToken);
  });

  it('rotates every configured algorithm and the stored cookie keys on the configured schedule', () => {
    const policies = buildKeyPolicies({ signing, ttl, resources: [api], clients: [], cookies: { secrets: undefined } });
    expect(policies.groups).toEqual(['RS256', 'EdDSA', 'cookie']);
    expect(policies.policyFor('EdDSA')).toEqual({
      rotationIntervalMs: 7_776_000_000,
      publishLeadMs: 172_800_000,
      switchDelayMs: 5000,
      retentionMs: (9000 + RETIREMENT_MARGIN_SECONDS) * 1000,
    });
    expect(policies.policyFor('cookie').retentionMs).toBe((7200 + RETIREMENT_MARGIN_SECONDS) * 1000);
  });

  it('follows the registry in use, which a reload of clients.yaml replaces', () => {
    let resources = [api];
    const policies = buildKeyPolicies({ signing, ttl, resources: [], clients: [], cookies: { secrets: undefined } }, () => ({ clients: [], resources }));
    expect(policies.policyFor('RS256').retentionMs).toBe((9000 + RETIREMENT_MARGIN_SECONDS) * 1000);
    resources = [{ ...api, access_token_ttl: 20_000 }];
    expect(policies.policyFor('RS256').retentionMs).toBe((20_000 + RETIREMENT_MARGIN_SECONDS) * 1000);
  });

  it('leaves cookie keys to the operator when the configuration lists them', () => {
    const policies = buildKeyPolicies({ signing, ttl, resources: [], clients: [], cookies: { secrets: ['x'.repeat(32)] } });
    expect(policies.groups).toEqual(['RS256', 'EdDSA']);
  });
});
