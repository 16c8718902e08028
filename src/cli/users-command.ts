import { parseArgs } from 'node:util';
import type { UserRecord } from '../db/queries/users.ts';
import type { AccountService } from '../accounts/account-service.ts';
import { AccountError } from '../accounts/account-errors.ts';
import { withCliContext } from './cli-context.ts';
import { readPassword, UsageError } from './read-password.ts';
import { printTable } from './print-table.ts';
import { recordAdminAction } from './admin-audit.ts';

export const USERS_HELP = `Usage: latchkey users <command> [options]

Commands:
  add EMAIL [--name NAME] [--given-name NAME] [--family-name NAME] [--email-verified]
                         create a user; the password is asked for (hidden) or read from stdin
  list [--json]          list users
  show EMAIL [--json]    show one user
  set-password EMAIL     set a new password (asked for, or read from stdin); ends the user's sessions
  disable EMAIL          stop the user from signing in; ends their sessions
  enable EMAIL           allow a disabled user to sign in again
  delete EMAIL --yes     delete the user, their sessions and grants

Passwords are never taken from the command line. Pipe one in for scripts:
  printf '%s\\n' "$PASSWORD" | latchkey users add ada@example.com
`;

/** `latchkey users ...` */
export async function runUsersCommand(args: string[]): Promise<void> {
  const [command, ...rest] = args;
  switch (command) {
    case 'add':
      return addUser(rest);
    case 'list':
      return listUsers(rest);
    case 'show':
      return showUser(rest);
    case 'set-password':
      return setPassword(rest);
    case 'disable':
      return disableUser(rest);
    case 'enable':
      return enableUser(rest);
    case 'delete':
      return deleteUser(rest);
    default:
      throw new UsageError(command ? `Unknown users command "${command}".\n\n${USERS_HELP}` : USERS_HELP);
  }
}

function oneEmail(positionals: string[]): string {
  if (positionals.length !== 1 || !positionals[0]) throw new UsageError('Give exactly one EMAIL.');
  return positionals[0];
}

async function addUser(args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      name: { type: 'string' },
      'given-name': { type: 'string' },
      'family-name': { type: 'string' },
      'email-verified': { type: 'boolean', default: false },
    },
  });
  const email = oneEmail(positionals);
  const password = await readPassword(`Password for ${email}`);
  const user = await withCliContext(async ({ accounts, audit }) => {
    const created = await accounts.createAccount({
      email,
      password,
      name: values.name,
      givenName: values['given-name'],
      familyName: values['family-name'],
      emailVerified: values['email-verified'],
    });
    await recordAdminAction(audit, 'admin.user_added', created);
    return created;
  });
  console.log(`Added ${user.email} (sub ${user.id}).`);
}

async function listUsers(args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { json: { type: 'boolean', default: false } } });
  const users = await withCliContext(({ accounts }) => accounts.listAccounts());
  if (values.json) {
    console.log(JSON.stringify(users.map(describeUser), null, 2));
    return;
  }
  if (users.length === 0) {
    console.log('No users yet. Add one with: latchkey users add EMAIL');
    return;
  }
  const rows = users.map((user) => [user.email, user.id, user.disabledAt ? 'disabled' : 'active', user.name ?? '']);
  printTable(['EMAIL', 'SUB', 'STATUS', 'NAME'], rows);
}

async function showUser(args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { json: { type: 'boolean', default: false } },
  });
  const email = oneEmail(positionals);
  const user = await withCliContext(({ accounts }) => accounts.findAccountByEmail(email));
  if (!user) throw new UsageError(`There is no user with the email ${email}.`);
  const described = describeUser(user);
  if (values.json) console.log(JSON.stringify(described, null, 2));
  else for (const [key, value] of Object.entries(described)) console.log(`${key.padEnd(20)} ${value ?? ''}`);
}

async function setPassword(args: string[]): Promise<void> {
  const email = oneEmail(parseArgs({ args, allowPositionals: true }).positionals);
  const password = await readPassword(`New password for ${email}`);
  const ended = await withCliContext(async ({ accounts, audit }) => {
    const count = await accounts.setPassword(email, password);
    await recordAdminAction(audit, 'admin.password_set', await requireAccount(accounts, email), { sessions_ended: count });
    return count;
  });
  console.log(`Password set for ${email}; ${ended} session(s) ended.`);
}

async function disableUser(args: string[]): Promise<void> {
  const email = oneEmail(parseArgs({ args, allowPositionals: true }).positionals);
  const ended = await withCliContext(async ({ accounts, audit }) => {
    const count = await accounts.disableAccount(email);
    await recordAdminAction(audit, 'admin.user_disabled', await requireAccount(accounts, email), { sessions_ended: count });
    return count;
  });
  console.log(`Disabled ${email}; ${ended} session(s) ended.`);
}

async function enableUser(args: string[]): Promise<void> {
  const email = oneEmail(parseArgs({ args, allowPositionals: true }).positionals);
  await withCliContext(async ({ accounts, audit }) => {
    await accounts.enableAccount(email);
    await recordAdminAction(audit, 'admin.user_enabled', await requireAccount(accounts, email));
  });
  console.log(`Enabled ${email}.`);
}

async function deleteUser(args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { yes: { type: 'boolean', default: false } },
  });
  const email = oneEmail(positionals);
  if (!values.yes) {
    throw new UsageError(`Deleting ${email} removes the user, their sessions and grants for good. Add --yes to go ahead.`);
  }
  await withCliContext(async ({ accounts, audit }) => {
    const user = await requireAccount(accounts, email);
    await accounts.deleteAccount(email);
    await recordAdminAction(audit, 'admin.user_deleted', user);
  });
  console.log(`Deleted ${email}.`);
}

/** The account, or the same error the account service gives for an unknown email. */
async function requireAccount(accounts: AccountService, email: string): Promise<UserRecord> {
  const user = await accounts.findAccountByEmail(email);
  if (!user) throw new AccountError('not_found', `There is no user with the email ${email}.`);
  return user;
}

function describeUser(user: UserRecord): Record<string, string | boolean | null> {
  return {
    sub: user.id,
    email: user.email,
    email_verified: user.emailVerified,
    name: user.name,
    given_name: user.givenName,
    family_name: user.familyName,
    status: user.disabledAt ? 'disabled' : 'active',
    created_at: user.createdAt.toISOString(),
    updated_at: user.updatedAt.toISOString(),
    password_changed_at: user.passwordChangedAt?.toISOString() ?? null,
    disabled_at: user.disabledAt?.toISOString() ?? null,
  };
}
