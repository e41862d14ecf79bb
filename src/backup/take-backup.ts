import { applyRetention } from './retention.js';
import { type Snapshot, type SnapshotDeps, writeSnapshot } from './write-snapshot.js';

/** One backup: a snapshot, then retention among its database's snapshots in its folder. */
export interface BackupRun {
  readonly snapshot: Snapshot;
  /** Older snapshots deleted to keep `keep`. */
  readonly deleted: readonly string[];
  /** Retention failed (the snapshot itself is complete and kept). */
  readonly retentionError?: Error;
}

/**
 * Takes a snapshot and, only once it is complete, deletes the snapshots of the same database
 * beyond the newest `keep` (a folder may hold other databases' snapshots: they are left alone).
 * Rejects (with a `SnapshotError`, or the abort reason) when no snapshot was made; older
 * snapshots are then untouched.
 */
export async function takeBackup(deps: SnapshotDeps & { readonly keep: number }): Promise<BackupRun> {
  const snapshot = await writeSnapshot(deps);
  try {
    const { databaseId } = snapshot.manifest.origin;
    return { snapshot, deleted: await applyRetention(deps.dir, deps.keep, deps.clock.now(), databaseId) };
  } catch (error) {
    return { snapshot, deleted: [], retentionError: error as Error };
  }
}
