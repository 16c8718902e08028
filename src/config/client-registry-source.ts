import { existsSync, watch, type FSWatcher } from 'node:fs';
import path from 'node:path';
import { loadClientRegistry } from './client-registry.ts';
import { ConfigError } from './config-error.ts';
import { displayPath } from './problem-path.ts';
import type { ClientRegistry, LatchkeyConfig } from './types.ts';

const DEBOUNCE_MS = 250;

/** clients.yaml as the running server re-reads it: validated alone, with the server's settings it depends on. */
export function createClientRegistrySource(config: LatchkeyConfig, env: NodeJS.ProcessEnv = process.env) {
  const file = config.sources.clientsFile;
  return {
    file,

    /**
     * Reads and validates the file; throws ConfigError listing every problem. Unlike at startup a missing file is an
     * error, not an empty registry: an editor or a deploy that replaces the file must not unregister every client.
     */
    load(): ClientRegistry {
      if (!existsSync(file)) {
        throw new ConfigError([{ file: displayPath(file, process.cwd()), path: '', message: 'the file is missing' }]);
      }
      return loadClientRegistry(file, env, { accessTokenTtl: config.ttl.accessToken, signingAlgorithms: config.signing.algorithms });
    },

    /**
     * Calls `onChange` (debounced) when the file may have changed. Watches the directory, not the file: editors and
     * deploy tools replace files by renaming, and Kubernetes swaps a `..data` symlink beside them.
     */
    watch(onChange: () => void, onError: (error: Error) => void): { close(): void } {
      const name = path.basename(file);
      let timer: NodeJS.Timeout | undefined;
      let watcher: FSWatcher;
      try {
        watcher = watch(path.dirname(file), { persistent: false }, (_event, changed) => {
          if (changed !== null && changed !== name && !changed.startsWith('..')) return;
          clearTimeout(timer);
          timer = setTimeout(onChange, DEBOUNCE_MS);
        });
      } catch (error) {
        onError(error as Error);
        return { close: () => undefined };
      }
      watcher.on('error', onError);
      return {
        close() {
          clearTimeout(timer);
          watcher.close();
        },
      };
    },
  };
}

export type ClientRegistrySource = ReturnType<typeof createClientRegistrySource>;
