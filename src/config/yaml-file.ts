import { readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import type { ConfigProblem } from './config-error.ts';

export type YamlRead =
  | { status: 'missing' }
  | { status: 'invalid'; problems: ConfigProblem[] }
  | { status: 'ok'; document: unknown };

/** Reads and parses one YAML file; syntax errors become problems naming the line. `displayName` is used in messages. */
export function readYamlFile(file: string, displayName: string): YamlRead {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { status: 'missing' };
    return { status: 'invalid', problems: [{ file: displayName, path: '', message: `cannot read: ${String(error)}` }] };
  }
  return parseYaml(text, displayName);
}

/** Parses YAML text; an empty document is null, which callers treat like an empty mapping. */
export function parseYaml(text: string, displayName: string): YamlRead {
  const document = parseDocument(text, { prettyErrors: true });
  if (document.errors.length > 0) {
    const problems = document.errors.map((error) => {
      const start = error.linePos?.[0];
      const path = start === undefined ? '' : `line ${start.line}, column ${start.col}`;
      // prettyErrors appends " at line N, column M:" and a source excerpt; the path already says where.
      const message = error.message.split(/ at line \d+, column \d+:?\n?|\n/)[0] ?? error.message;
      return { file: displayName, path, message };
    });
    return { status: 'invalid', problems };
  }
  try {
    return { status: 'ok', document: document.toJS({ maxAliasCount: 100 }) };
  } catch (error) {
    // Unresolved aliases and alias bombs are only detected while building the plain object.
    return { status: 'invalid', problems: [{ file: displayName, path: '', message: (error as Error).message }] };
  }
}
