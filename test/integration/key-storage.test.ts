// The private keys at rest: sealed with AES-256-GCM under the key-encryption key, bound to their row, never in plain
// text (rows an earlier version wrote are encrypted at the next start), and a wrong key-encryption key stops startup.
import { randomBytes } from 'node:crypto';
import { statSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Knex } from 'knex';
import * as client from 'openid-client';
import { afterEach, describe, expect, it } from 'vitest';
import { createDatabase } from '../../src/db/create-database.ts';
import { generateSigningKey } from '../../src/keys/generate-signing-key.ts';
import { openSealed, sealedWith, toKeyEncryptionKey } from '../../src/keys/key-encryption.ts';
import { databaseTargets } from '../support/database-targets.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';
import { reusableDatabase } from '../support/reusable-database.ts';
import { apiResource, machineClient } from '../support/fixtures.ts';
import { discoverClient } from '../support/relying-party.ts';
import { fetchJwks, kidOf } from '../support/jwks.ts';
import { REPO_ROOT } from '../support/child-process.ts';

const newKek = () => randomBytes(32).toString('base64');
const kekOf = (text: string) => toKeyEncryptionKey(Buffer.from(text, 'base64'));

interface SigningKeyRow {
  kid: string;
  alg: string;
  private_jwk: unknown;
  sealed_private_jwk: string | null;
}

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function start(target: ReturnType<typeof reusableDatabase>, signing: Record<string, unknown>): Promise<TestServer> {
  const server = await startTestServer({ target, clients: [machineClient], resources: [apiResource], overrides: { signing } });
  cleanups.push(() => server.close());
  return server;
}

describe.each(databaseTargets())('keys at rest ($name database)', (target) => {
  it('the private keys in the database cannot be read without the key-encryption key, nor moved to another row', async () => {
    const database = reusableDatabase(target);
    cleanups.push(() => database.dispose());
    const kek = newKek();
    const server = await start(database, { key_encryption_key: kek, algorithms: ['RS256', 'ES256', 'EdDSA'] });

    const rows = await server.knex<SigningKeyRow>('signing_keys').select('*');
    const { jwks } = await fetchJwks(server.issuer);
    expect(rows.map((row) => row.alg).sort()).toEqual(['ES256', 'EdDSA', 'RS256']);
    for (const row of rows) {
      expect(row.private_jwk).toBeNull();
      const sealed = row.sealed_private_jwk ?? '';
      expect(sealed).toMatch(/^v1\.[0-9a-f]{16}\.[\w-]+\.[\w-]+\.[\w-]+$/);
      const jwk = JSON.parse(openSealed([kekOf(kek)], sealed, `signing-key:${row.kid}`)) as Record<string, string>;
      const { d, kid, ...rest } = jwk;
      expect(d).toEqual(expect.any(String));
      expect(JSON.stringify(row)).not.toContain(d);
      // The published key is the public half of what is sealed.
      expect(jwks.keys.find((key) => key.kid === kid)).toMatchObject(Object.fromEntries(Object.entries(rest).filter(([name]) => ['kty', 'crv', 'x', 'y', 'n', 'e'].includes(name))));
      expect(() => openSealed([kekOf(newKek())], sealed, `signing-key:${row.kid}`)).toThrow('not configured');
      const other = rows.find((candidate) => candidate.kid !== row.kid)!;
      expect(() => openSealed([kekOf(kek)], sealed, `signing-key:${other.kid}`)).toThrow('does not decrypt');
    }

    const cookies = await server.knex('cookie_keys').select('kid', 'secret', 'sealed_secret');
    expect(cookies).toHaveLength(1);
    expect(cookies[0].secret).toBeNull();
    const secret = openSealed([kekOf(kek)], cookies[0].sealed_secret as string, `cookie-key:${cookies[0].kid as string}`);
    expect(secret.length).toBeGreaterThanOrEqual(32);
    expect(cookies[0].sealed_secret).not.toContain(secret);
  });

  it('encrypts the keys an earlier version stored in plain text at the next start, and keeps signing with them', async () => {
    const database = reusableDatabase(target);
    cleanups.push(() => database.dispose());
    const legacy = await seedInitialSchema(await database.database());

    const kek = newKek();
    const server = await start(database, { key_encryption_key: kek, algorithms: ['RS256'] });

    const row = await server.knex<SigningKeyRow>('signing_keys').where('kid', legacy.kid).first();
    expect(row?.private_jwk).toBeNull();
    expect(sealedWith(row?.sealed_private_jwk ?? '')).toBe(kekOf(kek).id);
    const cookie = await server.knex('cookie_keys').first();
    expect(cookie).toMatchObject({ secret: null });
    expect(openSealed([kekOf(kek)], cookie.sealed_secret as string, `cookie-key:${cookie.kid as string}`)).toBe(legacy.cookieSecret);
    // No new key was needed: the old one is published and signs.
    expect((await fetchJwks(server.issuer)).kids).toEqual(new Set([legacy.kid]));
    const tokens = await client.clientCredentialsGrant(await discoverClient(server, machineClient), { scope: 'api:read' });
    expect(kidOf(tokens.access_token)).toBe(legacy.kid);
  });

  it('refuses to start with another key-encryption key, and re-encrypts everything when the old one is listed as previous', async () => {
    const database = reusableDatabase(target);
    cleanups.push(() => database.dispose());
    const [first, second] = [newKek(), newKek()];
    const before = await start(database, { key_encryption_key: first });
    const kids = (await fetchJwks(before.issuer)).kids;
    await before.close();
    cleanups.pop();

    await expect(start(database, { key_encryption_key: second })).rejects.toThrow(
      `signing.key_encryption_key: is not the key this database's signing keys were encrypted with (they name key-encryption key ${kekOf(first).id}`,
    );

    const after = await start(database, { key_encryption_key: second, previous_key_encryption_keys: [first] });
    expect((await fetchJwks(after.issuer)).kids).toEqual(kids);
    const sealed = await after.knex<SigningKeyRow>('signing_keys').pluck('sealed_private_jwk');
    expect(sealed.map((value) => sealedWith(value ?? ''))).toEqual(sealed.map(() => kekOf(second).id));
  });
});

