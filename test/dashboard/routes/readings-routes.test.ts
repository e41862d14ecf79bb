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
import { createReadingsRepository } from '../../../src/db/readings-repository.js';
import { reading } from '../../db/readings-repository.contract.js';
import { createTestDashboard } from '../../support/test-dashboard.js';

// A whole number of 15 s intervals since the epoch.
const NOW = Date.parse('2026-08-20T15:00:00Z');
const CHART = '/api/readings?city=Bogota&from=2026-08-20T14:00:00Z&to=2026-08-20T15:00:00Z&points=6';

describe("a chart's buckets", () => {
  const dir = mkdtempSync(join(tmpdir(), 'clima-readings-routes-'));
  const clock = new ManualClock(NOW);
  const metrics = createMetrics();
  let db: Database;
  let dashboard: Dashboard;

  before(async () => {
    db = openDb({ dialect: 'sqlite', path: join(dir, 'clima.db') });
    await migrateToLatest(db);
    await createReadingsRepository(db).insertBatch([
      reading('Bogota', NOW - 600_000, { temperature: 14.5, humidity: 70 }),
    ]);
    dashboard = createTestDashboard({ db, clock, metrics });
  });
  after(async () => {
    await dashboard.app.close();
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const chart = async (url = CHART) => {
    const response = await dashboard.app.inject({ method: 'GET', url });
    assert.equal(response.statusCode, 200, response.body);
    assert.match(response.headers['content-type'] as string, /^application\/json/);
    return response.json() as { buckets: { count: number }[]; cities?: unknown[] };
  };
  const queries = async () => {
    const text = await metrics.registry.getSingleMetricAsString('clima_db_query_duration_seconds');
    return Number(/_count\{query="bucketed_readings",outcome="ok"\} (\d+)/.exec(text)?.[1] ?? 0);
  };
  const total = (body: { buckets: { count: number }[] }) => body.buckets.reduce((n, b) => n + b.count, 0);

  it('is queried once for any number of requests for the same range within an interval', async () => {
    const answers = await Promise.all(Array.from({ length: 10 }, () => chart()));
    clock.advance(5_000);
    answers.push(await chart());
    assert.equal(await queries(), 1);
    for (const body of answers) assert.deepEqual(body, answers[0]);
    assert.equal(total(answers[0] as { buckets: { count: number }[] }), 1);
  });

  it('is queried again when a new reading arrives, and in the next interval', async () => {
    await createReadingsRepository(db).insertBatch([
      reading('Bogota', NOW - 60_000, { temperature: 15, humidity: 60 }),
    ]);
    // The latest readings are asked at most once a second.
    clock.advance(1_500);
    assert.equal(total(await chart()), 2);
    assert.equal(await queries(), 2);
    clock.set(NOW + 15_000);
    await chart();
    assert.equal(await queries(), 3);
  });

  it('is queried per city for the all-cities view, once per interval too', async () => {
    const before = await queries();
    const url = '/api/readings?from=2026-08-20T14:00:00Z&to=2026-08-20T15:00:00Z&points=6';
    const [first] = await Promise.all([chart(url), chart(url), chart(url)]);
    assert.equal(first?.cities?.length, 7);
    assert.equal(await queries(), before + 7);
  });
});
