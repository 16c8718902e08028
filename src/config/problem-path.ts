import path from 'node:path';
import type { ConfigProblem } from './config-error.ts';

/** A problem located by a path into a parsed file, before it is made readable. */
export interface Issue {
  path: readonly PropertyKey[];
  message: string;
}

/** For list items, the field that names the item in messages (so `clients[1]` reads `clients[1] (client_id "x")`). */
const ITEM_LABELS: Readonly<Record<string, string>> = { clients: 'client_id', resources: 'identifier' };

/** Turns issues into problems for `file` in the order of the document, labelling list items from the raw (interpolated) document. */
export function toProblems(file: string, issues: readonly Issue[], document: unknown): ConfigProblem[] {
  const keys = typeof document === 'object' && document !== null ? Object.keys(document) : [];
  const position = ({ path }: Issue): [number, number] => {
    const [key, index] = path;
    const keyIndex = typeof key === 'string' ? keys.indexOf(key) : -1;
    return [keyIndex === -1 ? Number.MAX_SAFE_INTEGER : keyIndex, typeof index === 'number' ? index : -1];
  };
  // Array.prototype.sort is stable, so a list entry keeps its problems in the order they were found.
  const sorted = [...issues].sort((a, b) => {
    const [aKey, aIndex] = position(a);
    const [bKey, bIndex] = position(b);
    return aKey - bKey || aIndex - bIndex;
  });
  return sorted.map((issue) => ({ file, path: formatPath(issue.path, document), message: issue.message }));
}

/** `['clients', 1, 'client_secret']` → `clients[1] (client_id "billing-web").client_secret`. */
export function formatPath(path: readonly PropertyKey[], document: unknown): string {
  let text = '';
  let node: unknown = document;
  let parentKey: PropertyKey | undefined;
  for (const segment of path) {
    node = childOf(node, segment);
    if (typeof segment === 'number') {
      text += `[${segment}]`;
      const label = typeof parentKey === 'string' && path[0] === parentKey ? ITEM_LABELS[parentKey] : undefined;
      const name = label === undefined ? undefined : childOf(node, label);
      if (label !== undefined && typeof name === 'string') text += ` (${label} ${JSON.stringify(name)})`;
    } else {
      text += text === '' ? String(segment) : `.${String(segment)}`;
    }
    parentKey = segment;
  }
  return text;
}

function childOf(node: unknown, key: PropertyKey): unknown {
  if (typeof node !== 'object' || node === null) return undefined;
  return (node as Record<PropertyKey, unknown>)[key];
}

/** Drops `issues` at or below a path that already has a problem in `earlier` (a failed `${VAR}` would fail again as a value). */
export function withoutShadowed(issues: readonly Issue[], earlier: readonly Issue[]): Issue[] {
  return issues.filter((issue) => !earlier.some((first) => first.path.every((segment, index) => issue.path[index] === segment)));
}

/** A file path as the operator would type it from the working directory; absolute when it lies outside. */
export function displayPath(file: string, cwd: string): string {
  const relative = path.relative(cwd, file);
  return relative === '' || relative.startsWith('..') || path.isAbsolute(relative) ? file : relative;
}
