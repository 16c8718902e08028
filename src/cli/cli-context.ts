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

/**
 * Accounts and sessions as an administrator's tool uses them, outside a server (the CLI; tests set up users this way).
 * It hashes one password at a time and never answers "busy", which would only make a script fail: the hashing limits
 * are the servers'.
 */
export function buildAccountAdministration(queries: Queries, config: LatchkeyConfig): { accounts: AccountService; sessions: SessionService } {
  const sessions = createSessionService(queries, () => findLogoutReceivers(config.clients));
  const accounts = createAccountService(
    queries,
    createPasswordHasher(config.passwords.argon2, createHashingGate(NEVER_BUSY)),
    { minPasswordLength: config.passwords.minLength },
    sessions,
  );
  return { accounts, sessions };
}

/** Opens config and database for one command, runs it, and closes what it opened. */
export async function withCliContext<T>(work: (context: CliContext) => Promise<T>): Promise<T> {
  const config = loadConfig({});
  const database = await createDatabase(config.database, 'client');
  try {
    await migrateToLatest(database.knex);
    const queries = createQueries(database.knex);
    const { accounts, sessions } = buildAccountAdministration(queries, config);
    const audit = createAuditLog(queries.auditEvents, (error) => {
      process.stderr.write(`latchkey: warning: the audit event was not recorded: ${error instanceof Error ? error.message : String(error)}\n`);
    });
    return await work({ config, database, queries, accounts, sessions, audit });
  } finally {
    await database.close();
  }
}
