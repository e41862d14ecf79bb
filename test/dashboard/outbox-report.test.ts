import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { ManualClock } from '../../src/core/clock.js';
import { createMetrics } from '../../src/core/metrics.js';
import { currentOutbox, type OutboxReport, pollSensorOutbox } from '../../src/dashboard/outbox-report.js';
import { migrateToLatest } from '../../src/db/migrations/migrate-to-latest.js';
import { openDb } from '../../src/db/open-db.js';
import type { OutboxStatus } from '../../src/outbox/edge-outbox.js';
import { createSensorStatusServer } from '../../src/sensor/sensor-status-server.js';
import { captureLogger } from '../support/capture-logger.js';
import { waitFor } from '../support/run-clima.js';
import { createTestDashboard } from '../support/test-dashboard.js';

const STATUS: OutboxStatus = {
  depth: 42,
  oldestTakenAt: new Date('2026-01-02T03:04:05Z'),
  sentTotal: 10,
  droppedTotal: 0,
  lostTotal: 0,
  lastFlushAt: new Date('2026-01-02T03:05:00Z'),
  lastFlushError: undefined,
  failures: [],
  embedded: false,
};

it("shows the sensor's outbox as last reported, and says so when the sensor stops answering", async () => {
  const sensorLog = captureLogger();
  const server = createSensorStatusServer({
    host: '127.0.0.1',
    port: 0,
    outbox: () => STATUS,
    metrics: createMetrics(),
    logger: sensorLog.logger,
  });
  await server.start();
  const clock = new ManualClock(Date.parse('2026-01-02T03:06:00Z'));
  const log = captureLogger();
  const poller = pollSensorOutbox({
    url: `http://127.0.0.1:${server.port()}`,
    clock,
    logger: log.logger,
    everyMs: 50,
  });
  try {
    assert.equal(currentOutbox(poller.report()), undefined, 'nothing before the first answer');
    poller.start();
    const first = await waitFor(() => poller.report().status && poller.report(), 5_000, 'a first answer');
    assert.deepEqual(first.status, STATUS);
    assert.equal(first.reportedAt?.toISOString(), '2026-01-02T03:06:00.000Z');
    assert.deepEqual(currentOutbox(first), STATUS);

    await server.stop();
    clock.advance(30_000);
    const down = await waitFor(
      () => (poller.report().unreachable ? poller.report() : undefined),
      5_000,
      'the sensor to be reported unreachable',
    );
    assert.equal(down.unreachable?.problem, 'unreachable');
    assert.deepEqual(down.status, STATUS, 'the last numbers are kept');
    assert.equal(down.reportedAt?.toISOString(), '2026-01-02T03:06:00.000Z', 'with their time');
    assert.equal(currentOutbox(down), undefined, 'but not passed off as current');
    assert.ok(log.messages().some((m) => /^sensor status failing: .*ECONNREFUSED/.test(m)));
  } finally {
    await poller.stop();
    await server.stop();
  }
});

it("says in /api/status when the sensor does not answer, beside its last numbers and their age, and drops the page's notice", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'clima-outbox-report-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const db = openDb({ dialect: 'sqlite', path: join(dir, 'clima.db') });
  t.after(() => db.close());
  await migrateToLatest(db);
  const clock = new ManualClock(Date.parse('2026-01-02T03:10:00Z'));
  const { logger } = captureLogger();
  let report: OutboxReport = { status: STATUS, reportedAt: new Date(clock.now()), unreachable: undefined };
  const dashboard = createTestDashboard({ outbox: () => report, db, clock, logger });
  t.after(() => dashboard.stop());
  const get = async (url: string) => (await dashboard.app.inject({ method: 'GET', url })).body;

  assert.deepEqual(JSON.parse(await get('/api/status')).outbox, {
    depth: 42,
    oldestTakenAt: '2026-01-02T03:04:05.000Z',
    sentTotal: 10,
    droppedTotal: 0,
    lostTotal: 0,
    lastFlushAt: '2026-01-02T03:05:00.000Z',
    lastFlushError: null,
    failures: [],
    embedded: false,
    reachable: true,
    reportedAt: '2026-01-02T03:10:00.000Z',
    ageSeconds: 0,
    unreachableSince: null,
    unreachableProblem: null,
  });
  assert.match(await get('/?lang=en'), /id="outbox-status"[^>]*>42 readings waiting to reach the cloud/);

  const since = new Date(clock.now() + 2_000);
  report = { ...report, unreachable: { since, problem: 'unreachable' } };
  clock.advance(45_000);
  const down = JSON.parse(await get('/api/status')).outbox;
  assert.equal(down.reachable, false);
  assert.equal(down.depth, 42, 'the last numbers, ...');
  assert.equal(down.ageSeconds, 45, '... with their age');
  assert.equal(down.unreachableSince, since.toISOString());
  assert.equal(down.unreachableProblem, 'unreachable');
  assert.doesNotMatch(await get('/?lang=en'), /outbox-status/, 'the page shows no stale depth as current');
});
