import { stat } from 'node:fs/promises';
import type { Clock } from '../core/clock.js';
import { createBackupRepository, type PreparedBatch, type RestoreConflict } from '../db/backup-repository.js';
import { migrateToLatest } from '../db/migrations/migrate-to-latest.js';
import type { Database } from '../db/open-db.js';
import type { ReadingSource } from '../weather/observation.js';
import type { SourceRun } from './manifest.js';
import { readBackup } from './read-backup.js';
import { type Verification, verifyBackup } from './verify-backup.js';

export interface RestoreOptions {
  /** Verify and compare with the database, but write nothing (not even the schema). */
  readonly dryRun: boolean;
  /** Replace stored rows whose id matches but whose content differs. */
  readonly overwrite: boolean;
  /** Rows per transaction (default 12,000). */
  readonly batchSize?: number;
  readonly onProgress?: (progress: RestoreProgress) => void;
  readonly signal?: AbortSignal;
}

/** Verifying counts bytes of the file; restoring counts rows. */
export interface RestoreProgress {
  readonly phase: 'verifying' | 'restoring';
  readonly done: number;
  readonly total: number;
}

export interface RestoreReport {
  readonly verification: Verification;
  /** The backup did not verify: nothing was written. */
  readonly refused: boolean;
  readonly dryRun: boolean;
  readonly rows: number;
  readonly inserted: number;
  readonly identical: number;
  readonly overwritten: number;
  /** Rows left alone because the database holds something else under their id or reading. */
  readonly conflicts: number;
  /** The first few conflicts, for the report. */
  readonly conflictSamples: readonly RestoreConflict[];
  /** False when the backup does not record sources: its rows were stored as `UNKNOWN_SOURCE`. */
  readonly sourcesKnown: boolean;
  /** Found while restoring, after a good verification (the file changed meanwhile). */
  readonly problems: readonly string[];
  readonly durationMs: number;
}

/**
 * The source stored for rows whose backup does not say (a plain paper-format file, without a
 * manifest): the paper's system read its readings from Open-Meteo.
 */
export const UNKNOWN_SOURCE: ReadingSource = 'open-meteo';

// Few transactions, each of few statements: every round trip to the database is a wait. Two
// batches in memory are a few MB.
const DEFAULT_BATCH_SIZE = 12_000;
const MAX_CONFLICT_SAMPLES = 20;

/**
 * Restores a backup into `db`: verifies the whole file first (a bad one is refused and nothing is
 * written), applies the migrations, then puts every row back under its id in batches, one
 * transaction each, so a restore that stops halfway can simply be run again. The source of each
 * row comes from the manifest; the repository derives what else the paper's format does not hold.
 */
export async function restoreBackup(
  db: Database,
  path: string,
  options: RestoreOptions,
  clock: Clock,
): Promise<RestoreReport> {
  const started = clock.now();
  const { onProgress, signal, dryRun } = options;
  const size = await stat(path).then(
    (info) => info.size,
    () => 0,
  );
  const verification = await verifyBackup(path, {
    signal,
    onBytes: (done) => onProgress?.({ phase: 'verifying', done, total: size }),
  });
  const report = {
    verification,
    refused: verification.problems.length > 0,
    dryRun,
    rows: 0,
    inserted: 0,
    identical: 0,
    overwritten: 0,
    conflicts: 0,
    conflictSamples: [] as RestoreConflict[],
    sourcesKnown: (verification.manifest?.sources ?? null) !== null,
    problems: [] as string[],
    durationMs: 0,
  };
  if (report.refused || verification.summary === undefined) {
    return { ...report, durationMs: clock.now() - started };
  }

  const repository = createBackupRepository(db);
  // A dry run must not create the schema; without it every row would be new.
  let tablePresent = true;
  if (dryRun) tablePresent = await repository.hasReadingsTable();
  else await migrateToLatest(db);
  const total = verification.summary.rowCount;
  const sourceOf = sourceLookup(verification.manifest?.sources ?? null);
  const builder = repository.batchBuilder();
  // Batches whose last row has been read, waiting to be stored, oldest first.
  const ready: PreparedBatch[] = [];
  // One batch is stored while the next is read and its statements written: the file, this
  // process and the database work side by side, and memory holds two batches at most.
  let storing: Promise<void> = Promise.resolve();

  const store = async (batch: PreparedBatch) => {
    const outcome = tablePresent
      ? await repository.restoreBatch(batch, {
          overwrite: options.overwrite,
          dryRun,
          sourceKnown: report.sourcesKnown,
        })
      : { inserted: batch.size, identical: 0, overwritten: 0, conflicts: [] };
    report.rows += batch.size;
    report.inserted += outcome.inserted;
    report.identical += outcome.identical;
    report.overwritten += outcome.overwritten;
    report.conflicts += outcome.conflicts.length;
    const room = MAX_CONFLICT_SAMPLES - report.conflictSamples.length;
    if (room > 0) report.conflictSamples.push(...outcome.conflicts.slice(0, room));
    onProgress?.({ phase: 'restoring', done: report.rows, total });
  };
  const storeReady = async () => {
    for (let batch = ready.shift(); batch !== undefined; batch = ready.shift()) {
      await storing;
      storing = store(batch);
      // Rejections surface at the next await of `storing`; until then they are not unhandled.
      storing.catch(() => {});
    }
  };

  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  // Refilled for every row: the builder keeps nothing of it.
  const reading = { id: 0, city: '', temperature: 0, humidity: 0, takenAt: '', source: UNKNOWN_SOURCE };
  let reread: Awaited<ReturnType<typeof readBackup>>;
  try {
    reread = await readBackup(verification.dataPath, {
      signal,
      onRow: (row) => {
        reading.id = row.id;
        reading.city = row.ciudad;
        reading.temperature = row.temperatura;
        reading.humidity = row.humedad;
        reading.takenAt = row.fecha_registro;
        reading.source = sourceOf(row.id);
        builder.add(reading);
        if (builder.size >= batchSize) ready.push(builder.take());
      },
      afterRows: storeReady,
    });
    if (builder.size > 0) ready.push(builder.take());
    await storeReady();
  } finally {
    // A failed read never leaves a batch being stored behind it.
    await storing.catch(() => {});
  }
  await storing;
  if (reread.sha256 !== verification.summary.sha256 || reread.problem !== undefined) {
    report.problems.push(
      'the file changed while it was being restored: check it, then restore again (rows already restored are skipped)',
    );
  }
  return { ...report, durationMs: clock.now() - started };
}

/** The source of each id, for ids asked in ascending order (as a backup holds them). */
function sourceLookup(runs: readonly SourceRun[] | null): (id: number) => ReadingSource {
  let index = 0;
  return (id) => {
    if (runs === null || runs.length === 0) return UNKNOWN_SOURCE;
    while (index + 1 < runs.length && (runs[index + 1]?.fromId ?? Number.POSITIVE_INFINITY) <= id) index++;
    return runs[index]?.source ?? UNKNOWN_SOURCE;
  };
}
