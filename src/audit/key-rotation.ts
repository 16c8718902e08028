import type { AuditLog } from './audit-log.ts';

/**
 * Records a change of signing keys. Key rotation (generating, promoting or retiring a key) calls this once per key
 * it changes; `kid` and `alg` identify the public key, so nothing secret is passed.
 */
export function recordKeyRotation(
  audit: AuditLog,
  change: { kid: string; alg: string; state: 'generated' | 'current' | 'previous' | 'retired'; actor?: string },
): Promise<void> {
  return audit.record({ event: 'key.rotated', details: { kid: change.kid, alg: change.alg, state: change.state, actor: change.actor } });
}
