import type { Kysely } from 'kysely';
import { dialectSql } from './dialect.js';
import type { Database } from './open-db.js';
import { type BucketSubject, readRawBuckets } from './raw-buckets.js';
import type { NewReading, Reading, ReadingBucket } from './reading.js';
import { toInsertRow, toReading } from './reading-row.js';
import { rollupsComplete } from './rollup-backfill.js';
import { planRollupRead, readRollupBuckets } from './rollup-buckets.js';
import { recomputeRollups } from './rollups.js';
import type { Schema } from './schema.js';
import { epochSecondsOf, toSqlTimestamp } from './timestamps.js';

/** The most rows (or chart points) one call returns. */
export const MAX_ROWS = 10_000;

// 7 parameters a row: far below SQLite's 32766 variables and MySQL's default 64 MB packet.
const INSERT_CHUNK_ROWS = 500;

/** A city's readings between two instants, both inclusive (to the second). */
export interface RangeQuery {
  readonly city: string;
  readonly from: Date;
  readonly to: Date;
  readonly limit: number;
  /**
   * Only readings after this one in the answer's order (older, or as old with a lower id): the
   * last reading of the previous page, to walk a range of any length page by page.
   */
  readonly olderThan?: Pick<Reading, 'takenAt' | 'id'>;
}

/** A city's readings between two instants (inclusive), summarised in at most `points` buckets. */
export interface BucketQuery {
  readonly city: string;
  readonly from: Date;
  readonly to: Date;
  readonly points: number;
}

/** A station's readings between two instants (inclusive), summarised in at most `points` buckets. */
export interface StationBucketQuery {
  readonly station: string;
  readonly from: Date;
  readonly to: Date;
  readonly points: number;
}

/** The answer of `bucketedReadings` and `stationBucketedReadings`. */
export interface BucketedReadings {
  /** Width of every bucket; each starts a whole number of widths after the first. */
  readonly bucketSeconds: number;
  /** Oldest first; a bucket without readings is absent (a gap in the chart). */
  readonly buckets: ReadingBucket[];
}

/** One page of a keyset walk in id order: rows with `id > afterId`. */
export interface PageQuery {
  readonly afterId: number;
  readonly limit: number;
}

/**
 * Every query on readings; with `backup-repository.ts` and the rollups (`rollups.ts`,
 * `rollup-backfill.ts`), the only code that builds SQL on `mediciones`.
 */
export interface ReadingsRepository {
  /**
   * Stores the readings whose key is not stored yet, in one transaction, and returns how many were
   * new (a key repeated in the batch or already stored counts 0). Temperatures are rounded to one
   * decimal. Rejects the whole batch with a `RangeError` naming the first unstorable reading.
   */
  insertBatch(readings: readonly NewReading[]): Promise<number>;
  /** The newest reading (by `fecha_registro`, then id) of each city that has one, in `cities` order. */
  latestPerCity(cities: readonly string[]): Promise<Reading[]>;
  /** The last `limit` readings stored, newest (highest id) first: the paper's query. */
  latestReadings(limit: number): Promise<Reading[]>;
  /** The newest reading (by `fecha_registro`, then id) of each station that has one, in `stations` order. */
  latestPerStation(stations: readonly string[]): Promise<Reading[]>;
  /** A station's readings in `[from, to]`, newest first, at most `limit`. */
  stationReadingsInRange(query: { station: string; from: Date; to: Date; limit: number }): Promise<Reading[]>;
  /**
   * Avg/min/max per bucket of a station's readings in `[from, to]`, in at most `points` buckets,
   * always computed from the readings (the rollups are per city): buckets as `bucketedReadings`
   * makes them for a short range, aligned to `from`. The work grows with the station's readings
   * in the range, so callers bound the range.
   */
  stationBucketedReadings(query: StationBucketQuery): Promise<BucketedReadings>;
  /** A city's readings in `[from, to]`, newest first, at most `limit`. */
  readingsInRange(query: RangeQuery): Promise<Reading[]>;
  /**
   * Avg/min/max per bucket of a city's readings in `[from, to]`, in at most `points` buckets. Long
   * ranges are read from the rollups (once they hold every reading): buckets a multiple of a
   * rollup's width, aligned to multiples of it since the epoch (UTC), whose first and last may
   * hold readings up to one rollup bucket outside the range. Short ranges are read from the
   * readings: `bucketSeconds` is then the smallest whole number of seconds for which at most
   * `points` buckets, aligned to `from`, cover the range.
   */
  bucketedReadings(query: BucketQuery): Promise<BucketedReadings>;
  /** How many readings are stored. */
  count(): Promise<number>;
  /** Readings with `id > afterId`, ascending id, at most `limit`: for walking the whole table. */
  pageById(query: PageQuery): Promise<Reading[]>;
}

