import * as client from 'openid-client';
import { describe, expect, it } from 'vitest';
import { databaseTargets } from '../support/database-targets.ts';
import { useTestServer } from '../support/use-test-server.ts';
import { allClients, apiResource, createTestUser, spaClient } from '../support/fixtures.ts';
import { BrowserSession } from '../support/browser-session.ts';
import { discoverClient, signInWithCode } from '../support/relying-party.ts';

const spaOrigin = new URL(spaClient.redirect_uris[0]).origin;
const foreignOrigin = 'https://elsewhere.example.test';

describe.each(databaseTargets())('CORS at the token endpoint ($name database)', (target) => {
  const server = useTestServer({ target, clients: allClients, resources: [apiResource] });

  async function tokenEndpoint(): Promise<string> {
    const endpoint = (await discoverClient(server(), spaClient)).serverMetadata().token_endpoint;
    if (!endpoint) throw new Error('no token_endpoint in discovery');
    return endpoint;
  }

  /** A token request as the SPA's JavaScript would send it; the code is made up, only the CORS answer matters. */
  function postToken(endpoint: string, origin: string): Promise<Response> {
    return fetch(endpoint, {
      method: 'POST',
      headers: { origin, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: new URLSearchParams({ grant_type: 'authorization_code', client_id: spaClient.client_id, code: 'made-up', redirect_uri: spaClient.redirect_uris[0], code_verifier: client.randomPKCECodeVerifier() }),
    });
  }

  // A preflight names no client, so oidc-provider answers every origin there (lib/shared/cors.js); the client's
  // origins are enforced on the request itself, which is what the next tests check.
  it('answers the preflight from the SPA origin', async () => {
    const response = await fetch(await tokenEndpoint(), {
      method: 'OPTIONS',
      headers: { origin: spaOrigin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
    });

    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe(spaOrigin);
    expect(response.headers.get('access-control-allow-methods')).toContain('POST');
  });

  it('lets the SPA origin read token responses, errors included', async () => {
    const response = await postToken(await tokenEndpoint(), spaOrigin);

    expect(response.headers.get('access-control-allow-origin')).toBe(spaOrigin);
    expect(await response.json()).toMatchObject({ error: 'invalid_grant' });
  });

  it('does not let a foreign origin read token responses', async () => {
    const response = await postToken(await tokenEndpoint(), foreignOrigin);

    expect(response.headers.get('access-control-allow-origin')).toBeNull();
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: 'invalid_request' });
  });

  it('a real code exchange sent from the SPA origin succeeds and is readable there', async () => {
    const user = await createTestUser(server());
    const config = await discoverClient(server(), spaClient);
    const seen: Array<string | null> = [];
    config[client.customFetch] = async (url, options) => {
      const response = await fetch(url, { ...options, headers: { ...options.headers, origin: spaOrigin } });
      seen.push(response.headers.get('access-control-allow-origin'));
      return response;
    };

    const tokens = await signInWithCode(config, new BrowserSession(server().issuer), { redirectUri: spaClient.redirect_uris[0], scope: 'openid', user, consent: 'allow' });

    expect(tokens.claims()?.sub).toBe(user.id);
    expect(seen).toEqual([spaOrigin]);
  });
});
