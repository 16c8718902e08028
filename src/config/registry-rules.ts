// Rules across the entries of clients.yaml. Paths are relative to the file.
import type { ClientContext } from './client-rules.ts';
import type { Issue } from './problem-path.ts';

/** One successfully parsed list entry and its position in the file. */
export interface Parsed<T> {
  index: number;
  value: T;
}

/** Resource identifiers are unique, and each scope belongs to one resource; read from the raw entries so a typo elsewhere hides nothing. */
export function checkResourcesTogether(rawResources: readonly unknown[]): Issue[] {
  const issues: Issue[] = [];
  const identifiers = new Map<string, number>();
  const scopeOwners = new Map<string, string>();
  rawResources.forEach((resource, index) => {
    const identifier = fieldAt(resource, 'identifier');
    if (typeof identifier !== 'string') return;
    const first = identifiers.get(identifier);
    if (first !== undefined) issues.push({ path: ['resources', index, 'identifier'], message: `duplicate identifier; resources[${first}] already declares it` });
    else identifiers.set(identifier, index);
    const scopes = fieldAt(resource, 'scopes');
    (Array.isArray(scopes) ? scopes : []).forEach((scope: unknown, scopeIndex) => {
      if (typeof scope !== 'string') return;
      const owner = scopeOwners.get(scope);
      if (owner === undefined) scopeOwners.set(scope, identifier);
      else if (owner !== identifier) {
        const message = `scope "${scope}" already belongs to resource "${owner}"; a scope may belong to only one resource`;
        issues.push({ path: ['resources', index, 'scopes', scopeIndex], message });
      }
    });
  });
  return issues;
}

/** Built from the raw resources so a resource with a typo elsewhere does not make every client's scope "unknown". */
export function buildClientContext(rawResources: readonly unknown[], signingAlgorithms: ClientContext['signingAlgorithms']): ClientContext {
  const resourceScopes = new Map<string, string>();
  const resourceIdentifiers = new Set<string>();
  for (const resource of rawResources) {
    const identifier = fieldAt(resource, 'identifier');
    if (typeof identifier !== 'string') continue;
    resourceIdentifiers.add(identifier);
    const scopes = fieldAt(resource, 'scopes');
    if (!Array.isArray(scopes)) continue;
    for (const scope of scopes) if (typeof scope === 'string' && !resourceScopes.has(scope)) resourceScopes.set(scope, identifier);
  }
  return { resourceScopes, resourceIdentifiers, signingAlgorithms };
}

/** client_id is unique across the file. */
export function checkUniqueClientIds(rawClients: readonly unknown[]): Issue[] {
  const seen = new Map<string, number>();
  return rawClients.flatMap((client, index): Issue[] => {
    const id = fieldAt(client, 'client_id');
    if (typeof id !== 'string') return [];
    const first = seen.get(id);
    if (first === undefined) seen.set(id, index);
    return first === undefined ? [] : [{ path: ['clients', index, 'client_id'], message: `duplicate client_id; clients[${first}] already uses it` }];
  });
}

/** `node[key]` when node is a mapping. */
export function fieldAt(node: unknown, key: string): unknown {
  return typeof node === 'object' && node !== null && !Array.isArray(node) ? (node as Record<string, unknown>)[key] : undefined;
}

