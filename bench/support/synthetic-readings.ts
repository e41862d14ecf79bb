import type { DatabaseTarget } from '../../src/db/database-url.js';
import { migrateToLatest } from '../../src/db/migrations/migrate-to-latest.js';
import { openDb } from '../../src/db/open-db.js';
import { type NewReading, readingKey } from '../../src/db/reading.js';
import { createReadingsRepository } from '../../src/db/readings-repository.js';
import { DEFAULT_CITIES } from '../../src/weather/city.js';

/** The sensor's default interval: synthetic readings are this far apart per city. */
export const STEP_MS = 15_000;

/**
 * Stores `rows` synthetic readings of the 7 default cities, one per city every 15 s, the newest at
 * `now`, into a migrated database; returns how long loading took, in seconds.
 */
export async function loadReadings(target: DatabaseTarget, rows: number, now: number): Promise<number> {
  const db = openDb(target);
  await migrateToLatest(db);
  const repository = createReadingsRepository(db);
  const started = performance.now();
  const perCity = Math.ceil(rows / DEFAULT_CITIES.length);
  let batch: NewReading[] = [];
  let stored = 0;
  for (let i = 0; i < perCity && stored < rows; i++) {
    const takenAt = new Date(now - (perCity - 1 - i) * STEP_MS);
    for (const city of DEFAULT_CITIES) {
      if (stored + batch.length >= rows) break;
      const temperature = Math.round((18 + 8 * Math.sin(i / 240) + (i % 7) / 10) * 10) / 10;
      batch.push({
        key: readingKey(city.name, takenAt),
        city: city.name,
        temperature,
        humidity: 40 + (i % 50),
        takenAt,
        observedAt: takenAt,
        source: 'simulated',
      });
    }
    if (batch.length >= 5_000) {
      stored += await repository.insertBatch(batch);
      batch = [];
    }
  }
  stored += await repository.insertBatch(batch);
  await db.close();
  return (performance.now() - started) / 1000;
}
