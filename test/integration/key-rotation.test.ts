// A whole signing-key rotation with short settings, watched the way relying parties see it: the JWKS, and the kid of
// every new token. The new key is published before any token carries it; after activation every new token carries
// it; a token signed by the old key keeps verifying until it expires; only then does the old key leave the JWKS.
import * as client from 'openid-client';
import { createLocalJWKSet, decodeJwt, jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import { databaseTargets } from '../support/database-targets.ts';
import { useTestServer } from '../support/use-test-server.ts';
import { apiResource, basicWebClient, createTestUser, machineClient } from '../support/fixtures.ts';
import { BrowserSession } from '../support/browser-session.ts';
import { discoverClient, OFFLINE_ACCESS, signInWithCode } from '../support/relying-party.ts';
import { fetchJwks, kidOf } from '../support/jwks.ts';
import { createOperationalStatsQueries } from '../../src/db/queries/operational-stats.ts';

// Lifetimes of 8s make the retired key's retention 8s + the 10s margin; rotation every 15s, published 5s ahead.
const SHORT = {
  signing: { algorithms: ['RS256'], rotation_interval: '15s', publish_lead_time: '5s', jwks_max_age: '5s' },
  ttl: { id_token: '8s', access_token: '8s', client_credentials: '8s', session: '8s' },
};
const CYCLE_DEADLINE_MS = 120_000;

interface IssuedToken {
  token: string;
  kid: string;
  at: number;
  exp: number;
}

describe.each(databaseTargets())('signing key rotation ($name database)', (target) => {
  const server = useTestServer({
    target,
    clients: [basicWebClient, machineClient],
    resources: [{ ...apiResource, access_token_ttl: '8s' }],
    overrides: SHORT,
  });

  it('publishes the next key before it signs, switches every new token to it, and removes the old key only after its tokens expired', { timeout: CYCLE_DEADLINE_MS + 30_000 }, async () => {
    const issuer = server().issuer;
    const config = await discoverClient(server(), basicWebClient);
    const machine = await discoverClient(server(), machineClient);
    const user = await createTestUser(server());
    const signedIn = await signInWithCode(config, new BrowserSession(issuer), {
      redirectUri: basicWebClient.redirect_uris[0],
      ...OFFLINE_ACCESS,
      user,
      consent: 'allow',
    });
    let refreshToken = signedIn.refresh_token ?? '';

    const jwksFirstSeen = new Map<string, number>();
    const jwksGoneAt = new Map<string, number>();
    const tokens: IssuedToken[] = [];
    const verificationFailures: string[] = [];
    const keyAgeGaps: string[] = [];
    const first = await fetchJwks(issuer);
    expect(first.headers.get('cache-control')).toBe('public, max-age=5');

    let oldKid: string | undefined;
    let lastOldToken: IssuedToken | undefined;
    const deadline = Date.now() + CYCLE_DEADLINE_MS;
    while (Date.now() < deadline) {
      const { jwks, kids } = await fetchJwks(issuer);
      const now = Date.now();
      for (const kid of kids) if (!jwksFirstSeen.has(kid)) jwksFirstSeen.set(kid, now);
      for (const kid of jwksFirstSeen.keys()) if (!kids.has(kid) && !jwksGoneAt.has(kid)) jwksGoneAt.set(kid, now);

      // A relying party holding the old key's last token verifies it against what is published now, until it expires.
      if (lastOldToken && Date.now() < lastOldToken.exp * 1000 - 1000) {
        await jwtVerify(lastOldToken.token, createLocalJWKSet(jwks), { issuer }).catch((error: unknown) => {
          verificationFailures.push(`${new Date().toISOString()}: ${String(error)}`);
        });
      }

      // The key-age metric always knows which key signs, also while its successor waits to take over.
      const ages = await createOperationalStatsQueries(server().knex).listNewestSigningKeyTimes();
      if (!ages.some((age) => age.alg === 'RS256')) keyAgeGaps.push(new Date().toISOString());

      // Each token is noted as it arrives: the switch may come between these two requests.
      const note = (token: string) => tokens.push({ token, kid: kidOf(token), at: Date.now(), exp: decodeJwt(token).exp ?? 0 });
      const refreshed = await client.refreshTokenGrant(config, refreshToken);
      refreshToken = refreshed.refresh_token ?? refreshToken;
      note(refreshed.id_token ?? '');
      note((await client.clientCredentialsGrant(machine, { scope: 'api:read' })).access_token);

      oldKid ??= tokens[0]?.kid;
      const switched = tokens.some((token) => token.kid !== oldKid);
      if (!switched) lastOldToken = tokens.at(-1);
      if (switched && oldKid && jwksGoneAt.has(oldKid)) break;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }

    if (!oldKid || !lastOldToken) throw new Error('no token was issued');
    const firstNew = tokens.find((token) => token.kid !== oldKid);
    if (!firstNew) throw new Error(`no token carried a new key within ${CYCLE_DEADLINE_MS} ms`);
    const newKid = firstNew.kid;
    // Published before any token carried it.
    expect(jwksFirstSeen.get(newKid)).toBeLessThan(firstNew.at);
    // From the switch on, no new token carries the old key (tokens are in the order they were issued).
    expect(tokens.slice(tokens.indexOf(firstNew)).filter((token) => token.kid === oldKid)).toEqual([]);
    // The old key's tokens verified against the published JWKS until they expired...
    expect(verificationFailures).toEqual([]);
    expect(keyAgeGaps).toEqual([]);
    // ...and the old key left the JWKS only after the last of them had expired.
    const goneAt = jwksGoneAt.get(oldKid);
    if (goneAt === undefined) throw new Error(`${oldKid} was still published after ${CYCLE_DEADLINE_MS} ms`);
    expect(goneAt).toBeGreaterThanOrEqual(Math.max(...tokens.filter((token) => token.kid === oldKid).map((token) => token.exp * 1000)));
    // Nothing is published or signs from a removed key: its row keeps no private material.
    const row = await server().knex('signing_keys').where('kid', oldKid).first();
    expect(row).toMatchObject({ private_jwk: null, sealed_private_jwk: null });
    // The audit trail tells the story, step by step, as done by the schedule.
    const audited = await server().knex('audit_events').where('event', 'key.rotated').orderBy('id').pluck('details');
    const story = (audited as Array<Record<string, string>>).filter((details) => [oldKid, newKid].includes(details['kid'] ?? ''));
    expect(story.map((details) => [details['kid'], details['state'], details['actor']])).toEqual(
      expect.arrayContaining([
        [newKid, 'generated', 'rotation schedule'],
        [oldKid, 'previous', 'rotation schedule'],
        [oldKid, 'retired', 'rotation schedule'],
      ]),
    );
  });
});
