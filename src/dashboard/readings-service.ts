import type { Clock } from '../core/clock.js';
import type { Reading } from '../db/reading.js';
import type { ReadingsRepository } from '../db/readings-repository.js';
import type { City } from '../weather/city.js';
import type { DatabaseGuard } from './database-guard.js';
import type { LatestReading } from './page/page-model.js';
import { createVersionedCache } from './versioned-cache.js';

/** How many rows the original dashboard's table showed. */
export const RECENT_COUNT = 15;

/**
 * How long one answer of the latest-per-city query serves every client. Readings arrive every
 * SENSOR_INTERVAL_S, so a second of delay costs nothing and spares the database one query per
 * request when many browsers poll at once.
 */
const LATEST_TTL_MS = 1_000;

export interface PanelReadings {
  readonly latest: readonly LatestReading[];
  readonly recent: readonly Reading[];
  readonly fetchedAt: Date;
}

/**
 * The dashboard's reading queries, each guarded (time-out, up/down state). The last answer is
 * kept, so the page can still show the last values it holds while the database is down.
 */
export function createReadingsService(deps: {
  repository: ReadingsRepository;
  guard: DatabaseGuard;
  cities: readonly City[];
  intervalS: number;
  clock: Clock;
}) {
  const { repository, guard, cities, clock } = deps;
  const staleAfterSeconds = 3 * deps.intervalS;
  let lastKnown: PanelReadings | undefined;
  let cached: { at: number; readings: Reading[] } | undefined;
  let inFlight: Promise<Reading[]> | undefined;

  function withAge(reading: Reading): LatestReading {
    const ageSeconds = Math.max(0, Math.floor((clock.now() - Date.parse(reading.takenAt)) / 1000));
    return { ...reading, ageSeconds, stale: ageSeconds > staleAfterSeconds };
  }

  /** Concurrent callers share one query; a database known to be down is always asked again. */
  function latestReadings(): Promise<Reading[]> {
    if (cached && guard.state().up && clock.now() - cached.at < LATEST_TTL_MS) {
      return Promise.resolve(cached.readings);
    }
    inFlight ??= guard
      .run('latest_per_city', () => repository.latestPerCity(cities.map((c) => c.name)))
      .then((readings) => {
        cached = { at: clock.now(), readings };
        return readings;
      })
      .finally(() => {
        inFlight = undefined;
      });
    return inFlight;
  }

  async function latest(): Promise<LatestReading[]> {
    return (await latestReadings()).map(withAge);
  }

  let latestBody: { from: Reading[]; second: number; json: string } | undefined;

  /** Changes exactly when a city's latest reading does. */
  async function latestVersion(): Promise<string> {
    return (await latestReadings()).map((reading) => reading.id).join(',');
  }

  const answers = createVersionedCache<Buffer>();

  return {
    staleAfterSeconds,
    /** A reading with its age now, and whether that is older than `staleAfterSeconds`. */
    withAge,
    latest,
    /**
     * The body of `GET /api/latest`. Ages count whole seconds, so one serialisation serves every
     * request of the same second over the same query answer.
     */
    async latestJson(): Promise<string> {
      const readings = await latestReadings();
      const second = Math.floor(clock.now() / 1000);
      if (latestBody?.from !== readings || latestBody.second !== second) {
        const shown = readings.map(withAge).map(({ key: _key, ...reading }) => reading);
        latestBody = { from: readings, second, json: JSON.stringify({ readings: shown, staleAfterSeconds }) };
      }
      return latestBody.json;
    },
    latestVersion,
    /**
     * A chart's answer (`key` names its city, range and points), as JSON, built at most once per
     * interval or new latest reading however many clients ask the same: readings that arrive late,
     * behind the latest, show within an interval. Encoded once too: the all-cities view's answer is
     * half a megabyte, which 50 clients must not each copy.
     */
    async chartJson(key: string, build: () => Promise<unknown>): Promise<Buffer> {
      const version = `${Math.floor(clock.now() / (deps.intervalS * 1000))} ${await latestVersion()}`;
      return answers.get(key, version, async () => Buffer.from(JSON.stringify(await build())));
    },
    /** Latest per city and the last 15, queried together; remembered for when the database is down. */
    async panel(): Promise<PanelReadings> {
      const [latestReadings, recent] = await Promise.all([
        latest(),
        guard.run('latest_readings', () => repository.latestReadings(RECENT_COUNT)),
      ]);
      lastKnown = { latest: latestReadings, recent, fetchedAt: new Date(clock.now()) };
      return lastKnown;
    },
    /** The last panel that was read, with ages as of now. */
    lastKnown(): PanelReadings | undefined {
      if (!lastKnown) return undefined;
      return { ...lastKnown, latest: lastKnown.latest.map(withAge) };
    },
  };
}

export type ReadingsService = ReturnType<typeof createReadingsService>;
