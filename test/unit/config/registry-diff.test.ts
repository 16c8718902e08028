import { describe, expect, it } from 'vitest';
import { diffRegistries, isEmptyDiff } from '../../../src/config/registry-diff.ts';
import type { ClientMetadata, ClientRegistry } from '../../../src/config/types.ts';

function spa(id: string, extra: Partial<ClientMetadata> = {}): ClientMetadata {
  return {
    client_id: id,
    application_type: 'web',
    redirect_uris: [`https://${id}.example/cb`],
    post_logout_redirect_uris: [],
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'none',
    scope: 'openid',
    ...extra,
  };
}

describe('diffRegistries', () => {
  it('lists added, removed and changed clients and resources, naming changed fields but never their values', () => {
    const before: ClientRegistry = {
      clients: [spa('kept'), spa('gone'), spa('edited', { client_secret: 'old-secret-old-secret-old-secret-1' })],
      resources: [{ identifier: 'https://api.example', scopes: ['a'], access_token_ttl: 600 }],
    };
    const after: ClientRegistry = {
      clients: [spa('kept'), spa('edited', { client_secret: 'new-secret-new-secret-new-secret-2', scope: 'openid email' }), spa('new')],
      resources: [{ identifier: 'https://api.example', scopes: ['a', 'b'], access_token_ttl: 600 }, { identifier: 'https://other.example', scopes: ['c'], access_token_ttl: 60 }],
    };
    const diff = diffRegistries(before, after);
    expect(diff).toEqual({
      clients: { added: ['new'], removed: ['gone'], changed: [{ id: 'edited', fields: ['client_secret', 'scope'] }] },
      resources: { added: ['https://other.example'], removed: [], changed: [{ id: 'https://api.example', fields: ['scopes'] }] },
    });
    expect(JSON.stringify(diff)).not.toContain('secret-');
    expect(isEmptyDiff(diff)).toBe(false);
  });

  it('finds nothing between equal registries', () => {
    const registry: ClientRegistry = { clients: [spa('a')], resources: [] };
    expect(isEmptyDiff(diffRegistries(registry, structuredClone(registry)))).toBe(true);
  });
});
