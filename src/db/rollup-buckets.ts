import { type Kysely, sql } from 'kysely';
import type { DialectSql } from './dialect.js';
import type { ReadingBucket } from './reading.js';
import { ROLLUP_LEVELS, type RollupLevel } from './rollup-levels.js';
import type { Schema } from './schema.js';
import { epochSecondsToIso, toSqlTimestamp } from './timestamps.js';

/** A chart's range in whole epoch seconds, both inclusive, and the most buckets it may have. */
export interface RollupRange {
  readonly city: string;
  readonly fromSeconds: number;
  readonly toSeconds: number;
  readonly points: number;
}

/** How a range is answered from the rollups: which level, merged into buckets of what width. */
export interface RollupPlan {
  readonly level: RollupLevel;
  /** A multiple of the level's width; buckets start at multiples of it since the epoch (UTC). */
  readonly bucketSeconds: number;
}

// A level is read only if the range holds at most this many of its buckets per point asked: a
// year at 2,000 points reads 1 h rollups (8,760 rows), never 1 min ones (525,600).
const MAX_ROWS_PER_POINT = 24;

/**
 * The plan for `range`, or undefined when even 1 min buckets would be too coarse (fewer of them
 * than points: the raw readings answer). Among the levels with at least `points` buckets in the
 * range and a bounded read, the one whose merged buckets come closest to `points` wins; on a tie
 * the coarser, which reads fewer rows.
 */
export function planRollupRead(range: RollupRange): RollupPlan | undefined {
  let best: (RollupPlan & { buckets: number }) | undefined;
  for (const level of [...ROLLUP_LEVELS].reverse()) {
    const rows = bucketCount(range, level.seconds);
    if (rows < range.points || rows > MAX_ROWS_PER_POINT * range.points) continue;
    let multiple = Math.max(1, Math.floor(rows / range.points));
    while (bucketCount(range, multiple * level.seconds) > range.points) multiple++;
    const bucketSeconds = multiple * level.seconds;
    const buckets = bucketCount(range, bucketSeconds);
    if (best === undefined || buckets > best.buckets) best = { level, bucketSeconds, buckets };
  }
  return best && { level: best.level, bucketSeconds: best.bucketSeconds };
}

/**
 * The buckets of `plan` over `range`, read from the rollups through their primary key: the rollup
 * buckets that overlap the range, merged. The first and last may so hold readings up to one
 * rollup bucket outside the range. Averages are rounded as the raw query rounds them.
 */
export async function readRollupBuckets(
  executor: Kysely<Schema>,
  dialect: DialectSql,
  range: RollupRange,
  plan: RollupPlan,
): Promise<ReadingBucket[]> {
  const { level, bucketSeconds } = plan;
  const origin = Math.floor(range.fromSeconds / bucketSeconds) * bucketSeconds;
  const first = Math.floor(range.fromSeconds / level.seconds) * level.seconds;
  const last = Math.floor(range.toSeconds / level.seconds) * level.seconds;
  const offset = sql<number>`${dialect.epochSeconds(sql.ref('bucket_start'))} - ${origin}`;
  const rows = await executor
    .selectFrom(level.table)
    .select((eb) => [
      dialect.integerDivide(offset, bucketSeconds).as('bucket'),
      eb.fn.sum<number>('reading_count').as('count'),
      eb.fn.sum<number>('temperature_tenths_sum').as('temperature_tenths_sum'),
      eb.fn.min('temperature_min').as('temperature_min'),
      eb.fn.max('temperature_max').as('temperature_max'),
      eb.fn.sum<number>('humidity_sum').as('humidity_sum'),
      eb.fn.min('humidity_min').as('humidity_min'),
      eb.fn.max('humidity_max').as('humidity_max'),
    ])
    .where('ciudad', '=', range.city)
    .where('bucket_start', '>=', storedAt(first))
    .where('bucket_start', '<=', storedAt(last))
    .groupBy(sql.ref('bucket'))
    .orderBy(sql.ref('bucket'))
    .execute();
  return rows.map((row): ReadingBucket => {
    const count = Number(row.count);
    return {
      bucketStart: epochSecondsToIso(origin + Number(row.bucket) * bucketSeconds),
      count,
      // Integer sums: one division, then rounding to 2 and 1 decimals as the raw query does.
      temperatureAvg: Math.round((Number(row.temperature_tenths_sum) * 10) / count) / 100,
      temperatureMin: Number(row.temperature_min),
      temperatureMax: Number(row.temperature_max),
      humidityAvg: Math.round((Number(row.humidity_sum) * 10) / count) / 10,
      humidityMin: Number(row.humidity_min),
      humidityMax: Number(row.humidity_max),
    };
  });
}

/** How many `seconds`-wide UTC-aligned buckets overlap the range. */
function bucketCount(range: RollupRange, seconds: number): number {
  return Math.floor(range.toSeconds / seconds) - Math.floor(range.fromSeconds / seconds) + 1;
}

function storedAt(seconds: number): string {
  return toSqlTimestamp(new Date(seconds * 1000));
}
