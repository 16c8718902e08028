import { loadConfig } from '../config/load-config.ts';
import type { LatchkeyConfig } from '../config/types.ts';
import { createDatabase, type Database } from '../db/create-database.ts';
import { migrateToLatest } from '../db/migrate.ts';
import { createQueries, type Queries } from '../db/queries/index.ts';
import { createPasswordHasher } from '../accounts/password-hasher.ts';
import { createHashingGate, NEVER_BUSY } from '../accounts/hashing-gate.ts';
import { createAccountService, type AccountService } from '../accounts/account-service.ts';
import { createSessionService, findLogoutReceivers, type SessionService } from '../sessions/session-service.ts';
import { createAuditLog, type AuditLog } from '../audit/audit-log.ts';

/** What a CLI command works with: the config, the database (through a running server's socket when embedded). */
export interface CliContext {
  config: LatchkeyConfig;
  database: Database;
  queries: Queries;
  accounts: AccountService;
  sessions: SessionService;
  audit: AuditLog;
}

/** Opens config and database for one command, runs it, and closes what it opened. */
export async function withCliContext<T>(work: (context: CliContext) => Promise<T>): Promise<T> {
  const config = loadConfig({});
  const database = await createDatabase(config.database, 'client');
  try {
    await migrateToLatest(database.knex);
    const queries = createQueries(database.knex);
    const sessions = createSessionService(queries, () => findLogoutReceivers(config.clients));
    const accounts = createAccountService(
      queries,
      // A command hashes once: nothing to bound, and "busy" would only make a script fail. The servers' limits are theirs.
      createPasswordHasher(config.passwords.argon2, createHashingGate(NEVER_BUSY)),
      { minPasswordLength: config.passwords.minLength },
      sessions,
    );
    const audit = createAuditLog(queries.auditEvents, (error) => {
      process.stderr.write(`latchkey: warning: the audit event was not recorded: ${error instanceof Error ? error.message : String(error)}\n`);
    });
    return await work({ config, database, queries, accounts, sessions, audit });
  } finally {
    await database.close();
  }
}
