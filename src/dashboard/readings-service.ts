import type { Clock } from '../core/clock.js';
import type { Reading } from '../db/reading.js';
import type { ReadingsRepository } from '../db/readings-repository.js';
import type { City } from '../weather/city.js';
import type { DatabaseGuard } from './database-guard.js';
import type { LatestReading } from './page/page-model.js';

/** How many rows the original dashboard's table showed. */
export const RECENT_COUNT = 15;

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

  function withAge(reading: Reading): LatestReading {
    const ageSeconds = Math.max(0, Math.floor((clock.now() - Date.parse(reading.takenAt)) / 1000));
    return { ...reading, ageSeconds, stale: ageSeconds > staleAfterSeconds };
  }

  async function latest(): Promise<LatestReading[]> {
    const readings = await guard.run('latest_per_city', () =>
      repository.latestPerCity(cities.map((c) => c.name)),
    );
    return readings.map(withAge);
  }

  return {
    staleAfterSeconds,
    latest,
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
