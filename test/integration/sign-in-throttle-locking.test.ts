// The sign-in counters under parallel writers on a Postgres server: attempts counted, settled and taken back at once on
// the same counters (a person double-clicking, their other tabs, an address shared by many) wait for each other and
// never deadlock. Postgres breaks a deadlock only after deadlock_timeout (1 s), so each one was a stalled sign-in, and
// a statement cancelled three times in a row was a server error. The embedded database serves one connection at a
// time and cannot deadlock.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { createDatabase, type Database } from '../../src/db/create-database.ts';
import { migrateToLatest } from '../../src/db/migrate.ts';
import { createSignInThrottleQueries, type LimitedThrottleCounter } from '../../src/db/queries/sign-in-throttles.ts';
import { databaseTargets, type ProvisionedDatabase } from '../support/database-targets.ts';

const postgres = databaseTargets().find((target) => target.name === 'postgres');
if (!postgres) console.warn('Skipping the throttle locking test: it needs Postgres; set TEST_DATABASE_URL');

const ROUNDS = 100;
const PARALLEL_ATTEMPTS = 6;
const POLICY = { baseDelaySeconds: 1, maxDelaySeconds: 2, resetAfterSeconds: 3600 };

describe.runIf(postgres)('sign-in counters with parallel writers (postgres database)', () => {
  let provisioned: ProvisionedDatabase | undefined;
  let url = '';

  beforeAll(async () => {
    provisioned = await postgres?.provision();
    url = provisioned && 'url' in provisioned.settings ? provisioned.settings.url : '';
  });
  afterAll(async () => {
    await provisioned?.dispose();
  });

  it('counts, settles and takes back attempts on shared counters in parallel without a deadlock', async () => {
    const database: Database = await createDatabase({ url, poolMax: PARALLEL_ATTEMPTS, dataDir: '', preparedStatements: true }, 'server');
    await migrateToLatest(database.knex);
    const queries = createSignInThrottleQueries(database.knex);
    // Three people behind one address. After a success their own counters are deleted and the address's stays, so the
    // next attempt finds one counter and must insert the two that sort before it.
    const countersOf = (person: number): LimitedThrottleCounter[] => [
      { scope: 'account_and_ip', key: `person-${person}-at-address`, freeAttempts: 1_000 },
      { scope: 'account', key: `person-${person}`, freeAttempts: 1_000 },
      { scope: 'ip', key: 'shared-address', freeAttempts: 100_000 },
    ];
    const failures: string[] = [];
    let counted = 0;
    try {
      for (let round = 0; round < ROUNDS; round++) {
        const counters = countersOf(round % 3);
        const [accountAndIp, account, ip] = counters as [LimitedThrottleCounter, LimitedThrottleCounter, LimitedThrottleCounter];
        await Promise.all(
          Array.from({ length: PARALLEL_ATTEMPTS }, async (_, index) => {
            try {
              if (!(await queries.countAttempt(counters, POLICY, new Date()))) return;
              counted++;
              // Successes, hashing too busy to check, and failures (which leave the count as it is), side by side.
              if (index % 3 === 0) await queries.settleSuccessfulAttempt([accountAndIp, account], ip);
              else if (index % 3 === 1) await queries.uncountAttempts(counters);
            } catch (error) {
              failures.push((error as Error).message.split('\n').at(-1) ?? String(error));
            }
          }),
        );
      }
    } finally {
      // Closing the pool ends its backends, and a backend reports its statistics (deadlocks included) as it exits.
      await database.close();
    }
    expect(failures).toEqual([]);
    expect(counted).toBe(ROUNDS * PARALLEL_ATTEMPTS); // the limits are far away: every attempt was counted
    expect(await deadlocksReportedIn(url)).toBe(0);
  }, 120_000);
});

/** pg_stat_database.deadlocks of the database at `url`, once the backends that ended have reported theirs. */
async function deadlocksReportedIn(url: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const name = new URL(url).pathname.slice(1);
    const query = (sql: string) => client.query<{ value: string }>(sql, [name]).then((result) => Number(result.rows[0]?.value ?? 0));
    // A backend reports as it exits, after its client has gone: wait until the pool's have, and a moment longer.
    for (let attempt = 0; attempt < 25; attempt++) {
      if ((await query('SELECT count(*) AS value FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()')) === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
    return await query('SELECT deadlocks AS value FROM pg_stat_database WHERE datname = $1');
  } finally {
    await client.end();
  }
}