/** The readings repository over an open database (migrated to the latest schema). */
export function createReadingsRepository(db: Database): ReadingsRepository {
  const { kysely } = db;
  const dialect = dialectSql(db.dialect);
  // Once complete, the rollups stay complete: every later write maintains them.
  let rollupsReady = false;

  async function insertRows(
    executor: Kysely<Schema>,
    rows: ReturnType<typeof toInsertRow>[],
  ): Promise<number> {
    const result = await dialect
      .ignoreDuplicateReadings(executor.insertInto('mediciones').values(rows))
      .executeTakeFirstOrThrow();
    return Number(result.numInsertedOrUpdatedRows ?? 0n);
  }

  /** Buckets computed from the readings themselves; none for a range without a whole second. */
  async function fromReadings(
    subject: BucketSubject,
    { bounds, fromSeconds, span, bucketSeconds }: ReturnType<typeof bucketsOfRange>,
  ): Promise<BucketedReadings> {
    if (span < 0) return { bucketSeconds, buckets: [] };
    return {
      bucketSeconds,
      buckets: await readRawBuckets(kysely, dialect, { subject, bounds, fromSeconds, bucketSeconds }),
    };
  }

  return {
    async insertBatch(readings) {
      const rows = uniqueByKey(readings).map(toInsertRow);
      if (rows.length === 0) return 0;
      return kysely.transaction().execute(async (trx) => {
        let stored = 0;
        for (let start = 0; start < rows.length; start += INSERT_CHUNK_ROWS) {
          stored += await insertRows(trx, rows.slice(start, start + INSERT_CHUNK_ROWS));
        }
        // Which rows were skipped as already stored is unknown, and does not matter: recomputing
        // their buckets changes nothing. A batch that stored nothing changed no bucket.
        if (stored > 0) await recomputeRollups(trx, dialect, rows, { removed: false });
        return stored;
      });
    },

    async latestPerCity(cities) {
      // One index seek per city; a GROUP BY over the whole table would scan it.
      const rows = await Promise.all(
        [...new Set(cities)].map((city) =>
          kysely
            .selectFrom('mediciones')
            .selectAll()
            .where('ciudad', '=', city)
            .orderBy('fecha_registro', 'desc')
            .orderBy('id', 'desc')
            .limit(1)
            .executeTakeFirst(),
        ),
      );
      return rows.flatMap((row) => (row === undefined ? [] : [toReading(row)]));
    },

    async latestPerStation(stations) {
      // One seek of the (station, fecha_registro) index per station.
      const rows = await Promise.all(
        [...new Set(stations)].map((station) =>
          kysely
            .selectFrom('mediciones')
            .selectAll()
            .where('station', '=', station)
            .orderBy('fecha_registro', 'desc')
            .orderBy('id', 'desc')
            .limit(1)
            .executeTakeFirst(),
        ),
      );
      return rows.flatMap((row) => (row === undefined ? [] : [toReading(row)]));
    },

    async stationReadingsInRange({ station, from, to, limit }) {
      const bounds = storedBounds(from, to);
      const rows = await kysely
        .selectFrom('mediciones')
        .selectAll()
        .where('station', '=', station)
        .where('fecha_registro', '>=', bounds.from)
        .where('fecha_registro', '<=', bounds.to)
        .orderBy('fecha_registro', 'desc')
        .orderBy('id', 'desc')
        .limit(checkedCount('limit', limit))
        .execute();
      return rows.map(toReading);
    },

    async latestReadings(limit) {
      const rows = await kysely
        .selectFrom('mediciones')
        .selectAll()
        .orderBy('id', 'desc')
        .limit(checkedCount('limit', limit))
        .execute();
      return rows.map(toReading);
    },

    async readingsInRange({ city, from, to, limit, olderThan }) {
      const bounds = storedBounds(from, to);
      const cursor = olderThan && { at: toSqlTimestamp(new Date(olderThan.takenAt)), id: olderThan.id };
      // The cursor's second as the upper bound keeps each page an index range scan.
      const upper = cursor && cursor.at < bounds.to ? cursor.at : bounds.to;
      const rows = await kysely
        .selectFrom('mediciones')
        .selectAll()
        .where('ciudad', '=', city)
        .where('fecha_registro', '>=', bounds.from)
        .where('fecha_registro', '<=', upper)
        .$if(cursor !== undefined, (query) =>
          query.where((eb) =>
            eb.or([eb('fecha_registro', '<', cursor?.at ?? upper), eb('id', '<', cursor?.id ?? 0)]),
          ),
        )
        .orderBy('fecha_registro', 'desc')
        .orderBy('id', 'desc')
        .limit(checkedCount('limit', limit))
        .execute();
      return rows.map(toReading);
    },

    async bucketedReadings({ city, from, to, points }) {
      const range = bucketsOfRange(from, to, points);
      const { fromSeconds, span } = range;
      const rollupRange = { city, fromSeconds, toSeconds: fromSeconds + span, points };
      const plan = span < 0 ? undefined : planRollupRead(rollupRange);
      rollupsReady ||= plan !== undefined && (await rollupsComplete(kysely));
      if (plan !== undefined && rollupsReady) {
        return {
          bucketSeconds: plan.bucketSeconds,
          buckets: await readRollupBuckets(kysely, dialect, rollupRange, plan),
        };
      }
      return fromReadings({ city }, range);
    },

    async stationBucketedReadings({ station, from, to, points }) {
      return fromReadings({ station }, bucketsOfRange(from, to, points));
    },

    async count() {
      const row = await kysely
        .selectFrom('mediciones')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },

    async pageById({ afterId, limit }) {
      if (!Number.isSafeInteger(afterId) || afterId < 0) {
        throw new RangeError(`afterId must be a whole number >= 0, got ${afterId}`);
      }
      const rows = await kysely
        .selectFrom('mediciones')
        .selectAll()
        .where('id', '>', afterId)
        .orderBy('id')
        .limit(checkedCount('limit', limit))
        .execute();
      return rows.map(toReading);
    },
  };
}

