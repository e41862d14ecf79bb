import { type Kysely, type RawBuilder, sql } from 'kysely';
import type { Combine, DialectSql } from './dialect.js';
import {
  ROLLUP_LEVELS,
  ROLLUP_VALUE_COLUMNS,
  type RollupLevel,
  type RollupSeconds,
} from './rollup-levels.js';
import type { Schema } from './schema.js';
import { toSqlTimestamp } from './timestamps.js';

/** Where a reading is (or was) stored: its city and `fecha_registro` in stored form. */
export interface ReadingPlace {
  readonly ciudad: string;
  readonly fecha_registro: string;
}

/** A reading as the rollups count it: its place and values in stored form. */
export interface RolledUpReading extends ReadingPlace {
  readonly temperatura: number;
  readonly humedad: number;
}

/** What changed about the readings at the given places. */
export interface RollupChange {
  /**
   * Readings may have left these places (a restore overwrote them): buckets left without readings
   * are deleted, which needs DELETE on the rollups. Otherwise readings were only added.
   */
  readonly removed: boolean;
}

// Touched buckets this close together are recomputed as one range: one index seek instead of
// several, for the price of recomputing the few untouched buckets between them.
const MERGE_GAP_BUCKETS = 16;
// 3 parameters a range: far below SQLite's 32766 variables, and short statements on MySQL.
const RANGES_PER_STATEMENT = 200;
const KEY_COLUMNS = ['ciudad', 'bucket_start'] as const;
const COLUMNS = [...KEY_COLUMNS, ...ROLLUP_VALUE_COLUMNS];

/** A city's run of touched buckets: stored-form bounds, both inclusive. */
interface TouchedRange {
  readonly ciudad: string;
  readonly from: string;
  readonly to: string;
}

/**
 * Recomputes, on `executor` (the transaction that stored or changed the readings), every rollup
 * bucket holding one of `places`: the 1 min buckets from `mediciones`, each coarser level from the
 * one below. Recomputing from the source, never incrementing, is idempotent: retries, duplicates,
 * late readings and concurrent writers all leave each bucket equal to its readings' aggregate.
 * The work grows with the places given, never with the history stored.
 */
export async function recomputeRollups(
  executor: Kysely<Schema>,
  dialect: DialectSql,
  places: readonly ReadingPlace[],
  change: RollupChange,
): Promise<void> {
  if (places.length === 0) return;
  const instants = places.map((place) => ({ ciudad: place.ciudad, at: epochSeconds(place.fecha_registro) }));
  let source: { table: keyof Schema; time: string } = { table: 'mediciones', time: 'fecha_registro' };
  for (const level of ROLLUP_LEVELS) {
    const ranges = touchedRanges(instants, level.seconds);
    for (let start = 0; start < ranges.length; start += RANGES_PER_STATEMENT) {
      const chunk = ranges.slice(start, start + RANGES_PER_STATEMENT);
      if (change.removed) {
        await sql`delete from ${sql.table(level.table)} where ${inRanges(chunk, 'bucket_start')}`.execute(
          executor,
        );
      }
      await dialect
        .upsertSelect(level.table, COLUMNS, ROLLUP_VALUE_COLUMNS, aggregate(dialect, level, source, chunk))
        .execute(executor);
    }
    source = { table: level.table, time: 'bucket_start' };
  }
}

// Adding readings to a bucket: counts and sums add up, each extreme keeps the further value.
const COMBINED: Readonly<Record<(typeof ROLLUP_VALUE_COLUMNS)[number], Combine>> = {
  reading_count: 'add',
  temperature_tenths_sum: 'add',
  temperature_min: 'least',
  temperature_max: 'greatest',
  humidity_sum: 'add',
  humidity_min: 'least',
  humidity_max: 'greatest',
};

type BucketRow = [string, string, number, number, number, number, number, number, number];

