import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ManualClock } from '../../../src/core/clock.js';
import { createMetrics } from '../../../src/core/metrics.js';
import type { Dashboard } from '../../../src/dashboard/create-dashboard.js';
import { migrateToLatest } from '../../../src/db/migrations/migrate-to-latest.js';
import { type Database, openDb } from '../../../src/db/open-db.js';
import { deviceReadingKey, type NewReading } from '../../../src/db/reading.js';
import { createReadingsRepository } from '../../../src/db/readings-repository.js';
import { reading } from '../../db/readings-repository.contract.js';
import { createTestDashboard } from '../../support/test-dashboard.js';

// A whole number of 15 s intervals since the epoch.
const NOW = Date.parse('2026-08-20T15:00:00Z');
const HOUR = '&from=2026-08-20T14:00:00Z&to=2026-08-20T14:59:59Z';

function stationReading(
  station: string,
  takenAtMs: number,
  temperature: number,
  humidity: number,
): NewReading {
  const at = new Date(takenAtMs);
  return reading('Manizales', at, {
    key: deviceReadingKey(station, at),
    station,
    source: 'device',
    temperature,
    humidity,
  });
}

interface ChartAnswer {
  station: string;
  city: string;
  from: string;
  to: string;
  bucketSeconds: number;
  buckets: { bucketStart: string; count: number; temperatureMin: number; temperatureMax: number }[];
}

describe("a station's chart in the API", () => {
  const dir = mkdtempSync(join(tmpdir(), 'clima-stations-routes-'));
  const clock = new ManualClock(NOW);
  const metrics = createMetrics();
  let db: Database;
  let dashboard: Dashboard;

  before(async () => {
    db = openDb({ dialect: 'sqlite', path: join(dir, 'clima.db') });
    await migrateToLatest(db);
    await createReadingsRepository(db).insertBatch([
      // finca-1 every minute of the last hour, 10.0 to 15.9 °C; finca-2 and the city's sensor beside it.
      ...Array.from({ length: 60 }, (_, i) =>
        stationReading('finca-1', NOW - 3_600_000 + i * 60_000, 10 + i / 10, 50 + (i % 10)),
      ),
      stationReading('finca-2', NOW - 1_800_000, 40, 99),
      reading('Manizales', NOW - 1_800_000, { temperature: 40, humidity: 99 }),
    ]);
    dashboard = createTestDashboard({
      db,
      clock,
      metrics,
      stations: [
        { name: 'finca-1', city: 'Manizales' },
        { name: 'finca-2', city: 'Manizales' },
      ],
    });
  });
  after(async () => {
    await dashboard.app.close();
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const get = (url: string) => dashboard.app.inject({ method: 'GET', url });
  const chart = async (url: string) => {
    const response = await get(url);
    assert.equal(response.statusCode, 200, response.body);
    assert.match(response.headers['content-type'] as string, /^application\/json/);
    return response.json() as ChartAnswer;
  };
  const bucketQueries = async () => {
    const text = await metrics.registry.getSingleMetricAsString('clima_db_query_duration_seconds');
    return Number(/_count\{query="station_buckets",outcome="ok"\} (\d+)/.exec(text)?.[1] ?? 0);
  };

  it("answers `points` with the station's own readings in at most that many buckets", async () => {
    const body = await chart(`/api/stations/finca-1/readings?points=6${HOUR}`);
    assert.equal(body.station, 'finca-1');
    assert.equal(body.city, 'Manizales');
    assert.equal(body.from, '2026-08-20T14:00:00.000Z');
    assert.equal(body.bucketSeconds, 600);
    assert.deepEqual(
      body.buckets.map((b) => [b.bucketStart, b.count, b.temperatureMin, b.temperatureMax]),
      [0, 1, 2, 3, 4, 5].map((i) => [
        `2026-08-20T14:${i}0:00Z`,
        10,
        10 + i,
        Number((10 + i + 0.9).toFixed(1)),
      ]),
    );
    // finca-2 holds one reading; the city's sensor reading of the same second is not its.
    const other = await chart(`/api/stations/finca-2/readings?points=6${HOUR}`);
    assert.deepEqual(
      other.buckets.map((b) => [b.bucketStart, b.count, b.temperatureMax]),
      [['2026-08-20T14:30:00Z', 1, 40]],
    );
  });

  it('charts the last day when no range is given, and is queried once for the same range within an interval', async () => {
    const before = await bucketQueries();
    const answers = await Promise.all(
      Array.from({ length: 5 }, () => chart('/api/stations/finca-1/readings?points=24')),
    );
    assert.equal((await bucketQueries()) - before, 1);
    for (const body of answers) assert.deepEqual(body, answers[0]);
    const [body] = answers as [ChartAnswer];
    assert.equal(body.to, '2026-08-20T15:00:00.000Z');
    assert.equal(body.from, '2026-08-19T15:00:00.000Z');
    assert.equal(
      body.buckets.reduce((n, b) => n + b.count, 0),
      60,
    );
  });

  it('still answers without `points` with the readings, newest first', async () => {
    const response = await get(`/api/stations/finca-1/readings?limit=2${HOUR}`);
    assert.equal(response.statusCode, 200, response.body);
    const body = response.json() as { readings: { takenAt: string; temperature: number }[] };
    assert.deepEqual(
      body.readings.map((r) => [r.takenAt, r.temperature]),
      [
        ['2026-08-20T14:59:00Z', 15.9],
        ['2026-08-20T14:58:00Z', 15.8],
      ],
    );
  });

  it('refuses bad parameters with 400 and a reason, and an unknown station with 404', async () => {
    const cases: [string, number, RegExp][] = [
      [
        '/api/stations/finca-1/readings?points=0',
        400,
        /parameter "points": expected a whole number from 1 to 2000/,
      ],
      ['/api/stations/finca-1/readings?points=2001', 400, /parameter "points"/],
      ['/api/stations/finca-1/readings?points=ten', 400, /parameter "points"/],
      ['/api/stations/finca-1/readings?points=10&limit=10', 400, /"limit" and "points" cannot be combined/],
      [
        '/api/stations/finca-1/readings?points=10&from=tomorrow',
        400,
        /parameter "from": expected an ISO 8601 date/,
      ],
      [
        '/api/stations/finca-1/readings?points=10&from=2026-08-20T15:00:00Z&to=2026-08-20T14:00:00Z',
        400,
        /must not be after "to"/,
      ],
      [
        '/api/stations/finca-1/readings?points=10&from=2026-07-01T00:00:00Z&to=2026-08-20T00:00:00Z',
        400,
        /a station's chart spans at most 31 days/,
      ],
      ['/api/stations/finca-1/readings?points=10&points=20', 400, /given more than once/],
      ['/api/stations/finca-1/readings?station=finca-2', 400, /unknown parameter "station"/],
      ['/api/stations/nobody/readings?points=10', 404, /no station "nobody"/],
    ];
    for (const [url, status, reason] of cases) {
      const response = await get(url);
      assert.equal(response.statusCode, status, `${url}: ${response.body}`);
      assert.match(response.headers['content-type'] as string, /^application\/json/);
      assert.match((response.json() as { error: { message: string } }).error.message, reason, url);
    }
    // Exactly 31 days is served.
    const longest = await chart(
      '/api/stations/finca-1/readings?points=31&from=2026-07-20T15:00:00Z&to=2026-08-20T15:00:00Z',
    );
    assert.equal(longest.buckets.length, 1);
  });
});
