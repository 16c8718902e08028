// The life-cycle columns that signing_keys and cookie_keys share, in the application's names.

/** When a key was made, published, signing, retired (no longer signing), removed (no longer trusted) and revoked. */
export interface KeyLifeCycleTimes {
  createdAt: Date;
  publishedAt: Date;
  activeFrom: Date;
  /** From then on it no longer signs (its successor does); planned when the successor is made. */
  retiredFrom: Date | null;
  /** From then on it is no longer published or trusted. */
  removedAt: Date | null;
  revokedAt: Date | null;
}

/** The times a rotation or revocation may change. */
export type KeyLifeCycleChanges = Partial<Pick<KeyLifeCycleTimes, 'activeFrom' | 'retiredFrom' | 'removedAt' | 'revokedAt'>>;

export interface LifeCycleRow {
  created_at: Date;
  published_at: Date;
  active_from: Date;
  retired_from: Date | null;
  removed_at: Date | null;
  revoked_at: Date | null;
}

export const LIFE_CYCLE_COLUMNS = ['created_at', 'published_at', 'active_from', 'retired_from', 'removed_at', 'revoked_at'] as const;

/** A row's life-cycle columns in the application's names. */
export function toLifeCycleTimes(row: LifeCycleRow): KeyLifeCycleTimes {
  return {
    createdAt: row.created_at,
    publishedAt: row.published_at,
    activeFrom: row.active_from,
    retiredFrom: row.retired_from,
    removedAt: row.removed_at,
    revokedAt: row.revoked_at,
  };
}

/** Column values for the changes given; a time left out stays as it is, null clears it. */
export function toLifeCycleColumns(changes: KeyLifeCycleChanges): Partial<LifeCycleRow> {
  const columns: Partial<LifeCycleRow> = {};
  if (changes.activeFrom !== undefined) columns.active_from = changes.activeFrom;
  if (changes.retiredFrom !== undefined) columns.retired_from = changes.retiredFrom;
  if (changes.removedAt !== undefined) columns.removed_at = changes.removedAt;
  if (changes.revokedAt !== undefined) columns.revoked_at = changes.revokedAt;
  return columns;
}
