/** ok: as it should be; warn: works, but worth fixing; fail: broken or unsafe; skip: could not be checked here. */
export type CheckStatus = 'ok' | 'warn' | 'fail' | 'skip';

/** One line of the doctor's checklist. */
export interface CheckResult {
  name: string;
  status: CheckStatus;
  summary: string;
  /** What to do about a warn or fail. */
  hint?: string;
}

export function ok(name: string, summary: string): CheckResult {
  return { name, status: 'ok', summary };
}

export function warn(name: string, summary: string, hint?: string): CheckResult {
  return { name, status: 'warn', summary, ...(hint !== undefined && { hint }) };
}

export function fail(name: string, summary: string, hint?: string): CheckResult {
  return { name, status: 'fail', summary, ...(hint !== undefined && { hint }) };
}

export function skip(name: string, summary: string): CheckResult {
  return { name, status: 'skip', summary };
}
