// Inside an HTTP request the adapter reads through the request's scope: a token comes with its grant, session and
// user, lookups made at once share one query, and a write drops what the request had read. Real database, both kinds.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errors, type Adapter } from 'oidc-provider';
import { createDatabase, type Database } from '../../src/db/create-database.ts';
import { migrateToLatest } from '../../src/db/migrate.ts';
import { createQueries, type Queries } from '../../src/db/queries/index.ts';
import { buildPostgresAdapterFactory } from '../../src/oidc/postgres-adapter.ts';
import { currentRequestScope, requestCacheKeys, storeRequestWrites, runInRequestScope } from '../../src/db/request-scope.ts';
import { databaseTargets, type ProvisionedDatabase } from '../support/database-targets.ts';

describe.each(databaseTargets())('adapter reads inside a request ($name database)', (target) => {
  let provisioned: ProvisionedDatabase;
  let database: Database;
  let queries: Queries;
  let adapterFor: (model: string) => Adapter;
  let queriesMade = 0;

  beforeAll(async () => {
    provisioned = await target.provision();
    const settings = provisioned.settings;
    const common = { poolMax: 4, connectTimeout: 5, statementTimeout: 10 };
    database = await createDatabase(
      'url' in settings ? { url: settings.url, dataDir: '', ...common } : { url: undefined, dataDir: settings.data_dir, ...common },
      'server',
    );
    await migrateToLatest(database.knex);
    queries = createQueries(database.knex);
    adapterFor = buildPostgresAdapterFactory(queries.oidcPayloads, queries.oidcPayloadWrites);
    database.knex.on('query', () => (queriesMade += 1));
  });
  afterAll(async () => {
    await database?.close();
    await provisioned?.dispose();
  });

  /** Runs `work` as one request would, and says how many queries it made. */
  async function inRequest(work: () => Promise<void>): Promise<number> {
    const before = queriesMade;
    await runInRequestScope(work);
    return queriesMade - before;
  }

  it('reading a token brings its grant, its session and its user along, so reading them next costs nothing', async () => {
    const user = await queries.users.insertUser(
      { id: 'reader-1', email: 'reader-1@example.test', emailVerified: true, name: 'Reader', givenName: null, familyName: null, passwordHash: 'x' },
      new Date(),
    );
    await adapterFor('Grant').upsert('grant-r1', { accountId: user.id, clientId: 'client-1', kind: 'Grant' }, 600);
    await adapterFor('Session').upsert('session-r1', { uid: 'session-uid-r1', accountId: user.id, kind: 'Session' }, 600);
    await adapterFor('AccessToken').upsert('token-r1', { accountId: user.id, grantId: 'grant-r1', sessionUid: 'session-uid-r1', kind: 'AccessToken' }, 600);

    const made = await inRequest(async () => {
      expect(await adapterFor('AccessToken').find('token-r1')).toMatchObject({ grantId: 'grant-r1' });
      expect(await adapterFor('Grant').find('grant-r1')).toMatchObject({ clientId: 'client-1' });
      expect(await adapterFor('Session').findByUid('session-uid-r1')).toMatchObject({ accountId: user.id });
      expect(currentRequestScope()?.get(requestCacheKeys.account(user.id))).toMatchObject({ email: 'reader-1@example.test' });
      expect(await adapterFor('AccessToken').find('token-r1')).toMatchObject({ grantId: 'grant-r1' });
    });
    expect(made).toBe(1);
  });

  it("reading a signed-in person's interaction brings their newest live consent for its client; writing a grant drops it", async () => {
    const accountId = 'interaction-reader';
    const grants = adapterFor('Grant');
    await grants.upsert('grant-old', { accountId, clientId: 'client-i', kind: 'Grant', iat: 1_000 }, 600);
    await grants.upsert('grant-new', { accountId, clientId: 'client-i', kind: 'Grant', iat: 2_000 }, 600);
    await grants.upsert('grant-other-client', { accountId, clientId: 'client-j', kind: 'Grant', iat: 3_000 }, 600);
    await adapterFor('Interaction').upsert('interaction-i1', { kind: 'Interaction', params: { client_id: 'client-i' }, result: { login: { accountId } } }, 600);
    await adapterFor('Interaction').upsert('interaction-i2', { kind: 'Interaction', params: { client_id: 'client-k' }, result: { login: { accountId } } }, 600);

    const latest = requestCacheKeys.latestGrant(accountId, 'client-i');
    const made = await inRequest(async () => {
      expect(await adapterFor('Interaction').find('interaction-i1')).toMatchObject({ params: { client_id: 'client-i' } });
      expect(currentRequestScope()?.get(latest)).toMatchObject({ id: 'grant-new' });
      expect(await grants.find('grant-new')).toMatchObject({ clientId: 'client-i', iat: 2_000 });
      // No consent for that client yet: the absence is remembered too.
      await adapterFor('Interaction').find('interaction-i2');
      expect(currentRequestScope()?.get(requestCacheKeys.latestGrant(accountId, 'client-k'))).toBeNull();
    });
    expect(made).toBe(2);

    await inRequest(async () => {
      await adapterFor('Interaction').find('interaction-i1');
      await grants.destroy('grant-new');
      expect(currentRequestScope()?.get(latest)).toBeUndefined();
    });
  });

  it('lookups made at once share one query, and each gets its own answer', async () => {
    await adapterFor('RefreshToken').upsert('shared-value', { accountId: 'nobody', kind: 'RefreshToken' }, 600);
    const made = await inRequest(async () => {
      const [access, credentials, refresh] = await Promise.all([
        adapterFor('AccessToken').find('shared-value'),
        adapterFor('ClientCredentials').find('shared-value'),
        adapterFor('RefreshToken').find('shared-value'),
      ]);
      expect(access).toBeUndefined();
      expect(credentials).toBeUndefined();
      expect(refresh).toMatchObject({ kind: 'RefreshToken' });
    });
    expect(made).toBe(1);
  });

  it('a write in the request drops what it had read: consumed, replaced and destroyed rows read as they now are', async () => {
    const codes = adapterFor('AuthorizationCode');
    await codes.upsert('code-w1', { accountId: 'nobody', kind: 'AuthorizationCode' }, 600);
    await inRequest(async () => {
      expect(await codes.find('code-w1')).not.toHaveProperty('consumed');
      await codes.consume('code-w1');
      expect(await codes.find('code-w1')).toHaveProperty('consumed');
      await codes.upsert('code-w1', { accountId: 'nobody', kind: 'AuthorizationCode', nonce: 'second' }, 600);
      expect(await codes.find('code-w1')).toMatchObject({ nonce: 'second' });
      await codes.destroy('code-w1');
      expect(await codes.find('code-w1')).toBeUndefined();
    });
  });

  it("a request's writes wait, and are stored in one statement before its next query or when it ends", async () => {
    const storedRow = (model: string, id: string) => database.knex('oidc_payloads').where({ model, id }).first();
    await adapterFor('Interaction').upsert('interaction-d1', { kind: 'Interaction' }, 600);
    const made = await inRequest(async () => {
      await adapterFor('Interaction').destroy('interaction-d1');
      await adapterFor('AuthorizationCode').upsert('code-d1', { accountId: 'nobody', kind: 'AuthorizationCode' }, 600);
      await adapterFor('Session').upsert('session-d1', { uid: 'uid-d1', accountId: 'nobody', kind: 'Session' }, 600);
      // Not stored yet: read past the query layer, which would store them first.
      expect(await storedRow('AuthorizationCode', 'code-d1')).toBeUndefined();
      expect(await storedRow('Interaction', 'interaction-d1')).toBeDefined();
      // A query of the request sees them.
      expect(await adapterFor('Session').findByUid('uid-d1')).toMatchObject({ accountId: 'nobody' });
      await adapterFor('AccessToken').upsert('token-d1', { accountId: 'nobody', kind: 'AccessToken' }, 600);
    });
    // This test's two looks past the query layer; the three writes in one statement; the session read; the access token
    // when the request ended.
    expect(made).toBe(5);
    expect(await storedRow('Interaction', 'interaction-d1')).toBeUndefined();
    expect(await storedRow('AuthorizationCode', 'code-d1')).toBeDefined();
    expect(await storedRow('AccessToken', 'token-d1')).toBeDefined();
  });

  it('a code spent meanwhile by another request: what this request issued after consuming it is not stored, and it is told invalid_grant', async () => {
    const codes = adapterFor('AuthorizationCode');
    await codes.upsert('code-s1', { accountId: 'nobody', grantId: 'grant-s1', kind: 'AuthorizationCode' }, 600);
    const request = inRequest(async () => {
      expect(await codes.find('code-s1')).not.toHaveProperty('consumed');
      await codes.consume('code-s1');
      // Another request spends the code first.
      await database.knex('oidc_payloads').where({ model: 'AuthorizationCode', id: 'code-s1' }).update({ consumed_at: new Date() });
      await adapterFor('AccessToken').upsert('token-s1', { accountId: 'nobody', grantId: 'grant-s1', kind: 'AccessToken' }, 600);
      await adapterFor('RefreshToken').upsert('refresh-s1', { accountId: 'nobody', grantId: 'grant-s1', kind: 'RefreshToken' }, 600);
      await storeRequestWrites();
    });
    await expect(request).rejects.toBeInstanceOf(errors.InvalidGrant);
    expect(await adapterFor('AccessToken').find('token-s1')).toBeUndefined();
    expect(await adapterFor('RefreshToken').find('refresh-s1')).toBeUndefined();
    expect(await codes.find('code-s1')).toHaveProperty('consumed');
  });

  it('a session that changes its id in a request keeps its uid: the new row is stored after the old one is gone', async () => {
    await adapterFor('Session').upsert('session-old', { uid: 'uid-kept', accountId: 'nobody', kind: 'Session' }, 600);
    await inRequest(async () => {
      await adapterFor('Interaction').destroy('no-such-interaction');
      await adapterFor('Session').destroy('session-old');
      await adapterFor('Session').upsert('session-new', { uid: 'uid-kept', accountId: 'nobody', kind: 'Session' }, 600);
    });
    expect(await adapterFor('Session').find('session-old')).toBeUndefined();
    expect(await adapterFor('Session').findByUid('uid-kept')).toMatchObject({ accountId: 'nobody' });
    expect(await adapterFor('Session').find('session-new')).toBeDefined();
  });

  it('revoking a grant drops every row read in the request', async () => {
    await adapterFor('AccessToken').upsert('token-g2', { accountId: 'nobody', grantId: 'grant-g2', kind: 'AccessToken' }, 600);
    await inRequest(async () => {
      expect(await adapterFor('AccessToken').find('token-g2')).toBeDefined();
      await adapterFor('AccessToken').revokeByGrantId('grant-g2');
      expect(await adapterFor('AccessToken').find('token-g2')).toBeUndefined();
    });
  });

  it('a grant revoked for every kind of token at once, as oidc-provider does, is deleted by one statement', async () => {
    await adapterFor('AccessToken').upsert('token-g3', { accountId: 'nobody', grantId: 'grant-g3', kind: 'AccessToken' }, 600);
    await adapterFor('RefreshToken').upsert('refresh-g3', { accountId: 'nobody', grantId: 'grant-g3', kind: 'RefreshToken' }, 600);
    const made = await inRequest(async () => {
      await Promise.all(['AccessToken', 'RefreshToken', 'AuthorizationCode'].map((model) => adapterFor(model).revokeByGrantId('grant-g3')));
    });
    expect(made).toBe(1);
    expect(await adapterFor('AccessToken').find('token-g3')).toBeUndefined();
    expect(await adapterFor('RefreshToken').find('refresh-g3')).toBeUndefined();
  });

  it('hands out copies: changing a payload read once does not change the next read', async () => {
    await adapterFor('Session').upsert('session-c1', { uid: 'uid-c1', accountId: 'nobody', authorizations: { a: { grantId: 'g' } } }, 600);
    await inRequest(async () => {
      const first = await adapterFor('Session').find('session-c1');
      (first?.['authorizations'] as Record<string, unknown>)['b'] = { grantId: 'changed' };
      expect(await adapterFor('Session').find('session-c1')).toMatchObject({ authorizations: { a: { grantId: 'g' } } });
      expect((await adapterFor('Session').find('session-c1'))?.['authorizations']).not.toHaveProperty('b');
    });
  });
});
