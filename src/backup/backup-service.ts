import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import { sleep } from '../core/sleep.js';
import type { Database } from '../db/open-db.js';
import { type BackupRun, takeBackup } from './take-backup.js';

export interface BackupServiceDeps {
  /**
   * Opens the database the snapshots read from, at start; closed at stop. A connection of the
   * backup's own: on SQLite a snapshot holds its connection for as long as it streams, and the
   * sensor and dashboard of the same process must not wait for it.
   */
  readonly openReader: () => Database;
  readonly dir: string;
  readonly intervalS: number;
  readonly keep: number;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly pageSize?: number;
}

/** How long `stop()` waits for a snapshot in flight to notice the abort. */
const STOP_GRACE_MS = 4_000;

/**
 * The backup service: a backup at start, then one every `intervalS` seconds (counted from the
 * start of the previous one; a slow one delays the next, they never overlap). A failed backup is
 * logged and the next interval tries again: nothing stops the loop but `stop()`.
 */
export function createBackupService(deps: BackupServiceDeps) {
  const { clock, logger } = deps;
  const intervalMs = deps.intervalS * 1000;
  let abort = new AbortController();
  let loop: Promise<void> | undefined;
  let reader: Database | undefined;

  async function backupOnce(db: Database, signal: AbortSignal): Promise<BackupRun | undefined> {
    try {
      const run = await takeBackup({ ...deps, db, signal });
      const { manifest, dataPath, durationMs } = run.snapshot;
      logger.info(
        {
          file: dataPath,
          rows: manifest.rowCount,
          bytes: manifest.bytes,
          ms: durationMs,
          deleted: run.deleted,
        },
        'backup written',
      );
      if (run.retentionError) {
        logger.error({ err: run.retentionError }, `backup retention failed: ${run.retentionError.message}`);
      }
      return run;
    } catch (error) {
      if (signal.aborted) logger.info('backup cancelled: shutting down');
      else
        logger.error(
          { err: error },
          `backup failed: ${(error as Error).message}; next attempt in ${deps.intervalS} s`,
        );
      return undefined;
    }
  }

  return {
    name: 'backup',
    start(): void {
      if (loop) return;
      reader = deps.openReader();
      const db = reader;
      abort = new AbortController();
      const { signal } = abort;
      logger.info({ dir: deps.dir, intervalS: deps.intervalS, keep: deps.keep }, 'backup started');
      loop = (async () => {
        while (!signal.aborted) {
          const began = clock.now();
          await backupOnce(db, signal);
          await sleep(Math.max(0, intervalMs - (clock.now() - began)), signal);
        }
      })();
    },
    /** Stops the loop; a snapshot in flight is abandoned (its temporary file deleted). */
    async stop(): Promise<void> {
      abort.abort(new Error('the backup service is stopping'));
      if (loop) {
        let grace: NodeJS.Timeout | undefined;
        await Promise.race([loop, new Promise((resolve) => (grace = setTimeout(resolve, STOP_GRACE_MS)))]);
        clearTimeout(grace);
      }
      loop = undefined;
      await reader?.close();
      reader = undefined;
      logger.info('backup stopped');
    },
  };
}
