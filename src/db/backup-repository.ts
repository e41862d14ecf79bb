import { type Kysely, type RawBuilder, sql } from 'kysely';
import type { ReadingSource } from '../weather/observation.js';
import { type DialectSql, dialectSql, type RowValues } from './dialect.js';
import type { Database } from './open-db.js';
import { PreparedBatch, RESTORED_COLUMNS, RestoreBatchBuilder, type RestoredRow } from './restore-batch.js';
import { type ReadingPlace, recomputeRollups } from './rollups.js';
import type { Schema } from './schema.js';

export { PreparedBatch, RestoreBatchBuilder } from './restore-batch.js';

/** One reading as a backup holds it: the paper's five columns, and the source. */
export interface SnapshotReading {
  readonly id: number;
  readonly city: string;
  readonly temperature: number;
  readonly humidity: number;
  /** `fecha_registro` as stored: `'YYYY-MM-DD HH:MM:SS'` UTC, which is already the paper's format. */
  readonly takenAt: string;
  readonly source: ReadingSource;
}

/** How to walk a snapshot. */
export interface SnapshotOptions {
  /** Rows handed over at a time; the database is read no further until a page is taken. */
  readonly pageSize: number;
  /** Aborting ends the walk after the current page; `readSnapshot` then rejects with the reason. */
  readonly signal?: AbortSignal;
}

/** How `restoreBatch` treats rows whose id is already stored. */
export interface RestoreBatchOptions {
  /** Replace a stored row whose id matches but whose content differs (otherwise: a conflict). */
  readonly overwrite: boolean;
  /** Only classify the rows; write nothing. */
  readonly dryRun: boolean;
  /** False when `source` is a stand-in rather than what the backup says: it is then not compared. */
  readonly sourceKnown: boolean;
}

/** A backed-up row that was left alone, and why. */
export interface RestoreConflict {
  readonly id: number;
  /** E.g. `temperatura 16.4 in the backup, 17 in the database`. */
  readonly detail: string;
}

/** What one `restoreBatch` did (or, in a dry run, would do). */
export interface RestoreBatchOutcome {
  readonly inserted: number;
  /** Rows already stored with the same id and the same content: skipped. */
  readonly identical: number;
  readonly overwritten: number;
  readonly conflicts: RestoreConflict[];
}

/**
 * The queries of backups and restores: with the readings repository and the rollups (`rollups.ts`,
 * `rollup-backfill.ts`), the only SQL on `mediciones`.
 */
export interface BackupRepository {
  /**
   * Walks every reading in id order inside one read-only transaction, so the pages together are
   * one consistent snapshot: exactly the rows committed when the walk began. The rows are
   * streamed and the stream waits for each page, so memory stays flat whatever the size of the
   * table. Give the walk a database of its own on SQLite: the transaction holds that database's
   * only connection.
   */
  readSnapshot(
    options: SnapshotOptions,
    onPage: (page: readonly SnapshotReading[]) => void | Promise<void>,
  ): Promise<void>;
  /**
   * A builder of batches for `restoreBatch`: readings added one at a time are checked and written
   * straight into the statements that store them, so that a batch is ready when its last reading
   * is added, and one is built while another is stored.
   */
  batchBuilder(): RestoreBatchBuilder;
  /**
   * Puts readings (or a prepared batch of them) back under their own ids, in one transaction: a row whose id is free is
   * inserted; one whose id holds the same content is skipped; one whose id holds other content,
   * or whose reading (city and second) is stored under another id, is a conflict and left alone,
   * except that `overwrite` replaces a row with the same id. What the backup does not hold is
   * derived: the key from the city and time, as the sensor makes it, and `observed_at` =
   * `fecha_registro`. The key of each reading must be unique within the batch.
   */
  restoreBatch(
    readings: readonly SnapshotReading[] | PreparedBatch,
    options: RestoreBatchOptions,
  ): Promise<RestoreBatchOutcome>;
  /** Whether the schema has been created (a dry run must not create it). */
  hasReadingsTable(): Promise<boolean>;
}

const SNAPSHOT_COLUMNS = ['id', 'ciudad', 'temperatura', 'humedad', 'fecha_registro', 'source'] as const;
// Named as the API speaks in SQL, so the driver's row objects are the readings: a backup of
// millions of rows makes no second object per row.
const SNAPSHOT_READING = [
  'id',
  'ciudad as city',
  'temperatura as temperature',
  'humedad as humidity',
  'fecha_registro as takenAt',
  'source',
] as const;
const MAX_PAGE_SIZE = 100_000;
const SQL_TIMESTAMP = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;

