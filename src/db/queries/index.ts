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

/** Every query of the application, bound to one knex instance or transaction. */
export function createQueries(knex: Knex): Queries {
  return {
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
    /** Runs `work` in one transaction, with queries bound to it. */
    transaction<T>(work: (queries: Queries) => Promise<T>): Promise<T> {
      return knex.transaction((trx) => work(createQueries(trx)));
    },
    async ping(): Promise<void> {
      await knex.raw('SELECT 1');
    },
  };
}

/** Every query group of the application. */
export interface Queries {
  oidcPayloads: ReturnType<typeof createOidcPayloadQueries>;
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
