import { fail, ok, type CheckResult } from './check-result.ts';
import { jsonObjectOf, type Probe } from './http-probe.ts';

const WHAT_EACH_CHECK_MEANS: Record<string, string> = {
  database: 'reachable',
  migrations: 'current',
  keys: 'loaded',
};

const HINTS: Record<string, string> = {
  database: 'check DATABASE_URL and that Postgres accepts connections from this instance',
  migrations: 'run `latchkey migrate`, or restart the server, which migrates at start',
  keys: 'restart the server: it creates missing signing keys at start',
};

/** /readyz as one line per check it reports (database, migrations, keys), and a line for draining. */
export function evaluateReadiness(response: Probe): CheckResult[] {
  if (!response.ok) return [fail('readyz', `${response.url}: ${response.error}`)];
  const body = jsonObjectOf(response);
  const checks = body?.['checks'];
  if (!body || typeof checks !== 'object' || checks === null) {
    return [fail('readyz', `${response.url} answered ${response.status} without the readiness checks`)];
  }
  const results = Object.entries(checks as Record<string, unknown>).map(([name, outcome]) =>
    outcome === 'ok'
      ? ok(name, `${WHAT_EACH_CHECK_MEANS[name] ?? 'ok'} (readyz)`)
      : fail(name, `readyz: ${String(outcome)}`, HINTS[name]),
  );
  if (body['status'] === 'draining') results.push(fail('readyz', 'the instance is draining for shutdown'));
  return results;
}