/** The first reading of each key: later ones would be skipped by the database anyway. */
function uniqueByKey(readings: readonly NewReading[]): NewReading[] {
  const byKey = new Map<string, NewReading>();
  for (const reading of readings) if (!byKey.has(reading.key)) byKey.set(reading.key, reading);
  return [...byKey.values()];
}

/** Stored-form bounds of an inclusive range; seconds inside it only, so `from` rounds up. */
function storedBounds(from: Date, to: Date): { from: string; to: string } {
  if (!(from.getTime() <= to.getTime())) throw new RangeError('the range needs valid dates with from <= to');
  return { from: toSqlTimestamp(from, 'ceil'), to: toSqlTimestamp(to) };
}

/**
 * The buckets of a read from the readings: the range in whole seconds (`from` rounded up; a
 * negative `span` when it holds no whole second) and the smallest width for which at most
 * `points` buckets, aligned to `from`, cover it.
 */
function bucketsOfRange(from: Date, to: Date, points: number) {
  const bounds = storedBounds(from, to);
  const fromSeconds = epochSecondsOf(from, 'ceil');
  const span = epochSecondsOf(to) - fromSeconds;
  // n buckets of b seconds cover seconds from..from+n*b-1, and `to` is included: n*b > span.
  const bucketSeconds = Math.max(0, Math.floor(span / checkedCount('points', points))) + 1;
  return { bounds, fromSeconds, span, bucketSeconds };
}

function checkedCount(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1 || value > MAX_ROWS) {
    throw new RangeError(`${name} must be a whole number in 1..${MAX_ROWS}, got ${value}`);
  }
  return value;
}
