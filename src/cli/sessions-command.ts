import { parseArgs } from 'node:util';
import { AccountError } from '../accounts/account-errors.ts';
import type { SessionRecord } from '../db/queries/sessions.ts';
import type { BackchannelLogoutRecord } from '../db/queries/backchannel-logouts.ts';
import type { UserRecord } from '../db/queries/users.ts';
import { withCliContext, type CliContext } from './cli-context.ts';
import { UsageError } from './read-password.ts';
import { printTable } from './print-table.ts';
import { idsAsPositionals } from './id-arguments.ts';

export const SESSIONS_HELP = `Usage: latchkey sessions <command> [options]

Commands:
  list --user EMAIL [--json]      list the user's sign-in sessions
  revoke --user EMAIL             end every session of the user, on every instance at once
  revoke SESSION_ID               end one session (the id shown by \`sessions list\`)
  logouts --user EMAIL [--json]   the back-channel logout tokens owed or sent for the user's
                                  sessions, and how their delivery went

Ending a session signs the person out everywhere: their next request to any Latchkey instance
finds no session, tokens bound to it stop working, and clients that registered a
backchannel_logout_uri receive a logout token. Refresh tokens granted with offline_access
outlive the session, as they do on sign-out.
`;

/** `latchkey sessions ...` */
export async function runSessionsCommand(args: string[]): Promise<void> {
  const [command, ...rest] = args;
  switch (command) {
    case 'list':
      return listSessions(rest);
    case 'revoke':
      return revokeSessions(rest);
    case 'logouts':
      return listLogouts(rest);
    default:
      throw new UsageError(command ? `Unknown sessions command "${command}".\n\n${SESSIONS_HELP}` : SESSIONS_HELP);
  }
}

const userOption = { user: { type: 'string' }, json: { type: 'boolean', default: false } } as const;

async function requireUser(context: CliContext, email: string | undefined): Promise<UserRecord> {
  if (!email) throw new UsageError('Give the user with --user EMAIL.');
  const user = await context.accounts.findAccountByEmail(email);
  if (!user) throw new AccountError('not_found', `There is no user with the email ${email}.`);
  return user;
}

async function listSessions(args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: userOption });
  if (positionals.length > 0) throw new UsageError('sessions list takes no arguments besides --user EMAIL.');
  const sessions = await withCliContext(async (context) =>
    context.sessions.listSessions((await requireUser(context, values.user)).id),
  );
  if (values.json) {
    console.log(JSON.stringify(sessions.map(describeSession), null, 2));
    return;
  }
  if (sessions.length === 0) {
    console.log(`${values.user} has no sign-in sessions.`);
    return;
  }
  printTable(
    ['SESSION', 'SIGNED IN', 'EXPIRES', 'APPS'],
    sessions.map((session) => [
      session.uid,
      session.signedInAt?.toISOString() ?? '',
      session.expiresAt?.toISOString() ?? '',
      session.clients.map((client) => client.clientId).join(', '),
    ]),
  );
}

async function revokeSessions(args: string[]): Promise<void> {
  const options = { user: { type: 'string' } } as const;
  const { values, positionals } = parseArgs({ args: idsAsPositionals(args, options), allowPositionals: true, options });
  if ((values.user === undefined) === (positionals.length === 0) || positionals.length > 1) {
    throw new UsageError('Give either --user EMAIL or one SESSION_ID.');
  }
  const sessionId = positionals[0];
  if (sessionId !== undefined) {
    const ended = await withCliContext((context) => context.sessions.endSession(sessionId, 'revoked'));
    if (!ended) throw new AccountError('not_found', `There is no live session with the id ${sessionId}.`);
    console.log(`Ended session ${ended.uid}.`);
    return;
  }
  const count = await withCliContext(async (context) =>
    context.sessions.endSessionsOfAccount((await requireUser(context, values.user)).id, 'revoked'),
  );
  console.log(`Ended ${count} session(s) of ${values.user}.`);
}

async function listLogouts(args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: userOption });
  if (positionals.length > 0) throw new UsageError('sessions logouts takes no arguments besides --user EMAIL.');
  const logouts = await withCliContext(async (context) =>
    context.sessions.listBackchannelLogouts((await requireUser(context, values.user)).id),
  );
  if (values.json) {
    console.log(JSON.stringify(logouts.map(describeLogout), null, 2));
    return;
  }
  if (logouts.length === 0) {
    console.log(`No back-channel logouts for ${values.user}.`);
    return;
  }
  printTable(
    ['CREATED', 'CLIENT', 'SESSION', 'REASON', 'STATUS', 'ATTEMPTS', 'LAST ERROR'],
    logouts.map((logout) => {
      const described = describeLogout(logout);
      return [described.created_at, logout.clientId, logout.sessionUid ?? '', logout.reason, described.status, String(logout.attempts), logout.lastError ?? ''];
    }),
  );
}

function describeSession(session: SessionRecord) {
  return {
    session_id: session.uid,
    signed_in_at: session.signedInAt?.toISOString() ?? null,
    expires_at: session.expiresAt?.toISOString() ?? null,
    amr: session.amr,
    clients: session.clients.map((client) => client.clientId),
  };
}

function describeLogout(logout: BackchannelLogoutRecord) {
  const status = logout.deliveredAt ? 'delivered' : logout.failedAt ? 'failed' : 'pending';
  return {
    created_at: logout.createdAt.toISOString(),
    client_id: logout.clientId,
    session_id: logout.sessionUid ?? null,
    reason: logout.reason,
    status,
    attempts: logout.attempts,
    delivered_to: logout.deliveredTo,
    delivered_at: logout.deliveredAt?.toISOString() ?? null,
    next_attempt_at: logout.nextAttemptAt?.toISOString() ?? null,
    last_error: logout.lastError,
  };
}
