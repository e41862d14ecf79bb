import { type Kysely, type RawBuilder, sql } from 'kysely';
import type { Combine, DialectSql, RowsText } from './dialect.js';
import {
  ROLLUP_LEVELS,
  ROLLUP_VALUE_COLUMNS,
  type RollupLevel,
  type RollupSeconds,
} from './rollup-levels.js';
import type { Schema } from './schema.js';
import type { TextWriter } from './text-writer.js';
import { toSqlTimestamp } from './timestamps.js';

/** Where a reading is (or was) stored: its city and `fecha_registro` in stored form. */
export interface ReadingPlace {
  readonly ciudad: string;
  readonly fecha_registro: string;
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

/** One city's 1 min buckets in `RollupAdditions`, by minute, and the bucket added to last. */
interface CityMinutes {
  readonly buckets: Map<number, BucketRow>;
  lastMinute: number;
  last: BucketRow | undefined;
}

/**
 * Readings new to the database (none stored before, none twice), added one at a time to the 1 min
 * buckets of their city, for `statements` to add to the buckets of every level once they are
 * inserted: aggregated here and combined with what each bucket holds, without reading
 * `mediciones` again. Exact only for readings known to be new: a batch that may repeat stored
 * readings goes through `recomputeRollups`. Adding a reading makes no object unless it opens a
 * bucket.
 */
export class RollupAdditions {
  private readonly byCity = new Map<string, CityMinutes>();
  // The minute of the last reading's time: readings of one second (every city of one reading of
  // the sensor) often follow each other, and share the text of their time.
  private lastTime = '';
  private lastTimeMinute = -1;

  /** A reading in stored form: its temperature already rounded to one decimal. */
  add(ciudad: string, fechaRegistro: string, temperatura: number, humedad: number): void {
    let city = this.byCity.get(ciudad);
    if (city === undefined) {
      city = { buckets: new Map(), lastMinute: -1, last: undefined };
      this.byCity.set(ciudad, city);
    }
    if (fechaRegistro !== this.lastTime) {
      this.lastTimeMinute = minuteOf(fechaRegistro);
      this.lastTime = fechaRegistro;
    }
    const minute = this.lastTimeMinute;
    let bucket = minute === city.lastMinute ? city.last : city.buckets.get(minute);
    const tenths = Math.round(temperatura * 10);
    if (bucket === undefined) {
      bucket = [
        ciudad,
        `${fechaRegistro.slice(0, 17)}00`,
        1,
        tenths,
        temperatura,
        temperatura,
        humedad,
        humedad,
        humedad,
      ];
      city.buckets.set(minute, bucket);
    } else addTo(bucket, 1, tenths, temperatura, temperatura, humedad, humedad, humedad);
    city.lastMinute = minute;
    city.last = bucket;
  }

  /**
   * The statements that add the readings added so far to the buckets of every level, to run on
   * the transaction that inserted them, after them. Made one at a time, so a caller may let other
   * work run between them.
   */
  *statements(dialect: DialectSql, writer: TextWriter): Generator<RawBuilder<unknown>> {
    const format = dialect.rowsText;
    const cities = new Map<string, string>();
    // Each level from the one below, as the recompute does: a reading was looked at once, not per level.
    let buckets: BucketRow[] = [];
    for (const city of this.byCity.values()) for (const bucket of city.buckets.values()) buckets.push(bucket);
    for (const [index, level] of ROLLUP_LEVELS.entries()) {
      if (index > 0) buckets = coarser(buckets, level.seconds);
      const perStatement = Math.floor(dialect.maxRowValues / COLUMNS.length);
      for (let start = 0; start < buckets.length; start += perStatement) {
        const end = Math.min(buckets.length, start + perStatement);
        for (let i = start; i < end; i++) {
          const bucket = buckets[i] as BucketRow;
          let literal = cities.get(bucket[0]);
          if (literal === undefined) {
            literal = format.literal(bucket[0]);
            cities.set(bucket[0], literal);
          }
          if (i > start) writer.ascii(format.rowSeparator);
          writeBucket(writer, format, literal, bucket);
        }
        yield dialect.upsertCombining(level.table, COLUMNS, COMBINED, writer.take());
      }
    }
  }
}

/** One bucket's row, as `format` writes rows, its city's name already a literal. */
function writeBucket(writer: TextWriter, format: RowsText, city: string, bucket: BucketRow): void {
  const separator = format.valueSeparator;
  const quote = format.quote.charCodeAt(0);
  writer.ascii(format.rowOpen);
  writer.text(city);
  writer.ascii(separator);
  writer.char(quote);
  writer.ascii(bucket[1]);
  writer.char(quote);
  // Counts and sums are whole numbers; temperature_min and _max (4 and 5) whole tenths.
  for (let i = 2; i < bucket.length; i++) {
    writer.ascii(separator);
    if (i === 4 || i === 5) writer.tenths(Math.round((bucket[i] as number) * 10));
    else writer.integer(bucket[i] as number);
  }
  writer.ascii(format.rowClose);
}

/** The minute of a stored timestamp as one number, `YYYYMMDDhhmm`, read from its digits. */
function minuteOf(stored: string): number {
  let minute = 0;
  for (let i = 0; i < 16; i++) {
    const c = stored.charCodeAt(i);
    if (c >= 0x30 && c <= 0x39) minute = minute * 10 + (c - 0x30);
  }
  return minute;
}

/** `buckets` merged into the `seconds`-wide buckets holding them, per city. */
function coarser(buckets: readonly BucketRow[], seconds: RollupSeconds): BucketRow[] {
  const byCity = new Map<string, Map<string, BucketRow>>();
  for (const bucket of buckets) {
    let merged = byCity.get(bucket[0]);
    if (merged === undefined) {
      merged = new Map();
      byCity.set(bucket[0], merged);
    }
    const start = bucketStartOf(bucket[1], seconds);
    const into = merged.get(start);
    if (into !== undefined)
      addTo(into, bucket[2], bucket[3], bucket[4], bucket[5], bucket[6], bucket[7], bucket[8]);
    else {
      const made: BucketRow = [...bucket];
      made[1] = start;
      merged.set(start, made);
    }
  }
  return [...byCity.values()].flatMap((merged) => [...merged.values()]);
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
