// What `latchkey keys` tells the operator: what a rotation did, and what a revocation would break.
import { formatDuration } from '../config/duration.ts';
import type { LatchkeyConfig } from '../config/types.ts';
import type { KeyGroup, KeyState } from '../keys/key-life-cycle.ts';
import type { KeyChanges } from '../keys/key-steps.ts';
import type { CreatedKey } from '../keys/key-operations.ts';
import type { StoredKey } from '../keys/stored-keys.ts';

/** 2026-11-26T10:00:00Z, or '' for no time. */
export function formatTime(time: Date | null): string {
  return time ? time.toISOString().replace(/\.\d{3}Z$/, 'Z') : '';
}

/** One line on a rotation of one group. */
export function describeRotation(outcome: {
  group: KeyGroup;
  immediately: boolean;
  keys: readonly StoredKey[];
  changes: KeyChanges;
  created: readonly CreatedKey[];
  now: Date;
  config: LatchkeyConfig;
}): string {
  const { group, keys, changes, created, now } = outcome;
  const [key] = created;
  if (!key) {
    const waiting = keys.find((candidate) => candidate.group === group && candidate.revokedAt === null && candidate.activeFrom > now);
    return `${group}: a rotation is already under way: ${waiting?.kid ?? 'the next key'} signs from ${formatTime(waiting?.activeFrom ?? null)}. ` +
      'Add --immediately to switch now.';
  }
  const retiring = changes.update.find((update) => update.changes.retiredFrom);
  const old = retiring ? ` ${retiring.kid} stays published until ${formatTime(retiring.changes.removedAt ?? null)}, so what it signed keeps verifying.` : '';
  if (key.activeFrom.getTime() <= now.getTime()) return `${group}: new key ${key.kid} signs from now on.${old}`;
  if (outcome.immediately) return `${group}: new key ${key.kid} signs from ${formatTime(key.activeFrom)}, in a few seconds, once every instance has it.${old}`;
  return `${group}: new key ${key.kid} is published now and signs from ${formatTime(key.activeFrom)} ` +
    `(signing.publish_lead_time ${formatDuration(outcome.config.signing.publishLeadTime)} after every instance has it).${old}`;
}

/** What revoking `key` breaks, in plain words. */
export function describeRevocation(key: StoredKey, state: KeyState, config: LatchkeyConfig): string {
  const cache = formatDuration(config.signing.jwksMaxAge);
  const lines =
    key.group === 'cookie'
      ? [
          `Revoking cookie key ${key.kid} (${state}) destroys it at once:`,
          '  - Latchkey session cookies signed with it stop being accepted: those people have to sign in at Latchkey again',
          '    (tokens their apps already hold stay valid), and sign-ins in progress start over.',
        ]
      : [
          `Revoking ${key.kid} (${key.group}, ${state}) removes it from the JWKS and destroys its private key at once:`,
          '  - Every ID token and access token it signed stops verifying. Apps and APIs reject them as soon as they fetch',
          `    the JWKS again; those that cached it may keep trusting the key for up to ${cache} (signing.jwks_max_age).`,
          '  - People stay signed in at Latchkey, but apps that check those ID tokens may sign them out, and API clients',
          '    have to get new access tokens (refresh tokens keep working).',
        ];
  if (state === 'active') {
    lines.push(key.group === 'cookie'
      ? '  - It is the signing cookie key: the next one (or a new one) signs from now on.'
      : '  - It is the signing key: the next key (or a new one) signs from now on; apps that have not seen its id yet fetch the JWKS again.');
  }
  if (state === 'published' || state === 'created') lines.push('  - It has not signed anything yet: the current key keeps signing, and a new rotation starts later.');
  if (state === 'retired') lines.push(`  - It no longer signs: only what it signed before ${formatTime(key.retiredFrom)} is affected.`);
  if (state === 'removed') lines.push('  - It is no longer published: nothing it signed verifies any more anyway.');
  lines.push('Revoke a key that is known or suspected to be compromised. To replace a key without breaking anything, use', '`latchkey keys rotate --immediately` instead.');
  return lines.join('\n');
}