/**
 * The statements that add `readings`, inserted on the same transaction before them and each new
 * to the database (none stored before, none twice), to the buckets of every level: aggregated
 * here and combined with what each bucket holds, without reading `mediciones` again. Exact only
 * for readings known to be new: a batch that may repeat stored readings goes through
 * `recomputeRollups`. Made one at a time, so a caller may let other work run between them.
 */
export function* rollupAdditions(
  dialect: DialectSql,
  readings: readonly RolledUpReading[],
): Generator<RawBuilder<unknown>> {
  // Each level from the one below, as the recompute does: a reading is looked at once, not per level.
  let buckets: BucketRow[] | undefined;
  for (const level of ROLLUP_LEVELS) {
    buckets =
      buckets === undefined
        ? combined(readings, level.seconds, OF_READINGS)
        : combined(buckets, level.seconds, OF_BUCKETS);
    const perStatement = Math.floor(dialect.maxRowValues / COLUMNS.length);
    for (let start = 0; start < buckets.length; start += perStatement) {
      const rows = buckets.slice(start, start + perStatement);
      yield dialect.upsertCombining(level.table, COLUMNS, COMBINED, rows);
    }
  }
}

/** How `combined` reads a row of its input. */
interface Grouping<Row> {
  city(row: Row): string;
  time(row: Row): string;
  /** A new bucket of `row` alone (`into` undefined), or `into` with `row` added. */
  add(row: Row, into: BucketRow | undefined): BucketRow;
}

const OF_READINGS: Grouping<RolledUpReading> = {
  city: (reading) => reading.ciudad,
  time: (reading) => reading.fecha_registro,
  add({ ciudad, temperatura, humedad }, into) {
    const tenths = Math.round(temperatura * 10);
    if (into === undefined)
      return [ciudad, '', 1, tenths, temperatura, temperatura, humedad, humedad, humedad];
    addTo(into, 1, tenths, temperatura, temperatura, humedad, humedad, humedad);
    return into;
  },
};

const OF_BUCKETS: Grouping<BucketRow> = {
  city: (bucket) => bucket[0],
  time: (bucket) => bucket[1],
  add(bucket, into) {
    if (into === undefined) return [...bucket];
    addTo(into, bucket[2], bucket[3], bucket[4], bucket[5], bucket[6], bucket[7], bucket[8]);
    return into;
  },
};

/** `rows` grouped into buckets by city and the `seconds`-wide bucket holding them. */
function combined<Row>(rows: readonly Row[], seconds: RollupSeconds, grouping: Grouping<Row>): BucketRow[] {
  const byCity = new Map<string, Map<string, BucketRow>>();
  for (const row of rows) {
    const city = grouping.city(row);
    let buckets = byCity.get(city);
    if (buckets === undefined) {
      buckets = new Map();
      byCity.set(city, buckets);
    }
    const start = bucketStartOf(grouping.time(row), seconds);
    const bucket = buckets.get(start);
    if (bucket !== undefined) grouping.add(row, bucket);
    else {
      const made = grouping.add(row, undefined);
      made[1] = start;
      buckets.set(start, made);
    }
  }
  return [...byCity.values()].flatMap((buckets) => [...buckets.values()]);
}

/** Counts and sums add up, each extreme keeps the further value. */
function addTo(
  bucket: BucketRow,
  count: number,
  tenths: number,
  min: number,
  max: number,
  humidity: number,
  humidityMin: number,
  humidityMax: number,
): void {
  bucket[2] += count;
  bucket[3] += tenths;
  bucket[4] = Math.min(bucket[4], min);
  bucket[5] = Math.max(bucket[5], max);
  bucket[6] += humidity;
  bucket[7] = Math.min(bucket[7], humidityMin);
  bucket[8] = Math.max(bucket[8], humidityMax);
}

