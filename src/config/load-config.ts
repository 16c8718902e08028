import path from 'node:path';
import { readClientRegistry } from './client-registry.ts';
import { ConfigError, type ConfigProblem } from './config-error.ts';
import { deepFreeze } from './deep-freeze.ts';
import { displayPath } from './problem-path.ts';
import { checkServerConfig, type ServerConfig } from './server-config.ts';
import type { LatchkeyConfig } from './types.ts';
import { readYamlFile } from './yaml-file.ts';

export const SERVER_FILE_NAME = 'latchkey.yaml';
export const CLIENTS_FILE_NAME = 'clients.yaml';

export interface LoadConfigOptions {
  /** Default: env LATCHKEY_CONFIG_DIR, else `<cwd>/config`. Relative paths resolve against cwd. */
  configDir?: string;
  /** Default: process.env. */
  env?: NodeJS.ProcessEnv;
  /** Default: process.cwd(). Relative paths (config dir, data_dir) resolve against it; messages name files relative to it. */
  cwd?: string;
}

/**
 * Reads latchkey.yaml and clients.yaml (either may be missing), applies environment overrides and returns the frozen config.
 * Throws ConfigError listing every problem in both files and the environment.
 */
export function loadConfig(options: LoadConfigOptions = {}): LatchkeyConfig {
  const { env, cwd, sources } = resolveConfigSources(options);
  const server = readServerConfig(sources.serverFile, env, cwd);
  // Without a valid latchkey.yaml the registry is still checked, with the defaults standing in for the server values.
  const clients = readClientRegistry(sources.clientsFile, env, {
    cwd,
    accessTokenTtl: server.config?.ttl.accessToken,
    signingAlgorithms: server.config?.signing.algorithms,
  });
  const problems = [...server.problems, ...clients.problems];
  if (server.config === undefined || clients.registry === undefined || problems.length > 0) throw new ConfigError(problems);
  return deepFreeze({ ...server.config, ...clients.registry, sources });
}

/** Where the config files are, with the defaults of LoadConfigOptions applied. */
export function resolveConfigSources(options: LoadConfigOptions = {}): { env: NodeJS.ProcessEnv; cwd: string; sources: LatchkeyConfig['sources'] } {
  const env = options.env ?? process.env;
  const cwd = path.resolve(options.cwd ?? process.cwd());
  const configDir = path.resolve(cwd, options.configDir ?? (env['LATCHKEY_CONFIG_DIR'] || 'config'));
  return {
    env,
    cwd,
    sources: { configDir, serverFile: path.join(configDir, SERVER_FILE_NAME), clientsFile: path.join(configDir, CLIENTS_FILE_NAME) },
  };
}

/** Reads and validates latchkey.yaml alone (a missing file means every default). */
export function readServerConfig(file: string, env: NodeJS.ProcessEnv, cwd: string): { config: ServerConfig | undefined; problems: ConfigProblem[] } {
  const displayName = displayPath(file, cwd);
  const read = readYamlFile(file, displayName);
  if (read.status === 'invalid') return { config: undefined, problems: read.problems };
  const document = read.status === 'missing' ? {} : read.document;
  return checkServerConfig(document, { displayName, cwd, env });
}
