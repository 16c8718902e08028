import { parseArgs } from 'node:util';
import { keyStateAt } from '../keys/key-life-cycle.ts';
import { listStoredKeys, type StoredKey } from '../keys/stored-keys.ts';
import { withCliContext } from './cli-context.ts';
import { formatTime } from './keys-descriptions.ts';
import { printTable } from './print-table.ts';

/** `latchkey keys list [--all] [--json]` */
export async function listKeys(args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { all: { type: 'boolean', default: false }, json: { type: 'boolean', default: false } } });
  const keys = await withCliContext(({ queries }) => listStoredKeys(queries));
  const now = new Date();
  const rows = keys
    .map((key) => ({ key, state: keyStateAt(key, now) }))
    .filter(({ state }) => values.all || (state !== 'removed' && state !== 'revoked'));
  if (values.json) {
    console.log(JSON.stringify(rows.map(({ key, state }) => describeKey(key, state)), null, 2));
    return;
  }
  const headers = ['KID', 'ALG', 'STATE', 'CREATED', 'ACTIVE FROM', 'RETIRED FROM', 'REMOVED'];
  const table = rows.map(({ key, state }) => [
    key.kid,
    key.group,
    state,
    formatTime(key.createdAt),
    formatTime(key.activeFrom),
    formatTime(key.retiredFrom),
    formatTime(key.revokedAt ?? key.removedAt),
  ]);
  printTable(headers, table);
}

function describeKey(key: StoredKey, state: string): Record<string, string | null> {
  return {
    kid: key.kid,
    alg: key.group,
    state,
    created_at: key.createdAt.toISOString(),
    published_at: key.publishedAt.toISOString(),
    active_from: key.activeFrom.toISOString(),
    retired_from: key.retiredFrom?.toISOString() ?? null,
    removed_at: key.removedAt?.toISOString() ?? null,
    revoked_at: key.revokedAt?.toISOString() ?? null,
  };
}