/** What `DialectSql.bucketStart` computes in SQL, on the stored form `'YYYY-MM-DD HH:MM:SS'`. */
function bucketStartOf(stored: string, seconds: RollupSeconds): string {
  switch (seconds) {
    case 60:
      return `${stored.slice(0, 17)}00`;
    case 900:
      return `${stored.slice(0, 14)}${String(Math.floor(Number(stored.slice(14, 16)) / 15) * 15).padStart(2, '0')}:00`;
    case 3600:
      return `${stored.slice(0, 14)}00:00`;
    case 86400:
      return `${stored.slice(0, 11)}00:00:00`;
  }
}

/** The aggregate per city and bucket of `level` of the source rows in `ranges`. */
function aggregate(
  dialect: DialectSql,
  level: RollupLevel,
  source: { table: keyof Schema; time: string },
  ranges: readonly TouchedRange[],
): RawBuilder<unknown> {
  const bucket = dialect.bucketStart(sql.ref(source.time), level.seconds);
  const values =
    source.table === 'mediciones'
      ? [
          sql`count(*)`,
          sql`sum(${dialect.tenths(sql.ref('temperatura'))})`,
          sql`min(temperatura)`,
          sql`max(temperatura)`,
          sql`sum(humedad)`,
          sql`min(humedad)`,
          sql`max(humedad)`,
        ]
      : [
          sql`sum(reading_count)`,
          sql`sum(temperature_tenths_sum)`,
          sql`min(temperature_min)`,
          sql`max(temperature_max)`,
          sql`sum(humidity_sum)`,
          sql`min(humidity_min)`,
          sql`max(humidity_max)`,
        ];
  // Named as the table's columns: MySQL's upsert refers to them by these names.
  const named = values.map((value, i) => sql`${value} as ${sql.ref(ROLLUP_VALUE_COLUMNS[i] as string)}`);
  return sql`select ciudad, ${bucket} as bucket_start, ${sql.join(named)}
    from ${sql.table(source.table)} where ${inRanges(ranges, source.time)}
    group by ciudad, ${bucket}`;
}

/** `(ciudad = ? and time >= ? and time < ?) or ...`: one seek of the (ciudad, time) index each. */
function inRanges(ranges: readonly TouchedRange[], time: string): RawBuilder<unknown> {
  const column = sql.ref(time);
  return sql.join(
    ranges.map(
      (range) => sql`(ciudad = ${range.ciudad} and ${column} >= ${range.from} and ${column} <= ${range.to})`,
    ),
    sql` or `,
  );
}

/** Per city, the runs of `seconds`-wide buckets holding the given instants. */
function touchedRanges(instants: readonly { ciudad: string; at: number }[], seconds: number): TouchedRange[] {
  const byCity = new Map<string, Set<number>>();
  for (const { ciudad, at } of instants) {
    const buckets = byCity.get(ciudad) ?? new Set<number>();
    buckets.add(Math.floor(at / seconds));
    byCity.set(ciudad, buckets);
  }
  const ranges: TouchedRange[] = [];
  const range = (ciudad: string, first: number, last: number): TouchedRange => ({
    ciudad,
    from: storedAt(first * seconds),
    // The last second of the last bucket: the bucket after it may be past year 9999.
    to: storedAt((last + 1) * seconds - 1),
  });
  for (const [ciudad, buckets] of byCity) {
    const sorted = [...buckets].sort((a, b) => a - b);
    let first = sorted[0] as number;
    let last = first;
    for (const bucket of sorted.slice(1)) {
      if (bucket - last > MERGE_GAP_BUCKETS) {
        ranges.push(range(ciudad, first, last));
        first = bucket;
      }
      last = bucket;
    }
    ranges.push(range(ciudad, first, last));
  }
  return ranges;
}

function epochSeconds(stored: string): number {
  return Date.parse(`${stored.replace(' ', 'T')}Z`) / 1000;
}

function storedAt(seconds: number): string {
  return toSqlTimestamp(new Date(seconds * 1000));
}
