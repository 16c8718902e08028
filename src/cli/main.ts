import { ConfigError } from '../config/config-error.ts';
import { AccountError } from '../accounts/account-errors.ts';
import { DataDirInUseError } from '../db/embedded/data-dir-lock.ts';
import { runUsersCommand, USERS_HELP } from './users-command.ts';
import { runMigrateCommand, MIGRATE_HELP } from './migrate-command.ts';
import { runDemoClientCommand, DEMO_CLIENT_HELP } from './demo-client-command.ts';
import { runClientsCommand, CLIENTS_HELP } from './clients-command.ts';
import { runDoctorCommand, DOCTOR_HELP } from './doctor-command.ts';
import { runSessionsCommand, SESSIONS_HELP } from './sessions-command.ts';
import { runKeysCommand, KEYS_HELP } from './keys-command.ts';
import { runAuditCommand, AUDIT_HELP } from './audit-command.ts';
import { UsageError } from './read-password.ts';

const HELP = `Usage: latchkey <command> [options]

Commands:
  users        add, list, show, disable, enable, set-password, delete users
  sessions     list and end people's sign-in sessions
  keys         list, rotate and revoke signing and cookie keys
  migrate      apply pending database migrations
  clients      check a clients file offline and show what it would change
  doctor       check a running Latchkey: discovery, keys, health, clock, misconfigurations
  audit        show the audit trail of security events (tail, search)
  demo-client  run a small relying party on localhost to try signing in

Run \`latchkey <command> --help\` for a command's options.

Configuration comes from ./config (or LATCHKEY_CONFIG_DIR): latchkey.yaml and clients.yaml.
With DATABASE_URL set it uses that Postgres server; otherwise the embedded database in ./data
(or LATCHKEY_DATA_DIR), reached through the running server when there is one.
`;

/** A command resolves with its exit code, or with nothing for 0. */
const COMMANDS: Record<string, { help: string; run: (args: string[]) => Promise<void | number> }> = {
  users: { help: USERS_HELP, run: runUsersCommand },
  sessions: { help: SESSIONS_HELP, run: runSessionsCommand },
  keys: { help: KEYS_HELP, run: runKeysCommand },
  migrate: { help: MIGRATE_HELP, run: () => runMigrateCommand() },
  clients: { help: CLIENTS_HELP, run: runClientsCommand },
  doctor: { help: DOCTOR_HELP, run: runDoctorCommand },
  'demo-client': { help: DEMO_CLIENT_HELP, run: runDemoClientCommand },
  audit: { help: AUDIT_HELP, run: runAuditCommand },
};

async function main(args: string[]): Promise<number> {
  const [name, ...rest] = args;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(HELP);
    return name ? 0 : 2;
  }
  const command = COMMANDS[name];
  if (!command) {
    process.stderr.write(`latchkey: unknown command "${name}".\n\n${HELP}`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(command.help);
    return 0;
  }
  return (await command.run(rest)) ?? 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof UsageError || isParseArgsError(error)) {
      process.stderr.write(`latchkey: ${(error as Error).message}\n`);
      process.exit(2);
    }
    if (error instanceof AccountError || error instanceof ConfigError || error instanceof DataDirInUseError) {
      process.stderr.write(`latchkey: ${error.message}\n`);
      process.exit(1);
    }
    process.stderr.write(`latchkey: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);

function isParseArgsError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS');
}
