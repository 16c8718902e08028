// Relying parties through a rotation: one that caches the JWKS exactly as long as Cache-Control allows, and never
// refetches early for an unknown kid, verifies every token; token requests racing the switch all succeed.
import * as client from 'openid-client';
import { createRemoteJWKSet, customFetch, jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import { databaseTargets } from '../support/database-targets.ts';
import { useTestServer } from '../support/use-test-server.ts';
import { apiResource, basicWebClient, createTestUser, machineClient } from '../support/fixtures.ts';
import { BrowserSession } from '../support/browser-session.ts';
import { discoverClient, OFFLINE_ACCESS, signInWithCode } from '../support/relying-party.ts';
import { kidOf } from '../support/jwks.ts';

const MAX_AGE_SECONDS = 6;
const WORKERS = 4;
const MAX_REQUESTS = 4_000; // bounded however fast or slow the machine is
const PAUSE_MS = 40; // between one worker's requests, so that a rotation (every 12s) happens within the bound
const DEADLINE_MS = 90_000;

describe.each(databaseTargets())('relying parties across a rotation ($name database)', (target) => {
  const server = useTestServer({
    target,
    clients: [basicWebClient, machineClient],
    resources: [apiResource],
    overrides: { signing: { rotation_interval: '12s', publish_lead_time: `${MAX_AGE_SECONDS}s`, jwks_max_age: `${MAX_AGE_SECONDS}s` } },
  });

  it('a relying party with a cached JWKS verifies every token, and concurrent token requests during the switch all succeed', { timeout: DEADLINE_MS + 30_000 }, async () => {
    const issuer = server().issuer;
    const machine = await discoverClient(server(), machineClient);
    const web = await discoverClient(server(), basicWebClient);
    const user = await createTestUser(server());
    const signedIn = await signInWithCode(web, new BrowserSession(issuer), {
      redirectUri: basicWebClient.redirect_uris[0],
      ...OFFLINE_ACCESS,
      user,
      consent: 'allow',
    });
    let refreshToken = signedIn.refresh_token ?? '';

    // Honours Cache-Control and nothing more: with the cool-down as long as the cache, an unknown kid in a fresh
    // cache is an error instead of a refetch, so a key used before relying parties could know it would show.
    let jwksFetches = 0;
    const cachedJwks = createRemoteJWKSet(new URL(`${issuer}/jwks`), {
      cacheMaxAge: MAX_AGE_SECONDS * 1000,
      cooldownDuration: MAX_AGE_SECONDS * 1000,
      [customFetch]: (...args: Parameters<typeof fetch>) => {
        jwksFetches++;
        return fetch(...args);
      },
    });
    const verifyApiToken = (token: string) => jwtVerify(token, cachedJwks, { issuer, audience: apiResource.identifier, typ: 'at+jwt' });
    const verifyIdToken = (token: string) => jwtVerify(token, cachedJwks, { issuer, audience: basicWebClient.client_id });

    const failures: string[] = [];
    const kidsSeen: string[] = [];
    let requests = 0;
    let switchedAt: number | undefined;
    const deadline = Date.now() + DEADLINE_MS;
    // Runs until a switch of signing key was seen and a little after it, or the bounds are reached.
    const keepGoing = () => requests < MAX_REQUESTS && Date.now() < deadline && (switchedAt === undefined || Date.now() < switchedAt + 2_000);
    const record = async (work: () => Promise<string>, verify: (token: string) => Promise<unknown>) => {
      requests++;
      try {
        const token = await work();
        await verify(token);
        const kid = kidOf(token);
        if (!kidsSeen.includes(kid)) {
          kidsSeen.push(kid);
          if (kidsSeen.length === 2) switchedAt = Date.now();
        }
      } catch (error) {
        failures.push(`${new Date().toISOString()}: ${String(error)}`);
      }
      await new Promise((resolve) => setTimeout(resolve, PAUSE_MS));
    };

    const apiWorkers = Array.from({ length: WORKERS }, async () => {
      while (keepGoing()) {
        await record(async () => (await client.clientCredentialsGrant(machine, { scope: 'api:read' })).access_token, verifyApiToken);
      }
    });
    const idTokenWorker = (async () => {
      while (keepGoing()) {
        await record(async () => {
          const refreshed = await client.refreshTokenGrant(web, refreshToken);
          refreshToken = refreshed.refresh_token ?? refreshToken;
          return refreshed.id_token ?? '';
        }, verifyIdToken);
      }
    })();
    await Promise.all([...apiWorkers, idTokenWorker]);

    expect(failures).toEqual([]);
    expect(kidsSeen.length, `only ${kidsSeen.join(', ')} signed in ${requests} requests`).toBeGreaterThanOrEqual(2);
    // The cache was refreshed because it expired, never because a token came with a kid it did not know.
    expect(jwksFetches).toBeGreaterThanOrEqual(1);
  });
});
