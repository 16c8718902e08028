import { ConfigError, formatProblem } from '../config/config-error.ts';
import { diffRegistries, isEmptyDiff } from '../config/registry-diff.ts';
import type { ClientRegistry } from '../config/types.ts';
import type { Logger } from '../logger.ts';
import type { LatchkeyMetrics } from '../metrics/metrics.ts';
import type { ProviderRuntime } from './provider-runtime.ts';

export type ReloadOutcome = 'reloaded' | 'unchanged' | 'refused';

/**
 * Reloads the client registry into the running provider: a valid file that differs is swapped in (new clients work,
 * removed ones stop, in-flight requests finish on the old provider); an invalid one is refused with one log line
 * naming its problems, and the registry in use stays. Reloads run one at a time.
 */
export function createRegistryReloader(deps: {
  load: () => ClientRegistry;
  runtime: ProviderRuntime;
  logger: Logger;
  metrics: Pick<LatchkeyMetrics, 'clientRegistryReloads'>;
}) {
  let queue: Promise<unknown> = Promise.resolve();

  function reloadNow(trigger: string): ReloadOutcome {
    let next: ClientRegistry;
    try {
      next = deps.load();
    } catch (error) {
      const problems = error instanceof ConfigError ? error.problems.map(formatProblem) : [String(error)];
      deps.logger.error(`clients.yaml was not reloaded: ${problems[0] ?? 'invalid'}; the previous clients stay in force`, {
        trigger,
        problems,
      });
      return 'refused';
    }
    const diff = diffRegistries(deps.runtime.inputs.registry, next);
    if (isEmptyDiff(diff)) {
      deps.logger.debug('clients.yaml is unchanged', { trigger });
      return 'unchanged';
    }
    try {
      deps.runtime.rebuildProvider({ registry: next });
    } catch (error) {
      deps.logger.error('clients.yaml was not reloaded: the provider could not be rebuilt; the previous clients stay in force', {
        trigger,
        err: error,
      });
      return 'refused';
    }
    deps.logger.info('clients.yaml reloaded', {
      trigger,
      clients: next.clients.length,
      resources: next.resources.length,
      clients_added: diff.clients.added,
      clients_removed: diff.clients.removed,
      clients_changed: diff.clients.changed.map((change) => change.id),
      resources_added: diff.resources.added,
      resources_removed: diff.resources.removed,
      resources_changed: diff.resources.changed.map((change) => change.id),
    });
    return 'reloaded';
  }

  return {
    /** Reloads now (after any reload already running); `trigger` says why, for the log. */
    reload(trigger: string): Promise<ReloadOutcome> {
      const result = queue.then(() => {
        const outcome = reloadNow(trigger);
        deps.metrics.clientRegistryReloads.inc({ outcome });
        return outcome;
      });
      queue = result.catch(() => undefined);
      return result;
    },
  };
}

export type RegistryReloader = ReturnType<typeof createRegistryReloader>;
