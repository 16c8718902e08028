// The oidc-provider adapter's contract, run against the embedded database and real Postgres alike: the same calls must
// give the same answers on both, including expiry on read and atomic consumption.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Adapter } from 'oidc-provider';
import { createDatabase, type Database } from '../../src/db/create-database.ts';
import { migrateToLatest } from '../../src/db/migrate.ts';
import { createQueries, type Queries } from '../../src/db/queries/index.ts';
import { buildPostgresAdapterFactory } from '../../src/oidc/postgres-adapter.ts';
import { databaseTargets, type ProvisionedDatabase } from '../support/database-targets.ts';

describe.each(databaseTargets())('postgres adapter contract ($name database)', (target) => {
  let provisioned: ProvisionedDatabase;
  let database: Database;
  let queries: Queries;
  let clock = new Date('2026-01-01T00:00:00Z');
  let adapterFor: (model: string) => Adapter;

  beforeAll(async () => {
    provisioned = await target.provision();
    const settings = provisioned.settings;
    database = await createDatabase(
      'url' in settings ? { url: settings.url, poolMax: 4, dataDir: '', connectTimeout: 5, statementTimeout: 10 } : { url: undefined, poolMax: 4, dataDir: settings.data_dir, connectTimeout: 5, statementTimeout: 10 },
      'server',
    );
    await migrateToLatest(database.knex);
    queries = createQueries(database.knex);
    adapterFor = buildPostgresAdapterFactory(queries.oidcPayloads, queries.oidcPayloadWrites, () => clock);
  });
  afterAll(async () => {
    await database?.close();
    await provisioned?.dispose();
  });

  const later = (seconds: number) => new Date(clock.getTime() + seconds * 1000);

  it('upserts and finds a payload by id, replacing it on the next upsert', async () => {
    const codes = adapterFor('AuthorizationCode');
    await codes.upsert('code-1', { accountId: 'sub-1', grantId: 'grant-1', kind: 'AuthorizationCode' }, 60);
    expect(await codes.find('code-1')).toEqual({ accountId: 'sub-1', grantId: 'grant-1', kind: 'AuthorizationCode' });
    await codes.upsert('code-1', { accountId: 'sub-1', grantId: 'grant-1', kind: 'AuthorizationCode', nonce: 'n' }, 60);
    expect(await codes.find('code-1')).toMatchObject({ nonce: 'n' });
    expect(await adapterFor('AccessToken').find('code-1')).toBeUndefined(); // models do not see each other's rows
    expect(await codes.find('missing')).toBeUndefined();
  });

  it('never returns an expired row, even before the cleanup removes it', async () => {
    const tokens = adapterFor('AccessToken');
    await tokens.upsert('short-lived', { accountId: 'sub-1' }, 30);
    expect(await tokens.find('short-lived')).toBeDefined();
    clock = later(31);
    expect(await tokens.find('short-lived')).toBeUndefined();
    expect(await queries.oidcPayloads.deleteExpiredPayloads(clock, 1000)).toBeGreaterThanOrEqual(1);
    const remaining = await database.knex('oidc_payloads').where({ model: 'AccessToken', id: 'short-lived' }).first();
    expect(remaining).toBeUndefined();
  });

  it('finds sessions by uid and device codes by user code', async () => {
    await adapterFor('Session').upsert('session-1', { uid: 'uid-1', accountId: 'sub-2' }, 3600);
    expect(await adapterFor('Session').findByUid('uid-1')).toMatchObject({ accountId: 'sub-2' });
    expect(await adapterFor('Session').findByUid('uid-unknown')).toBeUndefined();
    await adapterFor('DeviceCode').upsert('device-1', { userCode: 'ABCD-EFGH', grantId: 'grant-9' }, 600);
    expect(await adapterFor('DeviceCode').findByUserCode('ABCD-EFGH')).toMatchObject({ grantId: 'grant-9' });
  });

  it('records consumption once, atomically, keeping the first time', async () => {
    const codes = adapterFor('AuthorizationCode');
    await codes.upsert('code-2', { grantId: 'grant-2' }, 60);
    const consumedAt = clock;
    await Promise.all([codes.consume('code-2'), codes.consume('code-2'), codes.consume('code-2')]);
    clock = later(5);
    await codes.consume('code-2');
    expect((await codes.find('code-2'))?.['consumed']).toBe(Math.floor(consumedAt.getTime() / 1000));
  });

  it('destroys one payload and revokes everything of a grant', async () => {
    await adapterFor('AccessToken').upsert('at-3', { grantId: 'grant-3' }, 600);
    await adapterFor('RefreshToken').upsert('rt-3', { grantId: 'grant-3' }, 600);
    await adapterFor('AccessToken').upsert('at-4', { grantId: 'grant-4' }, 600);
    await adapterFor('AccessToken').destroy('at-4');
    expect(await adapterFor('AccessToken').find('at-4')).toBeUndefined();
    await adapterFor('AccessToken').revokeByGrantId('grant-3');
    expect(await adapterFor('AccessToken').find('at-3')).toBeUndefined();
    expect(await adapterFor('RefreshToken').find('rt-3')).toBeUndefined();
  });

  it('keeps payloads without an expiry until they are destroyed', async () => {
    await adapterFor('Grant').upsert('grant-5', { accountId: 'sub-5', clientId: 'client-5' }, 0);
    clock = later(10 * 365 * 24 * 3600);
    expect(await adapterFor('Grant').find('grant-5')).toMatchObject({ clientId: 'client-5' });
  });
});
