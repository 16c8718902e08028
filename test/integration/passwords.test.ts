// NIST SP 800-63B §5.1.1.2: a minimum length and no password from the list of common breached ones, wherever a
// password is set: the account service, and the CLI that operators use.
import { describe, expect, it } from 'vitest';
import { databaseTargets } from '../support/database-targets.ts';
import { useTestServer } from '../support/use-test-server.ts';
import { createTestUser, spaClient } from '../support/fixtures.ts';
import { runCli } from '../support/child-process.ts';
import { AccountError } from '../../src/accounts/account-errors.ts';

const COMMON = /one of the most common ones/;

describe.each(databaseTargets())('password policy ($name database)', (target) => {
  const server = useTestServer({ target, clients: [spaClient] });
  const cli = () => ({ LATCHKEY_CONFIG_DIR: server().config.sources.configDir });

  it('refuses a common password, in any case, when an account is created or its password set', async () => {
    const email = `common-${Date.now()}@example.test`;
    await expect(server().accounts.createAccount({ email, password: 'PassWord1' })).rejects.toThrow(COMMON);
    await expect(server().accounts.createAccount({ email, password: 'short' })).rejects.toThrow(/at least 8 characters/);
    const user = await createTestUser(server());
    await expect(server().accounts.setPassword(user.email, 'iloveyou')).rejects.toBeInstanceOf(AccountError);
    await server().accounts.setPassword(user.email, 'a long and uncommon passphrase');
  });

  it('refuses a common password in `latchkey users add` and `users set-password`', async () => {
    const email = `cli-common-${Date.now()}@example.test`;
    const refused = await runCli(['users', 'add', email], cli(), 'qwerty123\n');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(COMMON);
    expect(refused.stderr).not.toContain('qwerty123');

    expect((await runCli(['users', 'add', email], cli(), 'a long and uncommon passphrase\n')).code).toBe(0);
    const reset = await runCli(['users', 'set-password', email], cli(), 'Sunshine1\n');
    expect(reset.code).toBe(1);
    expect(reset.stderr).toMatch(COMMON);
  });
});
