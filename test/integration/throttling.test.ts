// Password guessing meets throttling: per email and address, per email from anywhere, per address across emails;
// counted atomically before the password check, so a burst of parallel guesses gets no more tries than a sequence.
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { databaseTargets } from '../support/database-targets.ts';
import { useTestServer } from '../support/use-test-server.ts';
import { createTestUser, spaClient } from '../support/fixtures.ts';
import { BrowserSession, loginErrorOf, pageKind, type Page } from '../support/browser-session.ts';
import { openLoginPage, pageOf, postLogin } from '../support/login-attempts.ts';
import type { TestServer } from '../support/test-server.ts';

const FAILED = 'The email or password is not right. Check them and try again.';
const limits = { per_account_and_ip: 5, per_account: 8, per_ip: 12 };

/** A made-up client address; the servers trust X-Forwarded-For (proxy: true) as a load balancer's. */
function randomAddress(): string {
  const [a = 0, b = 0, c = 0] = randomBytes(3);
  return `10.${a}.${b}.${c}`;
}

function browserFrom(server: TestServer, address: string): BrowserSession {
  return new BrowserSession(server.issuer, { headers: { 'x-forwarded-for': address } });
}

/** One sign-in attempt from `address` in a fresh browser: the page it answers with. */
async function attempt(server: TestServer, address: string, email: string, password: string): Promise<Page> {
  const { browser, page } = await openLoginPage(server, browserFrom(server, address));
  return pageOf(await postLogin(browser, page, email, password));
}

function expectThrottled(page: Page): number {
  expect(page.status).toBe(429);
  expect(pageKind({ ...page, status: 200 })).toBe('login'); // the sign-in form is still there, to try again later
  expect(loginErrorOf(page)).toMatch(/^Too many sign-in attempts\. For your security, wait \d+ (seconds?|minutes?) before trying again\.$/);
  const retryAfter = Number(page.headers.get('retry-after'));
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  return retryAfter;
}

function expectFailed(page: Page): void {
  expect(page.status).toBe(200);
  expect(loginErrorOf(page)).toBe(FAILED);
}

function expectSignedIn(page: Page): void {
  expect(page.status).toBe(200);
  expect(pageKind(page)).toBe('consent');
}

async function auditCount(server: TestServer, event: string, email: string): Promise<number> {
  const [row] = await server.knex('audit_events').count<{ count: string }[]>('* as count').where({ event }).andWhereRaw('lower(email) = lower(?)', [email]);
  return Number(row?.count ?? 0);
}

const METRICS_TOKEN = 'throttling-test-metrics-token';

