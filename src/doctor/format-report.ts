import type { CheckResult, CheckStatus } from './check-result.ts';

const LABELS: Record<CheckStatus, string> = { ok: 'ok', warn: 'warn', fail: 'FAIL', skip: 'skip' };

/** The checklist as people read it: one line per check, hints indented under problems, a verdict at the end. */
export function formatReport(issuer: string, results: readonly CheckResult[]): string {
  const width = Math.max(...results.map((result) => result.name.length));
  const lines = [`Latchkey doctor: ${issuer}`, ''];
  for (const result of results) {
    lines.push(`  ${LABELS[result.status].padEnd(4)}  ${result.name.padEnd(width)}  ${result.summary}`);
    if (result.hint && (result.status === 'fail' || result.status === 'warn')) lines.push(`  ${''.padEnd(4)}  ${''.padEnd(width)}  → ${result.hint}`);
  }
  const failed = results.filter((result) => result.status === 'fail').length;
  const warned = results.filter((result) => result.status === 'warn').length;
  lines.push('');
  if (failed > 0) lines.push(`${plural(failed, 'check')} failed${warned > 0 ? `, ${plural(warned, 'warning')}` : ''}.`);
  else lines.push(warned > 0 ? `No check failed; ${plural(warned, 'warning')}.` : 'Every check passed.');
  return `${lines.join('\n')}\n`;
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
