// Whether an email has an account must not show: unknown email, wrong password and disabled account get the same
// status, the same page and the same timing (a dummy argon2 verification stands in for the missing hash).
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import { databaseTargets } from '../support/database-targets.ts';
import { useTestServer } from '../support/use-test-server.ts';
import { createTestUser, spaClient } from '../support/fixtures.ts';
import type { Page } from '../support/browser-session.ts';
import { openLoginPage, pageOf, postLogin } from '../support/login-attempts.ts';

const WARM_UP = 5;
const PAIRS = 60;

/** The page with the typed email taken out, so pages for different emails can be compared byte for byte. */
function withoutEmail(page: Page, email: string): string {
  return page.html.replaceAll(email, '<EMAIL>');
}

/** The headers that could tell one answer from another; date and request id differ on every response by design. */
function headersOf(page: Page): Record<string, string> {
  const { date: _date, 'content-length': _length, 'x-request-id': _requestId, ...rest } = Object.fromEntries(page.headers);
  return rest;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] ?? 0) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

describe.each(databaseTargets())('no account enumeration at sign-in ($name database)', (target) => {
  // Throttling would answer repeated tries with 429 before long; here every try must reach the password check. The
  // argon2 cost is the shipped default (not the cheapest one other suites use), so the comparison is about real work.
  const server = useTestServer({
    target,
    clients: [spaClient],
    overrides: {
      throttling: { per_account_and_ip: 1000, per_account: 1000, per_ip: 100_000 },
      passwords: { argon2: { memory_cost: 19_456, time_cost: 2, parallelism: 1 } },
    },
  });

  it('answers an unknown email, a wrong password and a disabled account with the same status, headers and page', async () => {
    const user = await createTestUser(server());
    const disabled = await createTestUser(server());
    await server().accounts.disableAccount(disabled.email);
    const unknownEmail = `nobody-${randomBytes(4).toString('hex')}@example.test`;
    const { browser, page } = await openLoginPage(server());

    const unknown = pageOf(await postLogin(browser, page, unknownEmail, user.password));
    const wrong = pageOf(await postLogin(browser, page, user.email, `${user.password}-wrong`));
    const disabledAnswer = pageOf(await postLogin(browser, page, disabled.email, disabled.password));

    expect(unknown.status).toBe(200);
    expect(wrong.status).toBe(unknown.status);
    expect(disabledAnswer.status).toBe(unknown.status);
    expect(headersOf(wrong)).toEqual(headersOf(unknown));
    expect(headersOf(disabledAnswer)).toEqual(headersOf(unknown));
    expect(withoutEmail(wrong, user.email)).toBe(withoutEmail(unknown, unknownEmail));
    expect(withoutEmail(disabledAnswer, disabled.email)).toBe(withoutEmail(unknown, unknownEmail));
  });

  it('takes as long for an unknown email as for a wrong password (ratio of the medians within ±25%)', async () => {
    const user = await createTestUser(server());
    const { browser, page } = await openLoginPage(server());
    const timed = async (email: string): Promise<number> => {
      const started = performance.now();
      const answer = pageOf(await postLogin(browser, page, email, 'not-the-password-0'));
      const elapsed = performance.now() - started;
      expect(answer.status).toBe(200);
      return elapsed;
    };
    // Both sides retry one email each, so both update an existing throttling counter: only the account differs.
    const unknownEmail = `nobody-${randomBytes(4).toString('hex')}@example.test`;
    for (let i = 0; i < WARM_UP; i++) {
      await timed(user.email);
      await timed(unknownEmail);
    }

    const unknown: number[] = [];
    const wrong: number[] = [];
    for (let i = 0; i < PAIRS; i++) {
      // Alternating which goes first keeps a drift in load from favouring one side.
      if (i % 2 === 0) {
        unknown.push(await timed(unknownEmail));
        wrong.push(await timed(user.email));
      } else {
        wrong.push(await timed(user.email));
        unknown.push(await timed(unknownEmail));
      }
    }

    const ratio = median(unknown) / median(wrong);
    const medians = `median unknown email ${median(unknown).toFixed(1)} ms, wrong password ${median(wrong).toFixed(1)} ms`;
    expect(ratio, medians).toBeGreaterThan(0.75);
    expect(ratio, medians).toBeLessThan(1.25);
  });
});
