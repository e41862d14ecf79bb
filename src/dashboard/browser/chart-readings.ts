import { isoSeconds } from '../page/csv-href.js';
import type { Bucket } from './chart-scales.js';

/** Whose readings a chart shows: a city's (every source), or one station's. */
export interface ChartSubject {
  readonly kind: 'city' | 'station';
  readonly name: string;
}

/** /api/readings?points= and /api/stations/:name/readings?points= */
export interface BucketsAnswer {
  readonly bucketSeconds: number;
  readonly buckets: readonly Bucket[];
}

/** /api/readings?points= without a city: every configured city's buckets, in one answer. */
interface EveryCityAnswer {
  readonly bucketSeconds: number;
  readonly cities: readonly { readonly city: string; readonly buckets: readonly Bucket[] }[];
}

/**
 * Where a subject's readings are, and the parameters naming it: a city's at /api/readings, a
 * station's at its own address. Both take the same range, `points` and `limit`.
 */
function readingsOf(subject: ChartSubject | undefined): { path: string; query: Record<string, string> } {
  if (subject?.kind === 'station') {
    return { path: `/api/stations/${encodeURIComponent(subject.name)}/readings`, query: {} };
  }
  return { path: '/api/readings', query: subject === undefined ? {} : { city: subject.name } };
}

async function getReadings<T = BucketsAnswer & { readings: unknown[] }>(
  subject: ChartSubject | undefined,
  range: Record<string, string>,
): Promise<T> {
  const { path, query } = readingsOf(subject);
  const response = await fetch(`${path}?${new URLSearchParams({ ...query, ...range })}`, {
    headers: { accept: 'application/json' },
    cache: 'no-store',
  });
  if (response.status !== 200) throw new Error(`readings: ${response.status}`);
  return response.json();
}

const span = (fromMs: number, toMs: number) => ({
  from: isoSeconds(new Date(fromMs)),
  to: isoSeconds(new Date(toMs)),
});

/** A subject's readings from `fromMs` to `toMs` in at most `points` buckets, the server choosing their width. */
export async function fetchBuckets(subject: ChartSubject, fromMs: number, toMs: number, points: number) {
  return { body: await getReadings(subject, { ...span(fromMs, toMs), points: String(points) }) };
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
  const every = await getReadings<EveryCityAnswer>(undefined, {
    ...span(fromMs, toMs),
    points: String(points),
  });
  return cities.map((city) => ({
    body: {
      bucketSeconds: every.bucketSeconds,
      buckets: every.cities.find((answer) => answer.city === city)?.buckets ?? [],
    },
  }));
}

/** Whether any of `targets` has a reading older than `fromMs`: then an empty start is an outage. */
export async function hasOlderReadings(targets: readonly ChartSubject[], fromMs: number): Promise<boolean> {
  const found = await Promise.all(
    targets.map((subject) => getReadings(subject, { ...span(0, fromMs - 1000), limit: '1' })),
  );
  return found.some((body) => body.readings.length > 0);
}