/** latchkey_throttled_attempts_total for sign-ins, from the server's /metrics. */
async function throttledMetric(server: TestServer): Promise<number> {
  const response = await fetch(`${server.issuer}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
  expect(response.status).toBe(200);
  const line = /^latchkey_throttled_attempts_total\{scope="sign_in"\} (\d+)$/m.exec(await response.text());
  return Number(line?.[1] ?? 0);
}

describe.each(databaseTargets())('sign-in throttling ($name database)', (target) => {
  // A back-off far longer than any test takes, so "still in back-off" never depends on how busy the machine is. Room
  // for every parallel attempt in the hashing queue: these tests are about throttling, not about shedding load
  // (busy-hashing.test.ts is).
  const server = useTestServer({
    target,
    clients: [spaClient],
    overrides: {
      proxy: true,
      throttling: { ...limits, base_delay: '10m', max_delay: '20m' },
      passwords: { hashing: { queue: 64, max_wait: '30s' } },
      metrics: { token: METRICS_TOKEN },
    },
  });

  it(`refuses the ${limits.per_account_and_ip + 1}th attempt for an email from one address with 429, Retry-After and a clear message, even with the right password`, async () => {
    const user = await createTestUser(server());
    const address = randomAddress();
    for (let i = 0; i < limits.per_account_and_ip; i++) expectFailed(await attempt(server(), address, user.email, `wrong-${i}-password`));

    const refused = await attempt(server(), address, user.email, user.password);

    expect(expectThrottled(refused)).toBeGreaterThan(500); // about base_delay (10 minutes)
    expect(loginErrorOf(refused)).toContain('10 minutes');
    expect(refused.html).toContain(`value="${user.email}"`);
    expectSignedIn(await attempt(server(), randomAddress(), user.email, user.password)); // from elsewhere it still works
  });

  it('lets exactly the free attempts through when 30 wrong passwords arrive at once, and refuses the rest before any password check', async () => {
    const user = await createTestUser(server());
    const address = randomAddress();
    const { browser, page } = await openLoginPage(server(), browserFrom(server(), address));
    const throttledBefore = await throttledMetric(server());

    const pages = await Promise.all(Array.from({ length: 30 }, (_, i) => postLogin(browser, page, user.email, `wrong-${i}-password`).then(pageOf)));

    const statuses = pages.map((answer) => answer.status);
    expect(statuses.filter((status) => status === 200)).toHaveLength(limits.per_account_and_ip);
    expect(statuses.filter((status) => status === 429)).toHaveLength(30 - limits.per_account_and_ip);
    for (const answer of pages) (answer.status === 200 ? expectFailed : expectThrottled)(answer);
    // Only the counted attempts reached the password check: the audit trail has one failure for each.
    expect(await auditCount(server(), 'sign_in.failed', user.email)).toBe(limits.per_account_and_ip);
    expect(await auditCount(server(), 'sign_in.throttled', user.email)).toBe(30 - limits.per_account_and_ip);
    expect(await throttledMetric(server())).toBe(throttledBefore + 30 - limits.per_account_and_ip);
    expectThrottled(await attempt(server(), address, user.email, user.password));
  });

  it('signs a person in from parallel submits of the right password (a double-clicked button) without a server error', async () => {
    const user = await createTestUser(server());
    const address = randomAddress();
    // Rounds of parallel successes and failures: each success clears counters while others are counting.
    for (let round = 0; round < 4; round++) {
      const { browser, page } = await openLoginPage(server(), browserFrom(server(), address));
      const passwords = [user.password, user.password, 'wrong-password-here', user.password];
      const pages = await Promise.all(passwords.map((password) => postLogin(browser, page, user.email, password).then(pageOf)));
      expect(pages.map((answer) => answer.status).filter((status) => status >= 500)).toEqual([]);
      expect(pages.filter((answer) => pageKind(answer) === 'consent').length).toBeGreaterThanOrEqual(1);
    }
  });

  it(`refuses an email from any address after ${limits.per_account} failures spread over many addresses`, async () => {
    const user = await createTestUser(server());
    for (let i = 0; i < limits.per_account; i++) expectFailed(await attempt(server(), randomAddress(), user.email, `wrong-${i}-password`));

    expectThrottled(await attempt(server(), randomAddress(), user.email, user.password));
    const other = await createTestUser(server());
    expectSignedIn(await attempt(server(), randomAddress(), other.email, other.password));
  });

  it(`refuses an address after ${limits.per_ip} failures across different emails (password spraying)`, async () => {
    const address = randomAddress();
    for (let i = 0; i < limits.per_ip; i++) {
      expectFailed(await attempt(server(), address, `sprayed-${i}-${randomBytes(3).toString('hex')}@example.test`, 'Winter2026!'));
    }
    const user = await createTestUser(server());

    expectThrottled(await attempt(server(), address, user.email, user.password));
    expectSignedIn(await attempt(server(), randomAddress(), user.email, user.password));
  });

  it('throttles an unknown email exactly like a registered one, so throttling tells nothing about who has an account', async () => {
    const user = await createTestUser(server());
    const unknown = `nobody-${randomBytes(4).toString('hex')}@example.test`;
    const address = randomAddress();
    const known: Page[] = [];
    const nobody: Page[] = [];
    for (let i = 0; i <= limits.per_account_and_ip; i++) {
      known.push(await attempt(server(), address, user.email, `wrong-${i}-password`));
      nobody.push(await attempt(server(), address, unknown, `wrong-${i}-password`));
    }
    expect(nobody.map((page) => page.status)).toEqual(known.map((page) => page.status));
    expect(nobody.map(loginErrorOf)).toEqual(known.map(loginErrorOf));
    expect(known.at(-1)?.status).toBe(429);
  });

  it('counts the address the proxy saw (the last X-Forwarded-For entry), whatever the client puts before it', async () => {
    const user = await createTestUser(server());
    const address = randomAddress();
    for (let i = 0; i < limits.per_account_and_ip; i++) {
      expectFailed(await attempt(server(), `${randomAddress()}, ${address}`, user.email, `wrong-${i}-password`));
    }
    expectThrottled(await attempt(server(), `${randomAddress()}, ${address}`, user.email, user.password));
  });

  it('counts IPv6 clients by their /64, since each of them has a whole /64 to pick addresses from', async () => {
    const user = await createTestUser(server());
    const prefix = `2001:db8:${randomBytes(2).toString('hex')}:${randomBytes(2).toString('hex')}`;
    for (let i = 0; i < limits.per_account_and_ip; i++) {
      expectFailed(await attempt(server(), `${prefix}::${(i + 1).toString(16)}`, user.email, `wrong-${i}-password`));
    }
    expectThrottled(await attempt(server(), `${prefix}:0:0:0:ffff`, user.email, user.password));
  });
});

describe.each(databaseTargets())('sign-in throttling back-off ($name database)', (target) => {
  const server = useTestServer({
    target,
    clients: [spaClient],
    overrides: { proxy: true, throttling: { ...limits, base_delay: '2s', max_delay: '2s' } },
  });

  it('lets the right password in once the back-off is over, and a successful sign-in clears the count', async () => {
    const user = await createTestUser(server());
    const address = randomAddress();
    for (let i = 0; i < limits.per_account_and_ip; i++) expectFailed(await attempt(server(), address, user.email, `wrong-${i}-password`));
    const retryAfter = expectThrottled(await attempt(server(), address, user.email, user.password));
    expect(retryAfter).toBeLessThanOrEqual(2);

    await sleep(retryAfter * 1000); // the back-off itself: what this test is about
    expectSignedIn(await attempt(server(), address, user.email, user.password));

    // The counter starts over: the free attempts are all there again.
    for (let i = 0; i < limits.per_account_and_ip; i++) expectFailed(await attempt(server(), address, user.email, `wrong-again-${i}`));
    expectThrottled(await attempt(server(), address, user.email, user.password));
  });
});
