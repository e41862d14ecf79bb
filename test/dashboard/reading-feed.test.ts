import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { systemClock } from '../../src/core/clock.js';
import { createMetrics, type Metrics } from '../../src/core/metrics.js';
import type { Dashboard } from '../../src/dashboard/create-dashboard.js';
import { createDatabaseGuard } from '../../src/dashboard/database-guard.js';
import { createReadingFeed, LIVE_POLL_MS } from '../../src/dashboard/reading-feed.js';
import { migrateToLatest } from '../../src/db/migrations/migrate-to-latest.js';
import { type Database, openDb } from '../../src/db/open-db.js';
import { type NewReading, readingKey } from '../../src/db/reading.js';
import { createReadingsRepository, type ReadingsRepository } from '../../src/db/readings-repository.js';
import { captureLogger } from '../support/capture-logger.js';
import { openSse, type SseClient } from '../support/sse-client.js';
import { createTestDashboard } from '../support/test-dashboard.js';

const INTERVAL_S = 1;
let seconds = Math.floor(Date.now() / 1000);

function newReading(city: string, temperature: number): NewReading {
  const takenAt = new Date(++seconds * 1000);
  return {
    key: readingKey(city, takenAt),
    city,
    temperature,
    humidity: 55,
    takenAt,
    observedAt: takenAt,
    source: 'simulated',
  };
}

