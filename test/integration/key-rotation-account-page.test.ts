// Cookie keys rotate under instances that started at different times (a rolling restart): the account page, which
// signs its cookies and form tokens with the cookie keys, keeps working through a load balancer that alternates
// between an instance started before the rotation and one started after it.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseTargets, type ProvisionedDatabase } from '../support/database-targets.ts';
import { startInstanceGroup, type InstanceGroup } from '../support/server-instances.ts';
import { runCli, stop } from '../support/child-process.ts';
import { BrowserSession, pageKind } from '../support/browser-session.ts';
import { accountForm, requirePage, signInToAccount } from '../support/account-page.ts';
import { waitFor } from '../support/jwks.ts';

const postgres = databaseTargets().find((target) => target.name === 'postgres');

describe.runIf(postgres)('the account page across a cookie-key rotation and a rolling restart (postgres database)', () => {
  let database: ProvisionedDatabase;
  let group: InstanceGroup;

  beforeAll(async () => {
    if (!postgres) return;
    database = await postgres.provision();
    group = await startInstanceGroup({
      count: 2,
      databaseUrl: 'url' in database.settings ? database.settings.url : '',
      overrides: { signing: { algorithms: ['RS256'], rotation_interval: '1h', publish_lead_time: '5s', jwks_max_age: '5s' } },
    });
  });

  afterAll(async () => {
    await group?.close();
    await database?.dispose();
  });

  it('saves a form rendered by one instance and posted to the other, in both orders', { timeout: 180_000 }, async () => {
    const rotated = await runCli(['keys', 'rotate', '--alg', 'cookie'], group.cliEnv);
    expect(rotated.stdout).toContain('cookie: new key');
    const [newKey] = await group.knex('cookie_keys').orderBy('id', 'desc').limit(1).pluck('active_from');
    // Signing everywhere (a check of each instance has passed since), then one instance restarts.
    await waitFor('the new cookie key to sign', async () => (Date.now() > new Date(newKey as Date).getTime() + 3_000 ? true : undefined));
    await stop(group.instances[1]!.process);
    await group.restart(1);

    const email = `rolling-${randomBytes(5).toString('hex')}@example.test`;
    const password = `pass-${randomBytes(9).toString('base64url')}`;
    await group.accounts.createAccount({ email, password, emailVerified: true });
    const browser = new BrowserSession(group.issuer);
    await signInToAccount(browser, group.issuer, { email, password });
    for (let attempt = 0; attempt < 4; attempt++) {
      const page = requirePage(await browser.visit(`${group.issuer}/account`), 'opening /account');
      expect(pageKind(page)).not.toBe('login');
      const saved = requirePage(await browser.submit(accountForm(page, '/account/profile'), { name: `Rolling ${attempt}` }), 'saving the name');
      expect(`${saved.status} ${saved.url.pathname}${saved.url.search}`).toBe('200 /account?done=profile');
      expect((await group.accounts.findAccountByEmail(email))?.name).toBe(`Rolling ${attempt}`);
      // One request in between flips which instance renders and which receives the next form.
      if (attempt % 2 === 0) await fetch(`${group.issuer}/healthz`);
    }
  });
});
