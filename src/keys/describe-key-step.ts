import type { DueStep } from './key-steps.ts';

/** A due step as plain fields: what it did, and the key or the group it was about. */
export function describeKeyStep(step: DueStep): { step: string; kid?: string; group?: string } {
  return 'kid' in step ? { step: step.kind, kid: step.kid } : { step: step.kind, group: step.group };
}