interface StoredRow {
  id: number;
  reading_key?: string;
  ciudad: string;
  temperatura: number;
  humedad: number;
  fecha_registro: string;
  source: string;
}

/** The backup repository over an open database (migrated to the latest schema). */
export function createBackupRepository(db: Database): BackupRepository {
  const { kysely } = db;
  const dialect = dialectSql(db.dialect);

  return {
    async readSnapshot({ pageSize, signal }, onPage) {
      if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > MAX_PAGE_SIZE) {
        throw new RangeError(`pageSize must be a whole number in 1..${MAX_PAGE_SIZE}, got ${pageSize}`);
      }
      await db.withStreamingConnection(async (connection) => {
        for (const statement of dialect.beginSnapshot) await connection.execute(statement.compile(kysely));
        try {
          // The first read pins SQLite's snapshot; on both dialects it also bounds the walk.
          const [top] = await connection.execute(
            kysely
              .selectFrom('mediciones')
              .select((eb) => eb.fn.max('id').as('maxId'))
              .compile(),
          );
          const maxId = top?.maxId == null ? 0 : Number(top.maxId);
          if (maxId > 0) {
            // One ordered scan of the primary key rather than keyset pages: no query per page
            // and no re-seek, with the same flat memory (the stream waits for each page).
            const rows = kysely
              .selectFrom('mediciones')
              .select(SNAPSHOT_READING)
              .where('id', '<=', maxId)
              .orderBy('id')
              .compile();
            await connection.stream(rows, pageSize, async (page) => {
              signal?.throwIfAborted();
              // Checked in place: the page is this walk's own array.
              for (let i = 0; i < page.length; i++) page[i] = checkedReading(page[i] as SnapshotReading);
              await onPage(page);
            });
            signal?.throwIfAborted();
          }
        } catch (error) {
          await connection.execute(sql`rollback`.compile(kysely)).catch(() => undefined);
          throw error;
        }
        await connection.execute(sql`commit`.compile(kysely));
      });
    },

    batchBuilder() {
      return new RestoreBatchBuilder(dialect);
    },

    async restoreBatch(readings, options) {
      const batch = readings instanceof PreparedBatch ? readings : prepared(dialect, readings);
      if (batch.size === 0) return { inserted: 0, identical: 0, overwritten: 0, conflicts: [] };
      if (options.dryRun) return restoreRows(kysely, dialect, batch.rows(), options);
      // Rows whose ids and readings nobody holds yet (a restore into an empty or older database)
      // need no comparison: inserting them all says so. A batch that meets a stored id or reading
      // is rolled back and compared row by row.
      try {
        return await kysely.transaction().execute(async (trx) => {
          for (const statement of batch.statements) await statement.execute(trx);
          return { inserted: batch.size, identical: 0, overwritten: 0, conflicts: [] };
        });
      } catch (error) {
        if (!dialect.isDuplicateKey(error)) throw error;
      }
      return kysely.transaction().execute((trx) => restoreRows(trx, dialect, batch.rows(), options));
    },

    async hasReadingsTable() {
      const tables = await kysely.introspection.getTables();
      return tables.some((table) => table.name === 'mediciones');
    },
  };
}

/** `readings` as one prepared batch. */
function prepared(dialect: DialectSql, readings: readonly SnapshotReading[]): PreparedBatch {
  const builder = new RestoreBatchBuilder(dialect);
  for (const reading of readings) builder.add(reading);
  return builder.take();
}

