import { parseArgs } from 'node:util';
import { SIGNING_ALGORITHMS } from '../config/signing-schema.ts';
import type { LatchkeyConfig } from '../config/types.ts';
import { keyStateAt, type KeyGroup } from '../keys/key-life-cycle.ts';
import { buildKeyPolicies } from '../keys/key-policy.ts';
import { planRevocation, planRotation } from '../keys/key-steps.ts';
import { applyKeyChanges, withKeyLock } from '../keys/key-operations.ts';
import { describeKeyChanges, type KeyEvent } from '../keys/key-events.ts';
import { recordKeyRotation } from '../audit/key-rotation.ts';
import { operatingSystemUser } from './admin-audit.ts';
import { resolveKeyEncryptionKeys } from '../keys/key-encryption-key.ts';
import { sealStoredKeys } from '../keys/seal-stored-keys.ts';
import { listStoredKeys } from '../keys/stored-keys.ts';
import { withCliContext, type CliContext } from './cli-context.ts';
import { confirm } from './confirm.ts';
import { idsAsPositionals } from './id-arguments.ts';
import { UsageError } from './read-password.ts';
import { describeRevocation, describeRotation, formatTime } from './keys-descriptions.ts';
import { listKeys } from './keys-list.ts';

export const KEYS_HELP = `Usage: latchkey keys <command> [options]

Commands:
  list [--all] [--json]            signing and cookie keys with their state and dates
                                   (--all: also those removed or revoked)
  rotate [--alg ALG] [--immediately]
                                   start a rotation now: a new key is published at once and signs after
                                   signing.publish_lead_time and 5 s for every instance to publish it too; the
                                   current one then retires. --immediately: the new key signs within seconds (e.g.
                                   on suspicion); the old one stays published until everything it signed has
                                   expired. ALG: ${[...SIGNING_ALGORITHMS, 'cookie'].join(', ')}; default: all
  revoke KID [--yes]               for a key known to be compromised: removed from the JWKS at once, so everything
                                   it signed stops verifying. Explains what breaks and asks first (--yes: don't ask;
                                   required when not on a terminal)

Running servers pick up every change within a few seconds, without a restart.
`;

/** `latchkey keys ...` */
export async function runKeysCommand(args: string[]): Promise<void> {
  const [command, ...rest] = args;
  switch (command) {
    case 'list':
      return listKeys(rest);
    case 'rotate':
      return rotateKeys(rest);
    case 'revoke':
      return revokeKey(rest);
    default:
      throw new UsageError(command ? `Unknown keys command "${command}".\n\n${KEYS_HELP}` : KEYS_HELP);
  }
}

async function rotateKeys(args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { alg: { type: 'string' }, immediately: { type: 'boolean', default: false } } });
  await withCliContext(async (context) => {
    const policies = buildKeyPolicies(context.config);
    const groups = values.alg === undefined ? policies.groups : [parseGroup(values.alg, policies.groups, context.config)];
    const keks = await prepareKeks(context);
    const outcome = await withKeyLock(context.queries, 'wait', async (trx, keys) => {
      const now = new Date();
      const described: string[] = [];
      const events: KeyEvent[] = [];
      for (const group of groups) {
        const changes = planRotation(keys, group, policies, now, { immediately: values.immediately });
        const created = await applyKeyChanges(trx, keks, keys, changes, now);
        described.push(describeRotation({ group, immediately: values.immediately, keys, changes, created, now, config: context.config }));
        events.push(...describeKeyChanges(keys, changes, created));
      }
      return { described, events };
    });
    await recordKeyEvents(context, outcome?.events ?? []);
    for (const line of outcome?.described ?? []) console.log(line);
    console.log('Running servers pick this up within a few seconds.');
  });
}

async function revokeKey(args: string[]): Promise<void> {
  const options = { yes: { type: 'boolean', default: false } } as const;
  const { values, positionals } = parseArgs({ args: idsAsPositionals(args, options), allowPositionals: true, options });
  const [kid, ...extra] = positionals;
  if (!kid || extra.length > 0) throw new UsageError('Give exactly one KID (see latchkey keys list).');
  await withCliContext(async (context) => {
    const policies = buildKeyPolicies(context.config);
    const key = (await listStoredKeys(context.queries)).find((candidate) => candidate.kid === kid);
    if (!key) throw new UsageError(`There is no key ${kid}. See latchkey keys list --all.`);
    if (key.revokedAt !== null) {
      console.log(`${kid} was revoked at ${formatTime(key.revokedAt)}; nothing to do.`);
      return;
    }
    console.log(describeRevocation(key, keyStateAt(key, new Date()), context.config));
    if (!values.yes) {
      if (!process.stdin.isTTY) throw new UsageError(`Nothing was revoked. Add --yes to revoke ${kid} without being asked.`);
      if (!(await confirm(`Type yes to revoke ${kid}: `))) {
        console.log('Nothing was revoked.');
        process.exitCode = 1;
        return;
      }
    }
    const keks = await prepareKeks(context);
    const outcome = await withKeyLock(context.queries, 'wait', async (trx, keys) => {
      const now = new Date();
      const changes = planRevocation(keys, kid, policies, now);
      const created = await applyKeyChanges(trx, keks, keys, changes, now);
      const replacement = created[0]?.kid ?? changes.update.find((update) => update.changes.activeFrom !== undefined)?.kid;
      return { replacement, events: describeKeyChanges(keys, changes, created) };
    });
    await recordKeyEvents(context, outcome?.events ?? []);
    const replacement = outcome?.replacement;
    console.log(`Revoked ${kid}.${replacement ? ` ${replacement} signs from now on.` : ''} Running servers pick this up within a few seconds.`);
  });
}

/** Records what an operator changed in the audit trail, naming the operating-system user. */
async function recordKeyEvents(context: CliContext, events: readonly KeyEvent[]): Promise<void> {
  const user = operatingSystemUser();
  for (const event of events) {
    await recordKeyRotation(context.audit, { ...event, alg: event.group, actor: `latchkey keys${user ? ` (${user})` : ''}` });
  }
}

/** The keys to seal new keys with; stops with the server's message when they do not fit the stored keys. */
async function prepareKeks(context: CliContext) {
  const keks = resolveKeyEncryptionKeys(context.config, (message) => process.stderr.write(`latchkey: ${message}\n`));
  await sealStoredKeys(context.queries, keks);
  return keks;
}

function parseGroup(alg: string, configured: readonly KeyGroup[], config: LatchkeyConfig): KeyGroup {
  const group = configured.find((candidate) => candidate.toLowerCase() === alg.toLowerCase());
  if (group) return group;
  if (alg.toLowerCase() === 'cookie' && config.cookies.secrets) {
    throw new UsageError('Cookie keys come from cookies.secrets in the configuration: rotate them there (add a new one first).');
  }
  throw new UsageError(`--alg must be one of ${configured.join(', ')} (the algorithms in signing.algorithms, and cookie).`);
}
