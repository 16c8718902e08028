import type { Issue } from './problem-path.ts';

export interface Interpolated {
  value: unknown;
  issues: Issue[];
}

// `$${` is an escape for a literal `${`; otherwise `${NAME}` or `${NAME:-default}` (default may be empty, has no `}`).
const REFERENCE = /\$\$\{|\$\{([^}]*)\}?/g;
const NAME_WITH_DEFAULT = /^([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?$/;

/**
 * Replaces `${NAME}` and `${NAME:-default}` in every string scalar of a parsed YAML document.
 * Runs after parsing so a value containing `#` or `:` stays one scalar. An empty variable counts as unset.
 */
export function interpolateEnv(document: unknown, env: NodeJS.ProcessEnv): Interpolated {
  const issues: Issue[] = [];
  const value = walk(document, [], env, issues);
  return { value, issues };
}

function walk(node: unknown, path: PropertyKey[], env: NodeJS.ProcessEnv, issues: Issue[]): unknown {
  if (typeof node === 'string') return interpolateString(node, path, env, issues);
  if (Array.isArray(node)) return node.map((item: unknown, index) => walk(item, [...path, index], env, issues));
  if (typeof node === 'object' && node !== null) {
    const entries = Object.entries(node).map(([key, item]) => [key, walk(item, [...path, key], env, issues)]);
    return Object.fromEntries(entries);
  }
  return node;
}

function interpolateString(text: string, path: PropertyKey[], env: NodeJS.ProcessEnv, issues: Issue[]): string {
  return text.replace(REFERENCE, (reference: string, body: string | undefined) => {
    if (body === undefined) return '${';
    const match = reference.endsWith('}') ? NAME_WITH_DEFAULT.exec(body) : null;
    const [, name, fallback] = match ?? [];
    if (name === undefined) {
      issues.push({ path, message: `malformed environment reference "${reference}"; write \${NAME} or \${NAME:-default}` });
      return reference;
    }
    const value = env[name];
    if (value !== undefined && value !== '') return value;
    if (fallback !== undefined) return fallback;
    issues.push({ path, message: `environment variable ${name} is not set (or write \${${name}:-default} to give a default)` });
    return reference;
  });
}
