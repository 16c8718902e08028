// More password checks at once than password hashing takes: the ones beyond its limit are told "busy, try again" with
// 503 and Retry-After on the page they came from, lose nothing, and go through when sent again.
import { describe, expect, it } from 'vitest';
import { databaseTargets } from '../support/database-targets.ts';
import { useTestServer } from '../support/use-test-server.ts';
import { createTestUser, spaClient, type TestUser } from '../support/fixtures.ts';
import { loginErrorOf, pageKind, requireForm, type Page } from '../support/browser-session.ts';
import { openLoginPage, pageOf, postLogin } from '../support/login-attempts.ts';
import { accountForm, requirePage, signInToAccount } from '../support/account-page.ts';
import { textOfElementById } from '../support/html-forms.ts';
import { parsePrometheusText } from '../support/prometheus-text.ts';
import type { TestServer } from '../support/test-server.ts';

const BUSY = 'Lots of people are signing in right now. Please try again in a moment.';
const METRICS_TOKEN = 'busy-hashing-test-metrics-token';
// One hash at a time and no queue, so any two checks that meet are one too many. Each hash takes a good 100 ms at this
// cost, while the requests fired together reach the check within a few milliseconds of each other: they always meet.
const HASHING = { concurrency: 1, queue: 0 };
const SLOW_ARGON2 = { memory_cost: 8192, time_cost: 30, parallelism: 1 };
const AT_ONCE = 4;

async function busyMetric(server: TestServer, scope: string): Promise<number> {
  const response = await fetch(`${server.issuer}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
  return parsePrometheusText(await response.text()).value('latchkey_password_hashing_busy_total', { scope }) ?? Number.NaN;
}

function expectBusyLoginPage(page: Page, email: string): void {
  expect(page.status).toBe(503);
  expect(page.headers.get('retry-after')).toBe('2');
  expect(pageKind({ ...page, status: 200 })).toBe('login'); // the same sign-in form, ready to be sent again
  expect(loginErrorOf(page)).toBe(BUSY);
  expect(page.html).toContain(`value="${email}"`);
  expect(requireForm(page, '/login').fields['csrf']).toBeTruthy();
}

describe.each(databaseTargets())('password hashing at capacity ($name database)', (target) => {
  const server = useTestServer({
    target,
    clients: [spaClient],
    overrides: { passwords: { argon2: SLOW_ARGON2, hashing: HASHING }, metrics: { token: METRICS_TOKEN } },
  });

  it('tells the sign-ins beyond its limit to try again (503, Retry-After, the sign-in page), signs the others in, and takes the busy ones on retry', async () => {
    const users: TestUser[] = [];
    for (let i = 0; i < AT_ONCE; i++) users.push(await createTestUser(server()));
    const logins = [];
    for (const user of users) logins.push({ user, ...(await openLoginPage(server())) });
    const busyBefore = await busyMetric(server(), 'sign_in');

    const answers = await Promise.all(logins.map(({ browser, page, user }) => postLogin(browser, page, user.email, user.password).then(pageOf)));

    const busy = logins.filter((_, i) => answers[i]!.status === 503);
    const signedIn = answers.filter((page) => page.status === 200 && pageKind(page) === 'consent');
    expect(busy.length).toBeGreaterThanOrEqual(1);
    expect(signedIn.length).toBeGreaterThanOrEqual(HASHING.concurrency + HASHING.queue);
    expect(busy.length + signedIn.length).toBe(AT_ONCE);
    for (const [i, page] of answers.entries()) if (page.status === 503) expectBusyLoginPage(page, logins[i]!.user.email);
    expect(await busyMetric(server(), 'sign_in')).toBe(busyBefore + busy.length);

    // Nothing was lost: the page that said "busy" sends the same interaction's form again, one at a time this time.
    for (const { browser, user } of busy) {
      const busyPage = answers[logins.findIndex((login) => login.user === user)]!;
      const retried = pageOf(await postLogin(browser, busyPage, user.email, user.password));
      expect(pageKind(retried)).toBe('consent');
    }
    // Busy refusals were never counted as failed attempts, and no password was checked for them.
    const counters: { failures: number }[] = await server().knex('sign_in_throttles').select('failures');
    expect(counters.every((counter) => counter.failures === 0)).toBe(true);
    const [failed] = await server().knex('audit_events').count<{ count: string }[]>('* as count').where({ event: 'sign_in.failed' });
    expect(Number(failed?.count)).toBe(0);
  });

  it('answers password changes that find hashing busy with the account page, 503 and Retry-After, instead of an error', async () => {
    const user = await createTestUser(server());
    const { browser } = await openLoginPage(server());
    const page = await signInToAccount(browser, server().issuer, user);
    const newPassword = 'a brand new passphrase';
    const busyBefore = await busyMetric(server(), 'password_change');

    // The same change sent several times at once, as an impatient double click would: one runs, the others find no room.
    const fields = { current_password: user.password, new_password: newPassword, confirm_password: newPassword };
    const answers = await Promise.all(
      Array.from({ length: AT_ONCE }, async () => requirePage(await browser.submit(accountForm(page, '/account/password'), fields), 'changing the password')),
    );

    const busy = answers.filter((answer) => answer.status === 503);
    expect(busy.length).toBeGreaterThanOrEqual(1);
    expect(answers.filter((answer) => answer.status >= 500 && answer.status !== 503)).toEqual([]);
    for (const answer of busy) {
      expect(answer.headers.get('retry-after')).toBe('2');
      expect(answer.url.pathname).toBe('/account/password');
      expect(textOfElementById(answer.html, 'current-password-error')).toBe(`Your password was not changed. ${BUSY}`);
      expect(accountForm(answer, '/account/password').fields['csrf']).toBeTruthy();
    }
    expect(await busyMetric(server(), 'password_change')).toBe(busyBefore + busy.length);
    expect(await server().accounts.authenticate(user.email, newPassword)).toBeDefined();
  });
});
