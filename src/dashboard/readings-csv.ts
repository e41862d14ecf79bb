import type { Reading, ReadingBucket } from '../db/reading.js';
import type { City } from '../weather/city.js';
import { csvRecord } from './csv.js';
import type { DashboardContext } from './dashboard-context.js';

/** Rows read from the database at a time: memory stays flat however long the range. */
export const CSV_PAGE_ROWS = 2000;

const READING_HEADER = ['id', 'city', 'temperature', 'humidity', 'takenAt', 'observedAt', 'source'];
const BUCKET_HEADER = [
  'bucketStart',
  'count',
  'temperatureAvg',
  'temperatureMin',
  'temperatureMax',
  'humidityAvg',
  'humidityMin',
  'humidityMax',
];

/** A range of raw readings to export: every reading of each city, unless `limit` caps the file. */
export interface RawRange {
  readonly cities: readonly City[];
  readonly from: Date;
  readonly to: Date;
  readonly limit?: number;
}

/**
 * The raw readings of `range` as CSV records, city by city in the order given, each newest first.
 * The database is read a page at a time, and only as fast as the records are taken; the first
 * page is read before the first record is handed over, so a database that does not answer fails
 * the request before any byte is sent rather than mid-file.
 */
export async function rawReadingsCsv(ctx: DashboardContext, range: RawRange): Promise<AsyncIterable<string>> {
  const pages = readingPages(ctx, range);
  const first = await pages.next();
  return (async function* () {
    yield csvRecord(READING_HEADER);
    // One chunk a page: a write per line would cost more than the query.
    for (let page = first; !page.done; page = await pages.next()) {
      yield page.value
        .map((r) => csvRecord([r.id, r.city, r.temperature, r.humidity, r.takenAt, r.observedAt, r.source]))
        .join('');
    }
  })();
}

async function* readingPages(ctx: DashboardContext, range: RawRange): AsyncGenerator<readonly Reading[]> {
  let left = range.limit ?? Number.POSITIVE_INFINITY;
  for (const city of range.cities) {
    let olderThan: Reading | undefined;
    while (left > 0) {
      const limit = Math.min(CSV_PAGE_ROWS, left);
      const query = { city: city.name, from: range.from, to: range.to, limit, olderThan };
      const page = await ctx.guard.run('readings_in_range', () => ctx.repository.readingsInRange(query));
      if (page.length > 0) yield page;
      left -= page.length;
      olderThan = page.at(-1);
      if (page.length < limit) break;
    }
  }
}

/** Chart buckets as CSV records, oldest first. */
export function* bucketsCsv(buckets: readonly ReadingBucket[]): Generator<string> {
  yield csvRecord(BUCKET_HEADER);
  for (const b of buckets) {
    yield csvRecord([
      b.bucketStart,
      b.count,
      b.temperatureAvg,
      b.temperatureMin,
      b.temperatureMax,
      b.humidityAvg,
      b.humidityMin,
      b.humidityMax,
    ]);
  }
}
