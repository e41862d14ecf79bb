import type { AddressInfo } from 'node:net';
import { createMetrics } from '../../../src/core/metrics.js';
import type { StationInfo } from '../../../src/dashboard/routes/stations-routes.js';
import type { DatabaseTarget } from '../../../src/db/database-url.js';
import { migrateToLatest } from '../../../src/db/migrations/migrate-to-latest.js';
import { openDb } from '../../../src/db/open-db.js';
import { deviceReadingKey, type NewReading } from '../../../src/db/reading.js';
import { createReadingsRepository } from '../../../src/db/readings-repository.js';
import type { City } from '../../../src/weather/city.js';
import { reading as readingOf } from '../../db/readings-repository.contract.js';
import { captureLogger } from '../../support/capture-logger.js';
import { startFakeOpenMeteo } from '../../support/fake-open-meteo.js';
import { createTestDashboard } from '../../support/test-dashboard.js';

export const XSS_CITY = '<img src=x onerror=alert(1)>';

export const BROWSER_CITIES: City[] = [
  { name: 'Bogota', latitude: 4.6097, longitude: -74.0817 },
  { name: 'Medellin', latitude: 6.2518, longitude: -75.5636 },
  { name: 'Cartagena', latitude: 10.3997, longitude: -75.5144 },
  { name: XSS_CITY, latitude: 1, longitude: 1 },
];

/** A reading of `city` taken at `takenAtMs` (whole seconds). */
export function reading(city: string, takenAtMs: number, temperature: number, humidity: number): NewReading {
  return readingOf(city, Math.floor(takenAtMs / 1000) * 1000, {
    temperature,
    humidity,
    source: city === 'Cartagena' ? 'open-meteo' : 'simulated',
  });
}

/** The stations of the browser tests, each in a city of `STATION_CITIES`. */
export const STATIONS: StationInfo[] = [
  { name: 'finca-1', city: 'Bogota' },
  { name: 'finca-2', city: 'Medellin' },
];
export const STATION_CITIES: City[] = BROWSER_CITIES.filter((city) =>
  STATIONS.some((station) => station.city === city.name),
);

/** A station's reading taken at `takenAtMs` (whole seconds), keyed as ingestion keys it. */
export function deviceReading(
  station: string,
  city: string,
  takenAtMs: number,
  temperature: number,
): NewReading {
  const at = new Date(Math.floor(takenAtMs / 1000) * 1000);
  return readingOf(city, at, {
    key: deviceReadingKey(station, at),
    station,
    source: 'device',
    temperature,
    humidity: 80,
  });
}

/** `days` of readings every `everyS` seconds per city, ending now, a daily wave with some noise. */
export function history(
  cities: readonly City[],
  days: number,
  everyS: number,
  now = Date.now(),
): NewReading[] {
  const readings: NewReading[] = [];
  const count = Math.floor((days * 86_400) / everyS);
  cities.forEach((city, c) => {
    for (let i = count; i >= 1; i--) {
      const at = now - i * everyS * 1000;
      const phase = ((at / 86_400_000) % 1) * 2 * Math.PI;
      const noise = Math.sin(i * 7.3 + c) * 0.8;
      readings.push(
        reading(
          city.name,
          at,
          18 + c * 3 + 5 * Math.sin(phase) + noise,
          Math.round(70 - 15 * Math.sin(phase) + noise * 3),
        ),
      );
    }
  });
  return readings;
}

/**
 * A real listening dashboard for a browser: `intervalS` short so the live tests are fast, Open-Meteo
 * faked, the database seeded with `seed`, `stations` configured.
 */
export async function startBrowserDashboard(
  target: DatabaseTarget,
  seed: readonly NewReading[],
  intervalS = 1,
  stations: readonly StationInfo[] = [],
) {
  const db = openDb(target);
  await migrateToLatest(db);
  const repository = createReadingsRepository(db);
  for (let i = 0; i < seed.length; i += 5000) await repository.insertBatch(seed.slice(i, i + 5000));
  const fake = await startFakeOpenMeteo();
  const { logger, lines } = captureLogger('warn');
  const metrics = createMetrics();
  const dashboard = createTestDashboard({
    db,
    weatherUrl: fake.url,
    cities: BROWSER_CITIES,
    intervalS,
    timeZone: 'America/Bogota',
    logger,
    metrics,
    stations,
  });
  await dashboard.start();
  const { port } = dashboard.app.server.address() as AddressInfo;
  return {
    base: `http://127.0.0.1:${port}`,
    db,
    repository,
    dashboard,
    metrics,
    lines,
    async stop(): Promise<void> {
      await dashboard.stop();
      await db.close();
      await fake.close();
    },
  };
}

export type BrowserDashboard = Awaited<ReturnType<typeof startBrowserDashboard>>;
