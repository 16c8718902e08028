import { importJWK, type JWK } from 'jose';
import { fail, ok, type CheckResult } from './check-result.ts';
import { jsonObjectOf, type Probe } from './http-probe.ts';

// RFC 7518 §6: members that only private (or symmetric) keys have. A JWKS holding one gives the key away.
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];

/** The JWKS: keys parse, kids are unique, nothing private is published, and every advertised algorithm has a key. */
export async function evaluateJwks(response: Probe, discovery: Record<string, unknown> | undefined): Promise<{ result: CheckResult; keys: JWK[] }> {
  const name = 'jwks';
  if (!response.ok) return { result: fail(name, `${response.url}: ${response.error}`), keys: [] };
  const keys = jsonObjectOf(response)?.['keys'];
  if (response.status !== 200 || !Array.isArray(keys)) {
    return { result: fail(name, `${response.url} answered ${response.status} without a key set`), keys: [] };
  }
  const jwks = keys.filter((key): key is JWK => typeof key === 'object' && key !== null);
  const problems: string[] = [];
  if (jwks.length === 0) problems.push('the key set is empty');
  const kids = jwks.map((key) => key.kid);
  if (kids.some((kid) => typeof kid !== 'string' || kid === '')) problems.push('a key has no kid');
  const duplicates = kids.filter((kid, index) => kid !== undefined && kids.indexOf(kid) !== index);
  if (duplicates.length > 0) problems.push(`kid ${[...new Set(duplicates)].join(', ')} is used by more than one key`);
  for (const key of jwks) problems.push(...(await checkKey(key)));

  const algs = [...new Set(jwks.map((key) => key.alg).filter((alg): alg is string => typeof alg === 'string'))];
  const advertised = discovery?.['id_token_signing_alg_values_supported'];
  if (Array.isArray(advertised)) {
    for (const alg of advertised) {
      if (typeof alg === 'string' && alg !== 'none' && !alg.startsWith('HS') && !algs.includes(alg)) {
        problems.push(`discovery offers ${alg} but no key has it`);
      }
    }
  }
  if (problems.length > 0) return { result: fail(name, problems.join('; ')), keys: jwks };
  const count = jwks.length === 1 ? '1 key' : `${jwks.length} keys`;
  return { result: ok(name, `${count} (${algs.join(', ')}), kids unique, public parts only`), keys: jwks };
}

async function checkKey(key: JWK): Promise<string[]> {
  const label = `key ${key.kid ?? '(no kid)'}`;
  const leaked = PRIVATE_MEMBERS.filter((member) => member in key);
  if (leaked.length > 0) return [`${label} publishes private members (${leaked.join(', ')}): replace it at once`];
  if (key.use !== undefined && key.use !== 'sig') return [`${label} has use ${key.use}, not sig`];
  if (typeof key.alg !== 'string') return [`${label} has no alg`];
  try {
    await importJWK(key, key.alg);
    return [];
  } catch (error) {
    return [`${label} does not parse as a ${key.alg} key: ${(error as Error).message}`];
  }
}
