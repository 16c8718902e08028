import { fail, ok, type CheckResult } from './check-result.ts';
import { jsonObjectOf, type Probe } from './http-probe.ts';

const ENDPOINT_FIELDS = [
  'authorization_endpoint',
  'token_endpoint',
  'userinfo_endpoint',
  'jwks_uri',
  'end_session_endpoint',
  'introspection_endpoint',
  'revocation_endpoint',
] as const;

/** The discovery document, if it could be read, and what the doctor thinks of it. */
export interface DiscoveryCheck {
  result: CheckResult;
  document: Record<string, unknown> | undefined;
}

/**
 * OpenID Connect Discovery §4.3: the document's issuer must be exactly the URL it was fetched under, and every
 * endpoint must live under it; plus what Latchkey's clients rely on (code flow, PKCE S256, RS256).
 */
export function evaluateDiscovery(expectedIssuer: string, response: Probe): DiscoveryCheck {
  const name = 'discovery';
  if (!response.ok) return { result: fail(name, `${response.url}: ${response.error}`), document: undefined };
  const document = jsonObjectOf(response);
  if (response.status !== 200 || !document) {
    return { result: fail(name, `${response.url} answered ${response.status} without a discovery document`), document: undefined };
  }
  const problems: string[] = [];
  if (document['issuer'] !== expectedIssuer) {
    problems.push(`it names the issuer ${JSON.stringify(document['issuer'])}, not ${expectedIssuer}`);
  }
  const issuerPrefix = `${String(document['issuer'])}/`;
  const endpoints = ENDPOINT_FIELDS.filter((field) => typeof document[field] === 'string');
  for (const field of ['authorization_endpoint', 'token_endpoint', 'jwks_uri'] as const) {
    if (!endpoints.includes(field)) problems.push(`${field} is missing`);
  }
  for (const field of endpoints) {
    const value = String(document[field]);
    if (!value.startsWith(issuerPrefix)) problems.push(`${field} ${value} is not under the issuer`);
  }
  requireListed(document, 'response_types_supported', 'code', problems);
  requireListed(document, 'code_challenge_methods_supported', 'S256', problems);
  requireListed(document, 'id_token_signing_alg_values_supported', 'RS256', problems);
  if (problems.length > 0) {
    return {
      result: fail(name, problems.join('; '), 'set issuer (or ISSUER) to the public URL people and apps use, exactly'),
      document,
    };
  }
  return { result: ok(name, `issuer ${expectedIssuer}; ${endpoints.length} endpoints under it`), document };
}

function requireListed(document: Record<string, unknown>, field: string, value: string, problems: string[]): void {
  const list = document[field];
  if (!Array.isArray(list) || !list.includes(value)) problems.push(`${field} does not list ${value}`);
}
