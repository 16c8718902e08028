import { describe, expect, it } from 'vitest';
import { databaseTargets } from '../support/database-targets.ts';
import { useTestServer } from '../support/use-test-server.ts';
import { allClients, apiResource } from '../support/fixtures.ts';

describe.each(databaseTargets())('discovery ($name database)', (target) => {
  const server = useTestServer({ target, clients: allClients, resources: [apiResource] });

  it('publishes a discovery document for exactly this issuer (OIDC Discovery §4.3)', async () => {
    const { issuer } = server();
    const response = await fetch(`${issuer}/.well-known/openid-configuration`);
    expect(response.status).toBe(200);
    const document = (await response.json()) as Record<string, unknown>;
    expect(document['issuer']).toBe(issuer);
    for (const endpoint of ['authorization_endpoint', 'token_endpoint', 'jwks_uri', 'userinfo_endpoint', 'end_session_endpoint', 'revocation_endpoint', 'introspection_endpoint']) {
      expect(String(document[endpoint]), endpoint).toMatch(new RegExp(`^${issuer}/`));
    }
    expect(document['code_challenge_methods_supported']).toEqual(['S256']);
    expect(document['response_types_supported']).toEqual(['code']);
    expect(document['id_token_signing_alg_values_supported']).toEqual(expect.arrayContaining(['RS256', 'ES256']));
  });

  it('publishes RS256 and ES256 public keys, and no private parts', async () => {
    const { issuer } = server();
    const document = (await (await fetch(`${issuer}/.well-known/openid-configuration`)).json()) as { jwks_uri: string };
    const jwks = (await (await fetch(document.jwks_uri)).json()) as { keys: Array<Record<string, unknown>> };
    expect(jwks.keys).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ kty: 'RSA', alg: 'RS256', use: 'sig', kid: expect.any(String) }),
        expect.objectContaining({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig', kid: expect.any(String) }),
      ]),
    );
    for (const key of jwks.keys) {
      for (const privatePart of ['d', 'p', 'q', 'dp', 'dq', 'qi']) expect(key, `${String(key['kid'])} has ${privatePart}`).not.toHaveProperty(privatePart);
    }
  });
});
