import type { AuditLog } from './audit-log.ts';

/**
 * Records a change of signing keys. Key rotation (generating, promoting, retiring or revoking a key) calls this once per
 * key it changes; `kid` and `alg` identify the public key, so nothing secret is passed. `effectiveAt` is when the change
 * takes effect, which for a staged rotation lies ahead.
 */
export function recordKeyRotation(
  audit: AuditLog,
  change: { kid: string; alg: string; state: 'generated' | 'current' | 'previous' | 'retired' | 'revoked'; actor?: string; effectiveAt?: Date | undefined },
): Promise<void> {
  return audit.record({
    event: 'key.rotated',
    details: { kid: change.kid, alg: change.alg, state: change.state, actor: change.actor, effective_at: change.effectiveAt?.toISOString() },
  });
}
