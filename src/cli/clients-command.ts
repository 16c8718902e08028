import { parseArgs } from 'node:util';
import { checkClientsFile, clientsFileExists, type ClientsFileCheck } from '../config/check-clients-file.ts';
import { formatProblem } from '../config/config-error.ts';
import type { EntryChanges } from '../config/registry-diff.ts';
import type { ClientRegistry } from '../config/types.ts';
import { UsageError } from './read-password.ts';

export const CLIENTS_HELP = `Usage: latchkey clients check [FILE]

Validates a clients file offline, as the server would (with the settings of latchkey.yaml it depends
on), and prints what would change compared with the configured clients.yaml: clients and resources
added, removed, and changed (the names of the fields that differ, never their values). Without FILE
it checks the configured clients.yaml itself. \${NAME} references are read from this environment.

The running server reloads clients.yaml when it changes (or on SIGHUP) and refuses an invalid file,
so a typical edit is: copy, edit the copy, \`latchkey clients check copy.yaml\`, move it into place.

Exits 0 when the file is valid, 1 when it is not, 2 on a usage error.
`;

/** `latchkey clients ...`: returns the exit code. */
export async function runClientsCommand(args: string[]): Promise<number> {
  const [command, ...rest] = args;
  if (command !== 'check') throw new UsageError(command ? `Unknown clients command "${command}".\n\n${CLIENTS_HELP}` : CLIENTS_HELP);
  const { positionals } = parseArgs({ args: rest, allowPositionals: true, options: {} });
  if (positionals.length > 1) throw new UsageError('Give at most one FILE.');
  const file = positionals[0];
  if (file !== undefined && !clientsFileExists(file)) throw new UsageError(`There is no file ${file}.`);
  const check = checkClientsFile(file);
  process.stdout.write(formatCheck(check));
  return check.candidate.registry ? 0 : 1;
}

function formatCheck(check: ClientsFileCheck): string {
  const { candidate, current, diff } = check;
  const lines: string[] = [];
  if (check.serverProblems.length > 0) {
    lines.push('Note: latchkey.yaml does not load, so its defaults stood in for the settings clients depend on:');
    lines.push(...check.serverProblems.map((problem) => `  - ${formatProblem(problem)}`), '');
  }
  if (!candidate.registry) {
    const count = candidate.problems.length === 1 ? '1 problem' : `${candidate.problems.length} problems`;
    lines.push(`${candidate.displayName} is not valid (${count}):`, ...candidate.problems.map((problem) => `  - ${formatProblem(problem)}`));
    return `${lines.join('\n')}\n`;
  }
  lines.push(`${candidate.displayName} is valid: ${describeRegistry(candidate.registry)}.`);
  if (!current) return `${lines.join('\n')}\n`;
  lines.push('');
  if (!diff) {
    lines.push(`The configured ${current.displayName} does not validate itself, so there is nothing to compare with.`);
  } else {
    const changes = [...describeChanges('client', diff.clients), ...describeChanges('resource', diff.resources)];
    lines.push(changes.length === 0 ? `No changes compared with ${current.displayName}.` : `Compared with ${current.displayName}:`, ...changes);
  }
  return `${lines.join('\n')}\n`;
}

function describeRegistry(registry: ClientRegistry): string {
  const count = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`;
  return `${count(registry.clients.length, 'client')}, ${count(registry.resources.length, 'resource')}`;
}

function describeChanges(kind: string, changes: EntryChanges): string[] {
  return [
    ...changes.added.map((id) => `  + ${kind} ${id}`),
    ...changes.removed.map((id) => `  - ${kind} ${id}`),
    ...changes.changed.map(({ id, fields }) => `  ~ ${kind} ${id}: ${fields.join(', ')}`),
  ];
}
