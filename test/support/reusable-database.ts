// One database that several test servers start on in turn (restarts), removed only when the test says so.
import type { DatabaseTarget, ProvisionedDatabase } from './database-targets.ts';

/** A target that provisions one database on first use and hands the same one out after; dispose() removes it. */
export function reusableDatabase(target: DatabaseTarget): DatabaseTarget & { database(): Promise<ProvisionedDatabase>; dispose(): Promise<void> } {
  let provisioned: Promise<ProvisionedDatabase> | undefined;
  const database = () => (provisioned ??= target.provision());
  return {
    name: target.name,
    database,
    async provision() {
      const { settings } = await database();
      return { settings, dispose: async () => undefined };
    },
    async dispose() {
      if (provisioned) await (await provisioned).dispose();
    },
  };
}
