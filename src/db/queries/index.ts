import type { Knex } from 'knex';
import { createOidcPayloadQueries } from './oidc-payloads.ts';
import { createUserQueries } from './users.ts';
import { createSigningKeyQueries } from './signing-keys.ts';
import { createCookieKeyQueries } from './cookie-keys.ts';
import { createLockQueries } from './locks.ts';
import { createOperationalStatsQueries } from './operational-stats.ts';
import { createSessionQueries } from './sessions.ts';
import { createBackchannelLogoutQueries } from './backchannel-logouts.ts';
import { createKeySetVersionQueries } from './key-set-version.ts';
import { createSignInThrottleQueries } from './sign-in-throttles.ts';
import { createAuditEventQueries } from './audit-events.ts';
import { createAccountPageQueries } from './account-page.ts';
import { createSessionActivityQueries } from './session-activity.ts';
import { createOidcPayloadWriteQueries } from './oidc-payload-writes.ts';
import { storeRequestWrites } from '../request-scope.ts';

/**
 * Every query of the application, bound to one knex instance or transaction. In an HTTP request each first waits for
 * the writes the request deferred (src/db/request-scope.ts), so that it sees them.
 */
export function createQueries(knex: Knex): Queries {
  return {
    ...afterDeferredWrites({
      oidcPayloads: createOidcPayloadQueries(knex),
      users: createUserQueries(knex),
      signingKeys: createSigningKeyQueries(knex),
      cookieKeys: createCookieKeyQueries(knex),
      locks: createLockQueries(knex),
      stats: createOperationalStatsQueries(knex),
      sessions: createSessionQueries(knex),
      backchannelLogouts: createBackchannelLogoutQueries(knex),
      keySetVersion: createKeySetVersionQueries(knex),
      signInThrottles: createSignInThrottleQueries(knex),
      auditEvents: createAuditEventQueries(knex),
      accountPage: createAccountPageQueries(knex),
      sessionActivity: createSessionActivityQueries(knex),
    }),
    // What the queries above wait for, so it cannot wait itself.
    oidcPayloadWrites: createOidcPayloadWriteQueries(knex),
    /** Runs `work` in one transaction, with queries bound to it. */
    async transaction<T>(work: (queries: Queries) => Promise<T>): Promise<T> {
      await storeRequestWrites();
      return knex.transaction((trx) => work(createQueries(trx)));
    },
    async ping(): Promise<void> {
      await knex.raw('SELECT 1');
    },
  };
}

/** Each query of each group, first waiting for the current request's deferred writes when it has any. */
function afterDeferredWrites<Groups extends Record<string, Record<string, unknown>>>(groups: Groups): Groups {
  const waitingGroup = (group: Record<string, unknown>) =>
    Object.fromEntries(Object.entries(group).map(([name, value]) => [name, typeof value === 'function' ? afterWrites(value as Query) : value]));
  return Object.fromEntries(Object.entries(groups).map(([name, group]) => [name, waitingGroup(group)])) as Groups;
}

type Query = (...args: unknown[]) => unknown;

function afterWrites(query: Query): Query {
  return (...args) => {
    const stored = storeRequestWrites();
    return stored ? stored.then(() => query(...args)) : query(...args);
  };
}

/** Every query group of the application. */
export interface Queries {
  oidcPayloads: ReturnType<typeof createOidcPayloadQueries>;
  oidcPayloadWrites: ReturnType<typeof createOidcPayloadWriteQueries>;
  users: ReturnType<typeof createUserQueries>;
  signingKeys: ReturnType<typeof createSigningKeyQueries>;
  cookieKeys: ReturnType<typeof createCookieKeyQueries>;
  locks: ReturnType<typeof createLockQueries>;
  stats: ReturnType<typeof createOperationalStatsQueries>;
  sessions: ReturnType<typeof createSessionQueries>;
  backchannelLogouts: ReturnType<typeof createBackchannelLogoutQueries>;
  keySetVersion: ReturnType<typeof createKeySetVersionQueries>;
  signInThrottles: ReturnType<typeof createSignInThrottleQueries>;
  auditEvents: ReturnType<typeof createAuditEventQueries>;
  accountPage: ReturnType<typeof createAccountPageQueries>;
  sessionActivity: ReturnType<typeof createSessionActivityQueries>;
  transaction<T>(work: (queries: Queries) => Promise<T>): Promise<T>;
  ping(): Promise<void>;
}
