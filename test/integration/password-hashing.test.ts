import { describe, expect, it } from 'vitest';
import { databaseTargets } from '../support/database-targets.ts';
import { useTestServer } from '../support/use-test-server.ts';

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
