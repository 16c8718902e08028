import { describe, expect, it } from 'vitest';
import { databaseTargets } from '../support/database-targets.ts';
import { useTestServer } from '../support/use-test-server.ts';
import { createPasswordHasher } from '../../src/accounts/password-hasher.ts';
import { createHashingGate, NEVER_BUSY } from '../../src/accounts/hashing-gate.ts';

describe.each(databaseTargets())('password storage ($name database)', (target) => {
  const server = useTestServer({ target });

  it('stores an argon2id hash at the configured cost, never the password', async () => {
    const password = 'correct horse battery staple';
    const user = await server().accounts.createAccount({ email: 'Hash.Check@example.test', password });

    const row: { password_hash: string } | undefined = await server().knex('users').select('password_hash').where('id', user.id).first();

    // PHC string format: $argon2id$v=19$m=<KiB>,t=<passes>,p=<lanes>$<salt>$<hash> (parameter order varies by library).
    const phc = /^\$argon2id\$v=19\$([^$]+)\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$/.exec(row?.password_hash ?? '');
    expect(phc, row?.password_hash).not.toBeNull();
    const parameters = Object.fromEntries((phc?.[1] ?? '').split(',').map((pair) => pair.split('=')));
    const { memoryCost, timeCost, parallelism } = server().config.passwords.argon2;
    expect(parameters).toEqual({ m: String(memoryCost), t: String(timeCost), p: String(parallelism) });
    expect(row?.password_hash).not.toContain(password);
  });

  it('authenticate() verifies the stored hash, with the email compared case-insensitively', async () => {
    const password = 'another long passphrase';
    const user = await server().accounts.createAccount({ email: 'Verify.Me@example.test', password });

    expect((await server().accounts.authenticate('verify.me@EXAMPLE.test', password))?.id).toBe(user.id);
    expect(await server().accounts.authenticate('verify.me@example.test', `${password}!`)).toBeUndefined();
    expect(await server().accounts.authenticate('nobody@example.test', password)).toBeUndefined();
  });
});

describe.each(databaseTargets())('password hash upgrade ($name database)', (target) => {
  const server = useTestServer({ target });

  it('re-hashes a password made with older argon2 parameters at the next successful sign-in', async () => {
    const password = 'an old but good passphrase';
    const user = await server().accounts.createAccount({ email: 'Old.Hash@example.test', password });
    const { memoryCost, timeCost, parallelism } = server().config.passwords.argon2;
    const olderHasher = createPasswordHasher({ memoryCost, timeCost: timeCost + 1, parallelism }, createHashingGate(NEVER_BUSY));
    await server().knex('users').update({ password_hash: await olderHasher.hash(password) }).where('id', user.id);
    const timeCostIn = (hash: string) => /[$,]t=(\d+)[$,]/.exec(hash)?.[1];
    const hashOf = async () =>
      ((await server().knex('users').select('password_hash').where('id', user.id).first()) as { password_hash: string }).password_hash;
    expect(timeCostIn(await hashOf())).toBe(String(timeCost + 1));

    expect(await server().accounts.authenticate('old.hash@example.test', 'not the passphrase')).toBeUndefined();
    expect(timeCostIn(await hashOf())).toBe(String(timeCost + 1));
    expect((await server().accounts.authenticate('old.hash@example.test', password))?.id).toBe(user.id);
    expect(timeCostIn(await hashOf())).toBe(String(timeCost));
    expect((await server().accounts.authenticate('old.hash@example.test', password))?.id).toBe(user.id);
  });
});
