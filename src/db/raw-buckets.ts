import { type Kysely, sql } from 'kysely';
import type { DialectSql } from './dialect.js';
import type { ReadingBucket } from './reading.js';
import type { Schema } from './schema.js';
import { epochSecondsToIso } from './timestamps.js';

/** Whose readings a bucketed read summarises: a city's (every source, its stations' included) or one station's. */
export type BucketSubject = { readonly city: string } | { readonly station: string };

/** A range read from the readings themselves, in buckets of `bucketSeconds` aligned to `fromSeconds`. */
export interface RawBucketRange {
  readonly subject: BucketSubject;
  /** The range in stored form (`YYYY-MM-DD HH:MM:SS`), both inclusive. */
  readonly bounds: { readonly from: string; readonly to: string };
  readonly fromSeconds: number;
  readonly bucketSeconds: number;
}

/**
 * Avg/min/max per bucket, computed by the database over the subject's rows in the range (one
 * index range scan: `(ciudad, fecha_registro)` or `(station, fecha_registro)`), oldest first;
 * buckets without readings are absent. Averages are rounded to 2 (temperature) and 1 (humidity)
 * decimals, as the rollups' are.
 */
export async function readRawBuckets(
  executor: Kysely<Schema>,
  dialect: DialectSql,
  { subject, bounds, fromSeconds, bucketSeconds }: RawBucketRange,
): Promise<ReadingBucket[]> {
  const [column, value] =
    'city' in subject ? (['ciudad', subject.city] as const) : (['station', subject.station] as const);
  const offset = sql<number>`${dialect.epochSeconds(sql.ref('fecha_registro'))} - ${fromSeconds}`;
  const rows = await executor
    .selectFrom('mediciones')
    .select((eb) => [
      dialect.integerDivide(offset, bucketSeconds).as('bucket'),
      eb.fn.countAll<number>().as('count'),
      eb.fn.avg<number>('temperatura').as('temperature_avg'),
      eb.fn.min('temperatura').as('temperature_min'),
      eb.fn.max('temperatura').as('temperature_max'),
      eb.fn.avg<number>('humedad').as('humidity_avg'),
      eb.fn.min('humedad').as('humidity_min'),
      eb.fn.max('humedad').as('humidity_max'),
    ])
    .where(column, '=', value)
    .where('fecha_registro', '>=', bounds.from)
    .where('fecha_registro', '<=', bounds.to)
    .groupBy(sql.ref('bucket'))
    .orderBy(sql.ref('bucket'))
    .execute();
  return rows.map(
    (row): ReadingBucket => ({
      bucketStart: epochSecondsToIso(fromSeconds + Number(row.bucket) * bucketSeconds),
      count: Number(row.count),
      temperatureAvg: roundTo(Number(row.temperature_avg), 2),
      temperatureMin: Number(row.temperature_min),
      temperatureMax: Number(row.temperature_max),
      humidityAvg: roundTo(Number(row.humidity_avg), 1),
      humidityMin: Number(row.humidity_min),
      humidityMax: Number(row.humidity_max),
    }),
  );
}

function roundTo(value: number, decimals: number): number {
  const factor = 10 ** decimals;
  return Math.round(value * factor) / factor;
}
