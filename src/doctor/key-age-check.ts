import { ok, skip, warn, type CheckResult } from './check-result.ts';
import type { Probe } from './http-probe.ts';

const DAY_SECONDS = 86_400;
// Twice the customary 90-day rotation: a key this old means rotation is not happening.
const STALE_AFTER_DAYS = 180;

/** Signing key ages per algorithm, from /metrics (latchkey_signing_key_age_seconds), when the doctor may read them. */
export function evaluateKeyAges(response: Probe | undefined): CheckResult {
  const name = 'key age';
  if (!response) return skip(name, 'needs /metrics: set metrics.token (or metrics.port) in latchkey.yaml');
  if (!response.ok) return skip(name, `cannot read ${response.url}: ${response.error}`);
  if (response.status !== 200) return skip(name, `${response.url} answered ${response.status}`);
  const ages = [...response.text.matchAll(/^latchkey_signing_key_age_seconds\{alg="([^"]+)"\} ([0-9.e+]+)$/gm)].map((match) => ({
    alg: match[1] ?? '?',
    days: Number(match[2]) / DAY_SECONDS,
  }));
  if (ages.length === 0) return skip(name, 'the metrics report no signing keys');
  const described = ages.map(({ alg, days }) => `${alg} ${days < 1 ? 'under a day' : `${Math.floor(days)} days`}`).join(', ');
  const stale = ages.filter(({ days }) => days > STALE_AFTER_DAYS);
  if (stale.length > 0) {
    return warn(name, `${described}: older than ${STALE_AFTER_DAYS} days`, 'rotate the signing keys');
  }
  return ok(name, described);
}
