import { randomBytes, createHash } from 'node:crypto';
import type { LatchkeyConfig } from '../config/types.ts';
import type { CheckResult } from './check-result.ts';
import { checkClientCredentials, type CheckClient } from './client-credentials-check.ts';
import { evaluateClock } from './clock-check.ts';
import { evaluateConfiguration } from './config-checks.ts';
import { evaluateDiscovery } from './discovery-check.ts';
import { probe, type Probe } from './http-probe.ts';
import { evaluateJwks } from './jwks-check.ts';
import { evaluateKeyAges } from './key-age-check.ts';
import { evaluateReadiness } from './readiness-check.ts';
import { evaluateCookies, evaluateHsts, evaluateIssuerScheme } from './transport-checks.ts';

export interface DoctorOptions {
  /** The issuer to check (no trailing slash); requests go there. */
  issuer: string;
  /** The local configuration, when it is the one of this issuer: enables the checks that need settings. */
  config: LatchkeyConfig | undefined;
  /** A client for the client_credentials round trip. */
  client: CheckClient | undefined;
}

/** Runs every check against a running Latchkey and returns the checklist, in reading order. */
export async function runDoctor(options: DoctorOptions): Promise<CheckResult[]> {
  const { issuer, config } = options;
  const discoveryResponse = await probe(`${issuer}/.well-known/openid-configuration`, { headers: { accept: 'application/json' } });
  const discovery = evaluateDiscovery(issuer, discoveryResponse);
  const jwksUri = stringAt(discovery.document, 'jwks_uri') ?? `${issuer}/jwks`;
  const [jwks, readiness, metrics, signIn] = await Promise.all([
    probe(jwksUri).then((response) => evaluateJwks(response, discovery.document)),
    probe(`${issuer}/readyz`),
    config ? probeMetrics(issuer, config) : Promise.resolve(undefined),
    config ? startSignIn(config, discovery.document) : Promise.resolve(undefined),
  ]);
  const publicIssuer = stringAt(discovery.document, 'issuer') ?? issuer;
  return [
    discovery.result,
    jwks.result,
    evaluateKeyAges(metrics),
    ...evaluateReadiness(readiness),
    evaluateClock(discoveryResponse),
    ...(options.client ? [await checkClientCredentials(options.client, publicIssuer, discovery.document, jwks.keys)] : []),
    evaluateIssuerScheme(publicIssuer),
    evaluateHsts(publicIssuer, discoveryResponse),
    evaluateCookies(publicIssuer, signIn),
    ...(config ? evaluateConfiguration(config) : []),
  ];
}

/** /metrics where this configuration serves them, with its token. */
function probeMetrics(issuer: string, config: LatchkeyConfig): Promise<Probe> | undefined {
  const { port, host, token } = config.metrics;
  const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
  if (port !== undefined) {
    const reachableHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
    return probe(`http://${reachableHost}:${port}/metrics`, { headers });
  }
  return token ? probe(`${issuer}/metrics`, { headers }) : undefined;
}

/**
 * Starts (and abandons) a sign-in for a registered code-flow client, to see the cookies it sets. It leaves an
 * interaction row behind, which expires like any abandoned sign-in.
 */
function startSignIn(config: LatchkeyConfig, discovery: Record<string, unknown> | undefined): Promise<Probe> | undefined {
  const endpoint = stringAt(discovery, 'authorization_endpoint');
  const client = config.clients.find(
    (candidate) =>
      candidate.grant_types.includes('authorization_code') && candidate.redirect_uris.length > 0 && candidate.scope.split(' ').includes('openid'),
  );
  const redirectUri = client?.redirect_uris[0];
  if (!endpoint || !client || !redirectUri) return undefined;
  const url = new URL(endpoint);
  const verifier = randomBytes(32).toString('base64url');
  url.search = new URLSearchParams({
    client_id: client.client_id,
    response_type: 'code',
    redirect_uri: redirectUri,
    scope: 'openid',
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
    state: randomBytes(16).toString('base64url'),
  }).toString();
  return probe(url.href, { headers: { accept: 'text/html' } });
}

function stringAt(document: Record<string, unknown> | undefined, field: string): string | undefined {
  const value = document?.[field];
  return typeof value === 'string' ? value : undefined;
}
