import type { ClientRegistry } from './types.ts';

/** Ids of entries added or removed, and for changed ones the names of the fields that differ (never their values). */
export interface EntryChanges {
  added: string[];
  removed: string[];
  changed: { id: string; fields: string[] }[];
}

export interface RegistryDiff {
  clients: EntryChanges;
  resources: EntryChanges;
}

/** What changes from `before` to `after`: clients by client_id, resources by identifier. */
export function diffRegistries(before: ClientRegistry, after: ClientRegistry): RegistryDiff {
  return {
    clients: diffEntries(before.clients, after.clients, (client) => client.client_id),
    resources: diffEntries(before.resources, after.resources, (resource) => resource.identifier),
  };
}

export function isEmptyDiff(diff: RegistryDiff): boolean {
  return [diff.clients, diff.resources].every((changes) => changes.added.length + changes.removed.length + changes.changed.length === 0);
}

function diffEntries<T extends object>(before: readonly T[], after: readonly T[], idOf: (entry: T) => string): EntryChanges {
  const old = new Map(before.map((entry) => [idOf(entry), entry]));
  const next = new Map(after.map((entry) => [idOf(entry), entry]));
  return {
    added: [...next.keys()].filter((id) => !old.has(id)),
    removed: [...old.keys()].filter((id) => !next.has(id)),
    changed: [...next].flatMap(([id, entry]) => {
      const previous = old.get(id);
      if (!previous) return [];
      const fields = changedFields(previous, entry);
      return fields.length > 0 ? [{ id, fields }] : [];
    }),
  };
}

function changedFields(before: object, after: object): string[] {
  const a = before as Record<string, unknown>;
  const b = after as Record<string, unknown>;
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
  return keys.filter((key) => JSON.stringify(a[key]) !== JSON.stringify(b[key]));
}
