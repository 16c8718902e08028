// The configuration layer: the only code that reads process.env or config files.
export { loadConfig, type LoadConfigOptions } from './load-config.ts';
export { loadClientRegistry, type ClientRegistryOptions } from './client-registry.ts';
export { ConfigError, formatProblem, type ConfigProblem } from './config-error.ts';
export { parseDuration } from './duration.ts';
export type {
  ClientMetadata,
  ClientRegistry,
  GrantType,
  LatchkeyConfig,
  LogLevel,
  ResourceServer,
  SigningAlgorithm,
  TokenEndpointAuthMethod,
} from './types.ts';
