// session_activity, the account page's record of where sessions are used: throttled writes and the orphan sweep.
import { describe, expect, it } from 'vitest';
import { databaseTargets } from '../support/database-targets.ts';
import { useTestServer } from '../support/use-test-server.ts';
import { createTestUser } from '../support/fixtures.ts';
import { BrowserSession } from '../support/browser-session.ts';
import { listedSessionUids, signInToAccount } from '../support/account-page.ts';
import { createQueries } from '../../src/db/queries/index.ts';
import { ACTIVITY_THROTTLE_SECONDS } from '../../src/accounts/self-service.ts';

describe.each(databaseTargets())('session activity ($name database)', (target) => {
  const server = useTestServer({ target });
  const activityOf = (uid: string) => server().knex('session_activity').where('session_uid', uid).first();

  it('is written at sign-in, then at most once per throttle period, and only for the session’s own account', async () => {
    const user = await createTestUser(server());
    const uid = listedSessionUids(await signInToAccount(new BrowserSession(server().issuer), server().issuer, user))[0] ?? '';
    const queries = createQueries(server().knex).sessionActivity;
    const signedIn = await activityOf(uid);
    expect(signedIn).toMatchObject({ account_id: user.id, ip: '127.0.0.1' });

    const soon = new Date(new Date(signedIn.last_seen_at).getTime() + (ACTIVITY_THROTTLE_SECONDS - 10) * 1000);
    await queries.touchSessionActivity({ sessionUid: uid, accountId: user.id, ip: '10.0.0.1', userAgent: 'later' }, soon, ACTIVITY_THROTTLE_SECONDS);
    expect(await activityOf(uid)).toMatchObject({ ip: '127.0.0.1' });

    const later = new Date(new Date(signedIn.last_seen_at).getTime() + (ACTIVITY_THROTTLE_SECONDS + 10) * 1000);
    await queries.touchSessionActivity({ sessionUid: uid, accountId: 'another-account', ip: '10.0.0.2', userAgent: 'x' }, later, ACTIVITY_THROTTLE_SECONDS);
    expect(await activityOf(uid)).toMatchObject({ ip: '127.0.0.1', account_id: user.id });
    await queries.touchSessionActivity({ sessionUid: uid, accountId: user.id, ip: '10.0.0.1', userAgent: 'later' }, later, ACTIVITY_THROTTLE_SECONDS);
    const touched = await activityOf(uid);
    expect(touched).toMatchObject({ ip: '10.0.0.1', user_agent: 'later' });
    expect(new Date(touched.last_seen_at).getTime()).toBe(later.getTime());
    expect(new Date(touched.signed_in_at).getTime()).toBe(new Date(signedIn.signed_in_at).getTime());
  });

  it('rows whose session is gone are swept; rows of live sessions stay', async () => {
    const user = await createTestUser(server());
    const uid = listedSessionUids(await signInToAccount(new BrowserSession(server().issuer), server().issuer, user))[0] ?? '';
    const queries = createQueries(server().knex).sessionActivity;
    await queries.recordSignIn({ sessionUid: 'gone-session', accountId: user.id, ip: undefined, userAgent: undefined }, new Date());

    while ((await queries.deleteOrphanedSessionActivity(1)) > 0);

    expect(await activityOf('gone-session')).toBeUndefined();
    expect(await activityOf(uid)).toBeDefined();
  });
});
