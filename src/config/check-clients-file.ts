import { existsSync } from 'node:fs';
import path from 'node:path';
import { readClientRegistry } from './client-registry.ts';
import type { ConfigProblem } from './config-error.ts';
import { readServerConfig, resolveConfigSources, type LoadConfigOptions } from './load-config.ts';
import { displayPath } from './problem-path.ts';
import { diffRegistries, type RegistryDiff } from './registry-diff.ts';
import type { ClientRegistry } from './types.ts';

/** One clients file read and validated: its registry, or its problems. */
export interface CheckedFile {
  /** As shown to the operator (relative to cwd). */
  displayName: string;
  registry: ClientRegistry | undefined;
  problems: ConfigProblem[];
}

export interface ClientsFileCheck {
  candidate: CheckedFile;
  /** The configured clients.yaml, when the candidate is another file. */
  current: CheckedFile | undefined;
  /** What would change from the current registry to the candidate, when both are valid. */
  diff: RegistryDiff | undefined;
  /** latchkey.yaml does not load, so the defaults stood in for the settings clients.yaml depends on. */
  serverProblems: ConfigProblem[];
}

/**
 * Validates a clients file offline, with the settings of latchkey.yaml it depends on, and compares it with the
 * configured clients.yaml. `candidate` undefined checks the configured file itself.
 */
export function checkClientsFile(candidate: string | undefined, options: LoadConfigOptions = {}): ClientsFileCheck {
  const { env, cwd, sources } = resolveConfigSources(options);
  const server = readServerConfig(sources.serverFile, env, cwd);
  const registryOptions = { cwd, accessTokenTtl: server.config?.ttl.accessToken, signingAlgorithms: server.config?.signing.algorithms };
  const read = (file: string): CheckedFile => ({ displayName: displayPath(file, cwd), ...readClientRegistry(file, env, registryOptions) });


  const candidateFile = candidate === undefined ? sources.clientsFile : path.resolve(cwd, candidate);
  const checked = read(candidateFile);
  const current = candidateFile === sources.clientsFile ? undefined : read(sources.clientsFile);
  const diff = checked.registry && current?.registry ? diffRegistries(current.registry, checked.registry) : undefined;
  return { candidate: checked, current, diff, serverProblems: server.config ? [] : server.problems };
}

/** Whether a file the operator named exists (a missing configured clients.yaml is an empty registry instead). */
export function clientsFileExists(file: string, options: LoadConfigOptions = {}): boolean {
  return existsSync(path.resolve(resolveConfigSources(options).cwd, file));
}
