import { fail, ok, skip, warn, type CheckResult } from './check-result.ts';
import type { Probe } from './http-probe.ts';

const WARN_SECONDS = 5;
// Relying parties check iat, exp and nbf against their own clocks, most with at most a minute of leeway.
const FAIL_SECONDS = 30;

/**
 * Compares the server's Date header with this machine's clock. Date has whole seconds, so the server's time lies in
 * [Date, Date + 1s); together with half the round trip that is how precise the comparison can be.
 */
export function evaluateClock(response: Probe): CheckResult {
  const name = 'clock';
  if (!response.ok) return skip(name, 'no response to read the Date header from');
  const date = Date.parse(response.headers.get('date') ?? '');
  if (Number.isNaN(date)) return skip(name, 'the response has no Date header');
  const localMidpoint = (response.sentAt + response.receivedAt) / 2;
  const uncertainty = (response.receivedAt - response.sentAt) / 2 + 500;
  const skew = (date + 500 - localMidpoint) / 1000;
  const beyondDoubt = Math.max(0, Math.abs(skew) - uncertainty / 1000);
  const described = `the server's clock is ${Math.abs(skew).toFixed(1)}s ${skew >= 0 ? 'ahead of' : 'behind'} this machine's`;
  const hint = 'run NTP (chrony, systemd-timesyncd) on both machines; tokens carry times relying parties compare with theirs';
  if (beyondDoubt > FAIL_SECONDS) return fail(name, described, hint);
  if (beyondDoubt > WARN_SECONDS) return warn(name, described, hint);
  return ok(name, `within ${Math.max(1, Math.ceil(Math.abs(skew) + uncertainty / 1000))}s of this machine`);
}
