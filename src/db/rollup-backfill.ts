import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Kysely } from 'kysely';
import { dialectSql } from './dialect.js';
import type { Database } from './open-db.js';
import { recomputeRollups } from './rollups.js';
import type { Schema } from './schema.js';

/** How far a backfill run has come. */
export interface BackfillProgress {
  /** Readings added to the rollups by this run. */
  readonly done: number;
  /** Readings this run had to add when it started. */
  readonly total: number;
}

/** How to run a backfill. */
export interface BackfillOptions {
  /** Readings per transaction (and per progress report). */
  readonly batchRows: number;
  /** Aborting stops the run after the current batch; what it did is kept. */
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: BackfillProgress) => void;
}

/** What a backfill run did. */
export interface BackfillOutcome {
  readonly rows: number;
  /** Every reading is in the rollups: they answer charts from now on. */
  readonly complete: boolean;
}

/** Whether the rollups hold every stored reading (readings stored before them included). */
export async function rollupsComplete(executor: Kysely<Schema>): Promise<boolean> {
  const row = await executor
    .selectFrom('rollup_backfill')
    .select('done')
    .where('id', '=', 1)
    .executeTakeFirst();
  return row !== undefined && Number(row.done) === 1;
}

/**
 * Adds the readings stored before the rollups existed to them: walks `mediciones` by id, a batch
 * at a time, recomputing the buckets each batch touches and recording the last id done in the
 * same transaction, so a run killed at any point resumes where it stopped. Readings stored
 * meanwhile keep their buckets up to date themselves; recomputing those again is harmless.
 */
export async function backfillRollups(db: Database, options: BackfillOptions): Promise<BackfillOutcome> {
  const { kysely } = db;
  const dialect = dialectSql(db.dialect);
  const state = await kysely.selectFrom('rollup_backfill').selectAll().where('id', '=', 1).executeTakeFirst();
  if (state === undefined) throw new Error('rollup_backfill has no row: the database is not migrated');
  if (Number(state.done) === 1) return { rows: 0, complete: true };
  let lastId = Number(state.last_id);
  const remaining = await kysely
    .selectFrom('mediciones')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('id', '>', lastId)
    .executeTakeFirstOrThrow();
  const total = Number(remaining.n);
  let rows = 0;
  options.onProgress?.({ done: 0, total });
  for (;;) {
    if (options.signal?.aborted) return { rows, complete: false };
    const page = await kysely
      .selectFrom('mediciones')
      .select(['id', 'ciudad', 'fecha_registro'])
      .where('id', '>', lastId)
      .orderBy('id')
      .limit(options.batchRows)
      .execute();
    const pageLast = page.at(-1);
    if (pageLast === undefined) break;
    lastId = Number(pageLast.id);
    await kysely.transaction().execute(async (trx) => {
      await recomputeRollups(trx, dialect, page, { removed: false });
      await trx.updateTable('rollup_backfill').set({ last_id: lastId }).where('id', '=', 1).execute();
    });
    rows += page.length;
    options.onProgress?.({ done: rows, total: Math.max(total, rows) });
    // SQLite answers synchronously: let the process serve its other work between batches.
    await nextTurn();
  }
  await kysely.updateTable('rollup_backfill').set({ done: 1 }).where('id', '=', 1).execute();
  return { rows, complete: true };
}
