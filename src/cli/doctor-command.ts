import { parseArgs } from 'node:util';
import { loadConfig } from '../config/load-config.ts';
import { ConfigError } from '../config/config-error.ts';
import type { LatchkeyConfig } from '../config/types.ts';
import type { CheckClient } from '../doctor/client-credentials-check.ts';
import { formatReport } from '../doctor/format-report.ts';
import { runDoctor } from '../doctor/run-doctor.ts';
import { UsageError } from './read-password.ts';

export const DOCTOR_HELP = `Usage: latchkey doctor [URL] [--client CLIENT_ID [--client-auth basic|post] [--scope S] [--resource URI]] [--json]

Checks a running Latchkey and prints a checklist: discovery consistent with the issuer, the JWKS
(keys parse, unique kids, nothing private, every advertised algorithm), signing key age (from /metrics
when the local config has a metrics token or port), /readyz (database, migrations, keys), the clock
against this machine's, https and HSTS, the cookies of a sign-in (it starts one and abandons it), and
settings of the local configuration that should not reach production.

URL is the issuer to check (default: the issuer of ./config, or LATCHKEY_CONFIG_DIR). Checks that need
settings run only when the local configuration is the one of that issuer.

Options:
  --client CLIENT_ID   also do a client_credentials round trip as this client: get a token, verify it
                       against the JWKS, introspect it. Its secret is read from the environment
                       variable LATCHKEY_DOCTOR_CLIENT_SECRET, never from the command line.
  --client-auth M      basic (client_secret_basic) or post (client_secret_post); default: as the
                       client is registered in the local clients.yaml, else basic
  --scope S            scope to ask for (default: the client's)
  --resource URI       API to ask a token for (default: the client's only or default API)
  --json               print the results as JSON

Exits 0 when no check failed (warnings allowed), 1 when one did, 2 on a usage error.
`;

/** `latchkey doctor`: returns the exit code. */
export async function runDoctorCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      client: { type: 'string' },
      'client-auth': { type: 'string' },
      scope: { type: 'string' },
      resource: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
  });
  if (positionals.length > 1) throw new UsageError('Give at most one URL.');
  const local = readLocalConfig();
  const target = positionals[0] ?? local.config?.issuer;
  if (target === undefined) throw new UsageError(`Give the URL to check: the local configuration does not load.\n${local.problem ?? ''}`);
  const issuer = normalizeIssuer(target);
  const config = local.config?.issuer === issuer ? local.config : undefined;
  const client = values.client === undefined ? undefined : checkClientFrom(values, config);

  const results = await runDoctor({ issuer, config, client });
  if (values.json) process.stdout.write(`${JSON.stringify({ issuer, results }, null, 2)}\n`);
  else process.stdout.write(formatReport(issuer, results));
  return results.some((result) => result.status === 'fail') ? 1 : 0;
}

function readLocalConfig(): { config: LatchkeyConfig | undefined; problem: string | undefined } {
  try {
    return { config: loadConfig({}), problem: undefined };
  } catch (error) {
    if (error instanceof ConfigError) return { config: undefined, problem: error.message };
    throw error;
  }
}

function normalizeIssuer(raw: string): string {
  const url = URL.parse(raw);
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) throw new UsageError(`"${raw}" is not an http(s) URL.`);
  return url.href.replace(/\/+$/, '');
}

function checkClientFrom(
  values: { client?: string; 'client-auth'?: string; scope?: string; resource?: string },
  config: LatchkeyConfig | undefined,
): CheckClient {
  const clientId = values.client ?? '';
  const secret = process.env['LATCHKEY_DOCTOR_CLIENT_SECRET'];
  if (!secret) throw new UsageError(`--client ${clientId} needs its secret in the environment variable LATCHKEY_DOCTOR_CLIENT_SECRET.`);
  const registered = config?.clients.find((client) => client.client_id === clientId)?.token_endpoint_auth_method;
  const auth = values['client-auth'] ?? (registered === 'client_secret_post' ? 'post' : 'basic');
  if (auth !== 'basic' && auth !== 'post') throw new UsageError('--client-auth is basic or post.');
  return { clientId, secret, auth, scope: values.scope, resource: values.resource };
}
