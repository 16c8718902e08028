import type { z } from 'zod';
import { checkClient, type ClientContext } from './client-rules.ts';
import { ConfigError, type ConfigProblem } from './config-error.ts';
import { clientSchema, clientsEnvelopeSchema, resourceSchema, type ParsedClient, type ParsedResource } from './clients-schema.ts';
import { deepFreeze } from './deep-freeze.ts';
import { interpolateEnv } from './env-interpolation.ts';
import { parseLeniently } from './lenient-parse.ts';
import { displayPath, toProblems, withoutShadowed, type Issue } from './problem-path.ts';
import { buildClientContext, checkResourcesTogether, checkUniqueClientIds, fieldAt, type Parsed } from './registry-rules.ts';
import type { ClientMetadata, ClientRegistry, ResourceServer, SigningAlgorithm } from './types.ts';
import { readYamlFile } from './yaml-file.ts';
import { fromZodIssues } from './zod-issues.ts';

/** What clients.yaml needs from latchkey.yaml; all optional so the registry can be re-validated alone. */
export interface ClientRegistryOptions {
  /** Messages name the file relative to it; default process.cwd(). */
  cwd?: string;
  /** Default access_token_ttl of resources, in seconds; default 600 (ttl.access_token's default). */
  accessTokenTtl?: number;
  /** When given, id_token_signed_response_alg must be one of them. */
  signingAlgorithms?: readonly SigningAlgorithm[];
}

/** Reads and validates clients.yaml alone (a missing file is an empty registry); throws ConfigError listing every problem. */
export function loadClientRegistry(file: string, env: NodeJS.ProcessEnv = process.env, options: ClientRegistryOptions = {}): ClientRegistry {
  const { registry, problems } = readClientRegistry(file, env, options);
  if (registry === undefined) throw new ConfigError(problems);
  return deepFreeze(registry);
}

/** Like loadClientRegistry, but returns the problems instead of throwing (so loadConfig can report both files at once). */
export function readClientRegistry(
  file: string,
  env: NodeJS.ProcessEnv,
  options: ClientRegistryOptions,
): { registry: ClientRegistry | undefined; problems: ConfigProblem[] } {
  const displayName = displayPath(file, options.cwd ?? process.cwd());
  const read = readYamlFile(file, displayName);
  if (read.status === 'missing') return { registry: { clients: [], resources: [] }, problems: [] };
  if (read.status === 'invalid') return { registry: undefined, problems: read.problems };
  return checkClientRegistry(read.document, displayName, env, options);
}

/** Validates a parsed clients.yaml document. */
export function checkClientRegistry(
  document: unknown,
  displayName: string,
  env: NodeJS.ProcessEnv,
  options: ClientRegistryOptions,
): { registry: ClientRegistry | undefined; problems: ConfigProblem[] } {
  const interpolated = interpolateEnv(document ?? {}, env);
  const envelope = clientsEnvelopeSchema.safeParse(interpolated.value);
  const rawClients = listAt(interpolated.value, 'clients');
  const rawResources = listAt(interpolated.value, 'resources');
  const issues: Issue[] = envelope.success ? [] : fromZodIssues(envelope.error.issues);

  const resources = parseEach(rawResources, 'resources', resourceSchema, issues);
  issues.push(...checkResourcesTogether(rawResources));
  const context = buildClientContext(rawResources, options.signingAlgorithms);
  const clients = parseClients(rawClients, context, issues);
  issues.push(...checkUniqueClientIds(rawClients));

  const problems = toProblems(displayName, [...interpolated.issues, ...withoutShadowed(issues, interpolated.issues)], interpolated.value);
  if (problems.length > 0) return { registry: undefined, problems };
  const accessTokenTtl = options.accessTokenTtl ?? 600;
  return {
    registry: {
      clients: clients.map(({ value }) => toClientMetadata(value)),
      resources: resources.map(({ value }) => toResourceServer(value, accessTokenTtl)),
    },
    problems,
  };
}

/** Parses each list item on its own, so one bad entry hides no problem of another. */
function parseEach<T>(items: readonly unknown[], list: string, schema: z.ZodType<T>, issues: Issue[]): Parsed<T>[] {
  const parsed: Parsed<T>[] = [];
  items.forEach((item, index) => {
    const result = schema.safeParse(item);
    if (result.success) parsed.push({ index, value: result.data });
    else issues.push(...fromZodIssues(result.error.issues, [list, index]));
  });
  return parsed;
}

/** Parses each client, and runs the cross-field rules even on a client with some invalid fields. */
function parseClients(items: readonly unknown[], context: ClientContext, issues: Issue[]): Parsed<ParsedClient>[] {
  const parsed: Parsed<ParsedClient>[] = [];
  items.forEach((item, index) => {
    const { value, invalidFields, issues: shapeIssues } = parseLeniently(clientSchema, item, { client_id: 'invalid' });
    issues.push(...fromZodIssues(shapeIssues, ['clients', index]));
    if (value === undefined) return;
    issues.push(...checkClient(value, context, invalidFields).map((issue) => ({ ...issue, path: ['clients', index, ...issue.path] })));
    if (shapeIssues.length === 0) parsed.push({ index, value });
  });
  return parsed;
}

function toClientMetadata(client: ParsedClient): ClientMetadata {
  const response_types = client.response_types ?? (client.grant_types.includes('authorization_code') ? ['code' as const] : []);
  return withoutUndefined({ ...client, response_types });
}

function toResourceServer(resource: ParsedResource, accessTokenTtl: number): ResourceServer {
  return withoutUndefined({ ...resource, access_token_ttl: resource.access_token_ttl ?? accessTokenTtl });
}

/** Keeps only the keys that are set, so what reaches oidc-provider is exactly what the file says. */
function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, item]) => item !== undefined)) as T; // same keys minus absent ones
}

function listAt(node: unknown, key: string): readonly unknown[] {
  const list = fieldAt(node, key);
  return Array.isArray(list) ? list : [];
}
