import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseDuration } from '../config/duration.ts';
import { AUDIT_EVENT_NAMES } from '../audit/audit-events.ts';
import type { AuditEventFilter, AuditEventRecord } from '../db/queries/audit-events.ts';
import { withCliContext, type CliContext } from './cli-context.ts';
import { UsageError } from './read-password.ts';
import { formatAuditJson, formatAuditLine } from './audit-format.ts';

export const AUDIT_HELP = `Usage: latchkey audit <command> [options]

Commands:
  tail [-n N] [--follow] [--json]
                  the last N events (default 20); --follow keeps printing new ones until Ctrl+C
  search [--user EMAIL] [--event NAME] [--since DURATION] [-n N] [--json]
                  events of one person (by account or by the email typed at sign-in), of one kind,
                  and/or of the last DURATION (30m, 24h, 7d); the newest N (default 100)

Events: ${AUDIT_EVENT_NAMES.join(', ')}.
`;

const FOLLOW_INTERVAL_MS = 1000;
const FOLLOW_BATCH = 500;

/** `latchkey audit ...` */
export async function runAuditCommand(args: string[]): Promise<void> {
  const [command, ...rest] = args;
  if (command === 'tail') return tail(rest);
  if (command === 'search') return search(rest);
  throw new UsageError(command ? `Unknown audit command "${command}".\n\n${AUDIT_HELP}` : AUDIT_HELP);
}

async function tail(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: { n: { type: 'string', short: 'n', default: '20' }, follow: { type: 'boolean', default: false }, json: { type: 'boolean', default: false } },
  });
  const limit = count(values.n);
  const print = printer(values.json);
  await withCliContext(async ({ queries }) => {
    const latest = await queries.auditEvents.listLatestAuditEvents({}, Math.max(limit, 1));
    latest.slice(latest.length - limit).forEach(print);
    if (values.follow) await follow(queries, latest.at(-1)?.id, print);
  });
}

async function search(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      user: { type: 'string' },
      event: { type: 'string' },
      since: { type: 'string' },
      n: { type: 'string', short: 'n', default: '100' },
      json: { type: 'boolean', default: false },
    },
  });
  if (values.event !== undefined && !(AUDIT_EVENT_NAMES as readonly string[]).includes(values.event)) {
    throw new UsageError(`Unknown event "${values.event}". Events: ${AUDIT_EVENT_NAMES.join(', ')}.`);
  }
  const since = values.since === undefined ? undefined : new Date(Date.now() - sinceSeconds(values.since) * 1000);
  const limit = count(values.n);
  const print = printer(values.json);
  await withCliContext(async ({ queries, accounts }) => {
    const user = values.user === undefined ? undefined : { email: values.user, id: (await accounts.findAccountByEmail(values.user))?.id };
    const filter: AuditEventFilter = { user, event: values.event, since };
    (await queries.auditEvents.listLatestAuditEvents(filter, limit)).forEach(print);
  });
}

/** Prints events newer than `afterId` as they arrive, until SIGINT or SIGTERM. */
async function follow(queries: CliContext['queries'], afterId: string | undefined, print: (event: AuditEventRecord) => void): Promise<void> {
  let stopped = false;
  const stop = () => (stopped = true);
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  let lastId = afterId ?? '0';
  while (!stopped) {
    const events = await queries.auditEvents.listLatestAuditEvents({ afterId: lastId }, FOLLOW_BATCH);
    events.forEach(print);
    lastId = events.at(-1)?.id ?? lastId;
    if (events.length < FOLLOW_BATCH) await sleep(FOLLOW_INTERVAL_MS);
  }
}

function printer(json: boolean): (event: AuditEventRecord) => void {
  return (event) => console.log(json ? formatAuditJson(event) : formatAuditLine(event));
}

function count(raw: string): number {
  if (!/^\d+$/.test(raw) || Number(raw) > 100_000) throw new UsageError(`-n must be a whole number up to 100000, not "${raw}".`);
  return Number(raw);
}

function sinceSeconds(raw: string): number {
  try {
    return parseDuration(raw);
  } catch (error) {
    throw new UsageError(`--since: ${(error as Error).message}`);
  }
}
