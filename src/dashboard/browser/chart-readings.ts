import { isoSeconds } from '../page/csv-href.js';
import type { Bucket } from './chart-scales.js';

/** /api/readings?points= */
export interface BucketsAnswer {
  readonly bucketSeconds: number;
  readonly buckets: readonly Bucket[];
}

/** /api/readings?points= without a city: every configured city's buckets, in one answer. */
interface EveryCityAnswer {
  readonly bucketSeconds: number;
  readonly cities: readonly { readonly city: string; readonly buckets: readonly Bucket[] }[];
}

async function getReadings<T = BucketsAnswer & { readings: unknown[] }>(query: URLSearchParams): Promise<T> {
  const response = await fetch(`/api/readings?${query}`, {
    headers: { accept: 'application/json' },
    cache: 'no-store',
  });
  if (response.status !== 200) throw new Error(`readings: ${response.status}`);
  return response.json();
}

/** A city's readings from `fromMs` to `toMs` in at most `points` buckets, the server choosing their width. */
export async function fetchBuckets(city: string, fromMs: number, toMs: number, points: number) {
  const query = new URLSearchParams({
    city,
    from: isoSeconds(new Date(fromMs)),
    to: isoSeconds(new Date(toMs)),
    points: String(points),
  });
  return { query, body: await getReadings(query) };
}

/**
 * Every one of `cities`' readings from `fromMs` to `toMs`, in at most `points` buckets each, asked
 * in one request: the answers in `cities` order, as `fetchBuckets` gives them one by one.
 */
export async function fetchBucketsOfEvery(
  cities: readonly string[],
  fromMs: number,
  toMs: number,
  points: number,
) {
  const query = new URLSearchParams({
    from: isoSeconds(new Date(fromMs)),
    to: isoSeconds(new Date(toMs)),
    points: String(points),
  });
  const every = await getReadings<EveryCityAnswer>(query);
  return cities.map((city) => ({
    query,
    body: {
      bucketSeconds: every.bucketSeconds,
      buckets: every.cities.find((answer) => answer.city === city)?.buckets ?? [],
    },
  }));
}

/** Whether any of `targets` has a reading older than `fromMs`: then an empty start is an outage. */
export async function hasOlderReadings(targets: readonly string[], fromMs: number): Promise<boolean> {
  const found = await Promise.all(
    targets.map((city) =>
      getReadings(
        new URLSearchParams({
          city,
          from: isoSeconds(new Date(0)),
          to: isoSeconds(new Date(fromMs - 1000)),
          limit: '1',
        }),
      ),
    ),
  );
  return found.some((body) => body.readings.length > 0);
}