/** Queries the feed has made so far, from the dashboard's own metric. */
async function feedQueries(metrics: Metrics): Promise<number> {
  const { values } = await metrics.dbQueryDuration.get();
  return values
    .filter((v) => v.metricName?.endsWith('_count'))
    .filter((v) => v.labels.query === 'readings_after_id' || v.labels.query === 'newest_reading')
    .reduce((sum, v) => sum + v.value, 0);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('GET /api/stream', () => {
  const dir = mkdtempSync(join(tmpdir(), 'clima-stream-'));
  let db: Database;
  let repository: ReadingsRepository;
  let metrics: Metrics;
  let dashboard: Dashboard;
  let streamUrl: string;

  before(async () => {
    db = openDb({ dialect: 'sqlite', path: join(dir, 'clima.db') });
    await migrateToLatest(db);
    repository = createReadingsRepository(db);
    await repository.insertBatch([newReading('Bogota', 14)]);
    const { logger } = captureLogger('warn');
    metrics = createMetrics();
    dashboard = createTestDashboard({ db, intervalS: INTERVAL_S, logger, metrics });
    await dashboard.start();
    const { port } = dashboard.app.server.address() as AddressInfo;
    streamUrl = `http://127.0.0.1:${port}/api/stream`;
  });
  after(async () => {
    await dashboard.stop();
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('pushes a stored reading within 2 x the interval, as the API shows it, with its id', async () => {
    const client = await openSse(streamUrl);
    try {
      assert.equal(client.status, 200);
      assert.match(client.headers.get('content-type') ?? '', /^text\/event-stream/);
      const status = JSON.parse((await client.waitFor((e) => e.event === 'status', 1_000)).data);
      assert.equal(status.database.status, 'up');
      await sleep(200);
      const storedAt = Date.now();
      await repository.insertBatch([newReading('Cali', 27.5)]);
      const event = await client.waitFor((e) => e.event === 'reading', 2 * INTERVAL_S * 1000);
      assert.ok(Date.now() - storedAt <= 2 * INTERVAL_S * 1000);
      const reading = JSON.parse(event.data);
      assert.deepEqual(Object.keys(reading).sort(), [
        'city',
        'humidity',
        'id',
        'observedAt',
        'source',
        'takenAt',
        'temperature',
      ]);
      assert.equal(reading.city, 'Cali');
      assert.equal(reading.temperature, 27.5);
      assert.equal(event.id, String(reading.id));
    } finally {
      client.close();
    }
  });

  it('serves 50 clients with one database query per poll, and none once they leave', async () => {
    await sleep(1.5 * INTERVAL_S * 1000);
    const clients: SseClient[] = await Promise.all(Array.from({ length: 50 }, () => openSse(streamUrl)));
    const startQueries = await feedQueries(metrics);
    const started = Date.now();
    await repository.insertBatch([newReading('Medellin', 21)]);
    await Promise.all(
      clients.map((c) => c.waitFor((e) => e.event === 'reading' && e.data.includes('Medellin'), 2_000)),
    );
    await sleep(3 * INTERVAL_S * 1000);
    const polls = (Date.now() - started) / LIVE_POLL_MS;
    const queries = (await feedQueries(metrics)) - startQueries;
    assert.ok(queries >= Math.floor(polls) - 1, `${queries} queries in ${polls.toFixed(1)} polls`);
    assert.ok(queries <= Math.ceil(polls) + 1, `${queries} queries in ${polls.toFixed(1)} polls`);
    for (const client of clients) client.close();
    await sleep(200);
    assert.equal(dashboard.feed.clients(), 0);
    const idleFrom = await feedQueries(metrics);
    await sleep(2.5 * INTERVAL_S * 1000);
    assert.equal(await feedQueries(metrics), idleFrom, 'no polling while nobody listens');
  });

  it('replays what a client missed when it reconnects with Last-Event-ID', async () => {
    const first = await openSse(streamUrl);
    await repository.insertBatch([newReading('Cartagena', 30)]);
    await repository.insertBatch([newReading('Cartagena', 31)]);
    const seen = await first.waitFor(
      (e) => e.event === 'reading' && e.data.includes('"temperature":31'),
      3_000,
    );
    const before = first.events.find((e) => e.event === 'reading' && e.data.includes('"temperature":30'));
    first.close();
    assert.ok(before?.id);
    const resumed = await openSse(streamUrl, { 'last-event-id': before.id });
    try {
      const replayed = await resumed.waitFor((e) => e.event === 'reading', 500);
      assert.equal(replayed.id, seen.id, 'only what came after the last event seen');
    } finally {
      resumed.close();
    }
  });

  it('pushes a reading within a second of its commit even at a 60 s interval', async () => {
    const { logger } = captureLogger('warn');
    const guard = createDatabaseGuard({ db, clock: systemClock, logger, metrics: createMetrics() });
    const feed = createReadingFeed({ repository, guard, intervalS: 60, status: () => ({}), logger });
    const frames: string[] = [];
    let arrived: (() => void) | undefined;
    const unsubscribe = feed.subscribe({
      write(frame) {
        frames.push(frame);
        if (frame.includes('Pereira')) arrived?.();
      },
      end: () => {},
    });
    try {
      // The first poll only finds where "new" starts.
      await sleep(LIVE_POLL_MS);
      const storedAt = Date.now();
      const delivered = new Promise<void>((resolve) => {
        arrived = resolve;
      });
      await repository.insertBatch([newReading('Pereira', 19)]);
      await delivered;
      const elapsed = Date.now() - storedAt;
      assert.ok(elapsed < 1_000, `delivered after ${elapsed} ms`);
      assert.match(frames[0] ?? '', /^retry: 60000\n\n$/);
    } finally {
      unsubscribe();
      feed.close();
    }
  });

  it('sends heartbeats as comments while a client listens', async () => {
    const { logger } = captureLogger('warn');
    const guard = createDatabaseGuard({ db, clock: systemClock, logger, metrics: createMetrics() });
    const feed = createReadingFeed({
      repository,
      guard,
      intervalS: 60,
      status: () => ({}),
      logger,
      heartbeatMs: 50,
    });
    const frames: string[] = [];
    const unsubscribe = feed.subscribe({ write: (frame) => frames.push(frame), end: () => {} });
    await sleep(180);
    unsubscribe();
    assert.match(frames[0] ?? '', /^retry: 60000\n\n$/);
    assert.ok(frames.filter((frame) => frame === ': heartbeat\n\n').length >= 2, JSON.stringify(frames));
  });
});

describe('stopping a dashboard with open streams', () => {
  it('ends every stream and closes at once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'clima-stream-stop-'));
    const db = openDb({ dialect: 'sqlite', path: join(dir, 'clima.db') });
    await migrateToLatest(db);
    const { logger } = captureLogger('warn');
    const dashboard = createTestDashboard({ db, intervalS: INTERVAL_S, logger });
    await dashboard.start();
    const { port } = dashboard.app.server.address() as AddressInfo;
    const clients = await Promise.all(
      Array.from({ length: 5 }, () => openSse(`http://127.0.0.1:${port}/api/stream`)),
    );
    await Promise.all(clients.map((c) => c.waitFor((e) => e.event === 'status', 1_000)));
    const stopping = Date.now();
    await dashboard.stop();
    assert.ok(Date.now() - stopping < 1_000, `stop took ${Date.now() - stopping} ms`);
    await Promise.all(clients.map((c) => c.ended));
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  });
});
