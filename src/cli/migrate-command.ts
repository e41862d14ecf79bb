import type { MaybeTty } from '../backup/progress-bar.js';
import { createProgressBar } from '../backup/progress-bar.js';
import type { Logger } from '../core/logger.js';
import { migrateToLatest } from '../db/migrations/migrate-to-latest.js';
import type { Database } from '../db/open-db.js';
import { backfillRollups } from '../db/rollup-backfill.js';

/** Readings per transaction when `clima migrate` fills the rollups: about a second's work. */
const BACKFILL_BATCH_ROWS = 20_000;

/**
 * `clima migrate`: applies the pending migrations, then adds the readings stored before the
 * rollups existed to them, with a progress bar on a terminal. Killed, it resumes where it stopped.
 */
export async function migrateCommand(db: Database, stderr: MaybeTty, logger: Logger): Promise<number> {
  const applied = await migrateToLatest(db);
  logger.info({ applied }, applied.length ? 'migrations applied' : 'schema already up to date');
  const bar = createProgressBar(stderr);
  let rows: number;
  try {
    ({ rows } = await backfillRollups(db, {
      batchRows: BACKFILL_BATCH_ROWS,
      onProgress: ({ done, total }) => bar.update('filling rollups', done, total, 'rows'),
    }));
  } finally {
    // Whatever comes next (the summary, an error) starts on a clean line.
    bar.clear();
  }
  if (rows > 0) logger.info({ rows }, 'rollups filled from the readings stored before them');
  return 0;
}
