// The keys inside a running server: a short periodic check (one cheap query) notices changes made by other instances or
// the CLI, performs due rotation steps when this instance gets the lock, and hands a new key set to whoever rebuilds
// the provider. Nothing here runs on the request path.
import type { Logger } from '../logger.ts';
import { describeError } from '../logger.ts';
import { findDueSteps } from './key-steps.ts';
import { performDueSteps, type CreatedKey, type KeyOperationDeps, type PerformedStep } from './key-operations.ts';
import type { KeyEvent } from './key-events.ts';
import { sealStoredKeys } from './seal-stored-keys.ts';
import { buildKeySet, type KeySet } from './key-set.ts';
import { listStoredKeys, openStoredKey, type OpenedKey } from './stored-keys.ts';

/** How often each instance checks the database for key changes; MIN_PUBLISH_LEAD_SECONDS leaves room for two checks. */
export const KEY_CHECK_INTERVAL_MS = 2_000;

export interface KeyManagerDeps extends KeyOperationDeps {
  logger: Logger;
  /** `cookies.secrets` from the configuration, which replace the stored cookie keys. */
  configuredCookieSecrets: readonly string[] | undefined;
  /** Told of every key change this instance makes (the audit trail); a failure is logged, not retried. */
  recordKeyEvents?: (events: readonly KeyEvent[]) => Promise<void>;
  checkIntervalMs?: number;
}

/** Loads the keys at start and keeps them current; `start` begins the periodic check. */
export async function createKeyManager(deps: KeyManagerDeps) {
  const { logger, queries, policies } = deps;
  let loaded = { version: '', keys: [] as OpenedKey[] };
  let failure: string | undefined;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let listener: (keys: KeySet) => void = () => undefined;

  const load = async (version: string) => {
    const keys = (await listStoredKeys(queries)).flatMap((key) => openStoredKey(key, deps.keks.all) ?? []);
    loaded = { version, keys };
  };
  const keySetAt = (at: Date) => buildKeySet(loaded.keys, policies, at, deps.configuredCookieSecrets);
  const reportPerformed = async (performed: readonly PerformedStep[]) => {
    for (const { step, created } of performed) logger.info('performed key step', { ...step, created: created.map(describeCreated) });
    const events = performed.flatMap((step) => step.events);
    if (events.length > 0) await deps.recordKeyEvents?.(events).catch((error: unknown) => logger.error('key change not recorded', describeError(error)));
  };

  const sealed = await sealStoredKeys(queries, deps.keks);
  if (sealed.encrypted.length > 0) {
    logger.warn('encrypted keys that an earlier version stored in plain text; database backups may still hold them, so rotate them: latchkey keys rotate', { kids: sealed.encrypted });
  }
  if (sealed.reencrypted.length > 0) logger.info('re-encrypted keys with the current key-encryption key', { kids: sealed.reencrypted });
  await reportPerformed((await performDueSteps(deps, 'wait')) ?? []);
  await load(await queries.keySetVersion.readKeySetVersion());
  let current = keySetAt(new Date());

  async function check(): Promise<void> {
    const version = await queries.keySetVersion.readKeySetVersion();
    if (version !== loaded.version) await load(version);
    if (findDueSteps(loaded.keys, policies, new Date()).length > 0) {
      const performed = await performDueSteps(deps, 'try');
      if (performed && performed.length > 0) {
        await reportPerformed(performed);
        await load(await queries.keySetVersion.readKeySetVersion());
      }
    }
    const next = keySetAt(new Date());
    if (next.fingerprint === current.fingerprint) return;
    listener(next);
    current = next;
    logger.info('signing keys changed', { signers: next.signers, trusted: next.fingerprint });
  }

  function tick(): void {
    if (running) return;
    running = check()
      .then(() => {
        if (failure) logger.info('key check works again');
        failure = undefined;
      })
      .catch((error: unknown) => {
        const message = error instanceof Error ? error.message : String(error);
        if (message !== failure) logger.error('key check failed; serving with the keys loaded before', describeError(error));
        failure = message;
      })
      .finally(() => {
        running = undefined;
      });
  }

  return {
    /** The key set to build the provider with now. */
    get current(): KeySet {
      return current;
    },
    /** Starts the periodic check; `onChange` gets each new key set and may throw to have it offered again. */
    start(onChange: (keys: KeySet) => void): void {
      listener = onChange;
      timer = setInterval(tick, deps.checkIntervalMs ?? KEY_CHECK_INTERVAL_MS);
      timer.unref();
    },
    async stop(): Promise<void> {
      clearInterval(timer);
      await running;
    },
    /** For /readyz: 'ok', or why this instance should not get traffic. */
    health(): string {
      if (failure) return `key check failing: ${failure}`;
      const missing = policies.groups.filter((group) => current.signers[group] === undefined && !(group === 'cookie' && deps.configuredCookieSecrets));
      return missing.length > 0 ? `no signing key for ${missing.join(', ')}` : 'ok';
    },
  };
}

export type KeyManager = Awaited<ReturnType<typeof createKeyManager>>;

function describeCreated(key: CreatedKey): Record<string, string> {
  return { kid: key.kid, group: key.group, publishedAt: key.publishedAt.toISOString(), activeFrom: key.activeFrom.toISOString() };
}