async function restoreRows(
  executor: Kysely<Schema>,
  dialect: DialectSql,
  rows: readonly RestoredRow[],
  options: RestoreBatchOptions,
): Promise<RestoreBatchOutcome> {
  const stored = await executor
    .selectFrom('mediciones')
    .select([...SNAPSHOT_COLUMNS, 'reading_key'])
    .where(
      'id',
      'in',
      rows.map((row) => row.id),
    )
    .execute();
  const byId = new Map(stored.map((row) => [Number(row.id), row]));
  const owners = await executor
    .selectFrom('mediciones')
    .select(['id', 'reading_key'])
    .where(
      'reading_key',
      'in',
      rows.map((row) => row.reading_key),
    )
    .execute();
  const keyOwner = new Map(owners.map((row) => [row.reading_key, Number(row.id)]));

  const inserts: RestoredRow[] = [];
  const updates: RestoredRow[] = [];
  const conflicts: RestoreConflict[] = [];
  let identical = 0;
  for (const row of rows) {
    const current = byId.get(row.id);
    const owner = keyOwner.get(row.reading_key);
    const keyTaken = owner !== undefined && owner !== row.id;
    if (current === undefined && !keyTaken) {
      inserts.push(row);
      keyOwner.set(row.reading_key, row.id);
    } else if (current === undefined) {
      conflicts.push({
        id: row.id,
        detail: `the same reading (${describe(row)}) is stored under id ${owner}`,
      });
    } else {
      const differences = differencesOf(row, current, options.sourceKnown);
      if (differences.length === 0) {
        identical++;
      } else if (options.overwrite && !keyTaken) {
        updates.push(row);
        // The row's old reading is gone once it is replaced: a later row may take its key.
        if (keyOwner.get(current.reading_key) === row.id) keyOwner.delete(current.reading_key);
        keyOwner.set(row.reading_key, row.id);
      } else {
        const why = keyTaken ? `; not overwritten: ${describe(row)} is stored under id ${owner}` : '';
        conflicts.push({ id: row.id, detail: `${differences.join(', ')}${why}` });
      }
    }
  }

  if (!options.dryRun) {
    // Updates first: an insert may take a key that an update frees.
    for (const { id, ...values } of updates) {
      await executor.updateTable('mediciones').set(values).where('id', '=', id).execute();
    }
    for (const chunk of insertChunks(dialect, inserts))
      await insertStatement(dialect, chunk).execute(executor);
    // An overwritten row may have left its bucket (another city or time): both places count.
    const places: ReadingPlace[] = [...inserts, ...updates];
    for (const { id } of updates) places.push(byId.get(id) as StoredRow);
    await recomputeRollups(executor, dialect, places, { removed: updates.length > 0 });
  }
  return { inserted: inserts.length, identical, overwritten: updates.length, conflicts };
}

function insertStatement(dialect: DialectSql, rows: readonly RestoredRow[]): RawBuilder<unknown> {
  const values = rows.map(
    (row): RowValues => [
      row.id,
      row.ciudad,
      row.temperatura,
      row.humedad,
      row.fecha_registro,
      row.reading_key,
      row.source,
      row.observed_at,
    ],
  );
  return dialect.insertRows('mediciones', RESTORED_COLUMNS, values);
}

/** `rows` in as few INSERTs as the dialect takes. */
function insertChunks(dialect: DialectSql, rows: readonly RestoredRow[]): RestoredRow[][] {
  const size = Math.floor(dialect.maxRowValues / RESTORED_COLUMNS.length);
  const chunks: RestoredRow[][] = [];
  for (let start = 0; start < rows.length; start += size) chunks.push(rows.slice(start, start + size));
  return chunks;
}

/** What the backup says that the stored row does not, in the paper's column names. */
function differencesOf(row: RestoredRow, stored: StoredRow, sourceKnown: boolean): string[] {
  const compared = [
    ['ciudad', row.ciudad, stored.ciudad],
    ['temperatura', row.temperatura, Number(stored.temperatura)],
    ['humedad', row.humedad, Number(stored.humedad)],
    ['fecha_registro', row.fecha_registro, stored.fecha_registro],
    ...(sourceKnown ? [['source', row.source, stored.source]] : []),
  ] as const;
  return compared
    .filter(([, backedUp, current]) => backedUp !== current)
    .map(([column, backedUp, current]) => `${column} ${backedUp} in the backup, ${current} in the database`);
}

function describe(row: RestoredRow): string {
  return `${row.ciudad} at ${row.fecha_registro}`;
}

/** `row` itself once its values are known good: a timestamp goes into the backup as stored. */
function checkedReading(row: SnapshotReading): SnapshotReading {
  if (typeof row.takenAt !== 'string' || !SQL_TIMESTAMP.test(row.takenAt)) {
    throw new TypeError(`reading ${row.id}: fecha_registro ${JSON.stringify(row.takenAt)} is malformed`);
  }
  if (typeof row.temperature !== 'number' || typeof row.humidity !== 'number' || typeof row.id !== 'number') {
    return {
      ...row,
      id: Number(row.id),
      temperature: Number(row.temperature),
      humidity: Number(row.humidity),
    };
  }
  return row;
}