describe('keys at rest without a configured key-encryption key (embedded database)', () => {
  it('generates one into the data directory, readable only by its owner, and uses it again at the next start', async () => {
    const [target] = databaseTargets({});
    const database = reusableDatabase(target!);
    cleanups.push(() => database.dispose());

    const first = await start(database, { key_encryption_key: null });
    const file = path.join(first.config.database.dataDir, 'key-encryption-key');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const kek = kekOf(readFileSync(file, 'utf8').trim());
    const sealed = await first.knex<SigningKeyRow>('signing_keys').pluck('sealed_private_jwk');
    expect(sealed.map((value) => sealedWith(value ?? ''))).toEqual(sealed.map(() => kek.id));
    const kids = (await fetchJwks(first.issuer)).kids;
    await first.close();
    cleanups.pop();

    const second = await start(database, { key_encryption_key: null });
    expect((await fetchJwks(second.issuer)).kids).toEqual(kids);
  });
});

/** Applies only the initial migration and stores keys the way the first version did: in plain text. */
async function seedInitialSchema(provisioned: Awaited<ReturnType<ReturnType<typeof reusableDatabase>['database']>>) {
  const settings = provisioned.settings;
  const database = await createDatabase(
    { url: 'url' in settings ? settings.url : undefined, dataDir: 'data_dir' in settings ? settings.data_dir : '', poolMax: 2, connectTimeout: 5, statementTimeout: 10 },
    'server',
  );
  try {
    await database.knex.migrate.latest({ migrationSource: initialMigrationOnly });
    const jwk = await generateSigningKey('RS256');
    const cookieSecret = randomBytes(32).toString('base64url');
    const createdAt = new Date(Date.now() - 60_000);
    await database.knex('signing_keys').insert({ kid: jwk.kid, alg: 'RS256', use: 'sig', private_jwk: JSON.stringify(jwk), created_at: createdAt });
    await database.knex('cookie_keys').insert({ secret: cookieSecret, created_at: createdAt });
    return { kid: jwk.kid, cookieSecret };
  } finally {
    await database.close();
  }
}

// Named as src/db/migrate.ts names migrations, so that the server sees this one as applied.
const INITIAL = '20261126000000_initial_schema.ts';
const initialMigrationOnly: Knex.MigrationSource<string> = {
  getMigrations: async () => [INITIAL],
  getMigrationName: (name) => name,
  getMigration: async (name) => (await import(pathToFileURL(path.join(REPO_ROOT, 'migrations', name)).href)) as Knex.Migration,
};
