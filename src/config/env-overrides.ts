// Environment variables that win over latchkey.yaml, validated by the same field schemas as the file.
import type { z } from 'zod';
import type { ConfigProblem } from './config-error.ts';
import { formatPath } from './problem-path.ts';
import {
  cookieSecretsField,
  dataDirField,
  databaseUrlField,
  hostField,
  issuerField,
  logLevelField,
  metricsTokenField,
  poolMaxField,
  portField,
  proxyField,
  workersField,
} from './server-schema.ts';
import { keyEncryptionKeyField, previousKeyEncryptionKeysField } from './signing-schema.ts';

function splitList(value: string): string[] {
  return value.split(',').map((item) => item.trim()).filter((item) => item !== '');
}

interface Override {
  variable: string;
  path: readonly [string] | readonly [string, string];
  schema: z.ZodType;
  read?: (value: string) => unknown;
}

const OVERRIDES: readonly Override[] = [
  { variable: 'PORT', path: ['port'], schema: portField },
  { variable: 'HOST', path: ['host'], schema: hostField },
  { variable: 'ISSUER', path: ['issuer'], schema: issuerField },
  { variable: 'LOG_LEVEL', path: ['log_level'], schema: logLevelField, read: (value) => value.toLowerCase() },
  { variable: 'DATABASE_URL', path: ['database', 'url'], schema: databaseUrlField },
  { variable: 'DATABASE_POOL_MAX', path: ['database', 'pool_max'], schema: poolMaxField },
  { variable: 'LATCHKEY_DATA_DIR', path: ['database', 'data_dir'], schema: dataDirField },
  { variable: 'METRICS_PORT', path: ['metrics', 'port'], schema: portField },
  { variable: 'METRICS_TOKEN', path: ['metrics', 'token'], schema: metricsTokenField },
  { variable: 'LATCHKEY_PROXY', path: ['proxy'], schema: proxyField },
  { variable: 'LATCHKEY_WORKERS', path: ['cluster', 'workers'], schema: workersField, read: (value) => value.toLowerCase() },
  {
    variable: 'LATCHKEY_COOKIE_SECRETS',
    path: ['cookies', 'secrets'],
    schema: cookieSecretsField,
    read: splitList,
  },
  { variable: 'LATCHKEY_KEY_ENCRYPTION_KEY', path: ['signing', 'key_encryption_key'], schema: keyEncryptionKeyField },
  {
    variable: 'LATCHKEY_PREVIOUS_KEY_ENCRYPTION_KEYS',
    path: ['signing', 'previous_key_encryption_keys'],
    schema: previousKeyEncryptionKeysField,
    read: splitList,
  },
];

/** The names of the environment variables that override latchkey.yaml. */
export const OVERRIDE_VARIABLES: readonly string[] = OVERRIDES.map((override) => override.variable);

/**
 * Returns the latchkey.yaml document with set environment variables written over it (an empty variable counts as unset).
 * Bad values are reported against `environment`, not the file.
 */
export function applyEnvOverrides(document: unknown, env: NodeJS.ProcessEnv): { document: unknown; problems: ConfigProblem[] } {
  const problems: ConfigProblem[] = [];
  const root = document === null || document === undefined ? {} : document;
  if (!isMapping(root)) return { document, problems };
  const result: Record<string, unknown> = { ...root };
  for (const { variable, path, schema, read } of OVERRIDES) {
    const text = env[variable];
    if (text === undefined || text === '') continue;
    const value = read === undefined ? text : read(text);
    const parsed = schema.safeParse(value);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        problems.push({ file: 'environment', path: formatPath([variable, ...issue.path], undefined), message: issue.message });
      }
      continue;
    }
    setPath(result, path, value);
  }
  return { document: result, problems };
}

function setPath(target: Record<string, unknown>, path: Override['path'], value: unknown): void {
  const [first, second] = path;
  if (second === undefined) {
    target[first] = value;
    return;
  }
  const current = target[first];
  // A section of the wrong type is left alone: the schema reports it.
  if (current === undefined || current === null) target[first] = { [second]: value };
  else if (isMapping(current)) target[first] = { ...current, [second]: value };
}

function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
