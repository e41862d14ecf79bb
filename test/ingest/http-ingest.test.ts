import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ManualClock } from '../../src/core/clock.js';
import { silentLogger } from '../../src/core/logger.js';
import { createMetrics } from '../../src/core/metrics.js';
import { migrateToLatest } from '../../src/db/migrations/migrate-to-latest.js';
import { type Database, openDb } from '../../src/db/open-db.js';
import { createReadingsRepository } from '../../src/db/readings-repository.js';
import { createRejectionLog } from '../../src/ingest/rejection-log.js';
import { createEdgeOutbox, type EdgeOutbox } from '../../src/outbox/edge-outbox.js';
import { createTestDashboard } from '../support/test-dashboard.js';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const TOKEN_1 = 'finca-1-token-0123456789';
const TOKEN_2 = 'finca-2-token-9876543210';

describe('POST /api/ingest (SQLite, through the edge outbox)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'clima-http-ingest-'));
  const clock = new ManualClock(Date.parse('2026-11-29T17:30:00Z'));
  const metrics = createMetrics();
  let db: Database;
  let edge: EdgeOutbox;
  let dashboard: ReturnType<typeof createTestDashboard>;
  before(async () => {
    db = openDb({ dialect: 'sqlite', path: join(dir, 'clima.db') });
    await migrateToLatest(db);
    edge = createEdgeOutbox({
      path: join(dir, 'outbox.db'),
      maxRows: 100_000,
      database: createReadingsRepository(db),
      embedded: true,
      clock,
      logger: silentLogger,
    });
    dashboard = createTestDashboard({
      db,
      clock,
      metrics,
      stations: [
        { name: 'finca-1', city: 'Manizales' },
        { name: 'finca-2', city: 'Pereira' },
        { name: 'finca-3', city: 'Pereira' },
      ],
      ingest: {
        stations: [
          { name: 'finca-1', city: 'Manizales', tokenSha256: sha256(TOKEN_1) },
          { name: 'finca-2', city: 'Pereira', tokenSha256: sha256(TOKEN_2) },
        ],
        store: edge.queue,
        rejections: createRejectionLog({ metrics, clock, logger: silentLogger }),
        ratePerMinute: 1_200,
        clock,
      },
    });
  });
  after(async () => {
    await dashboard.app.close();
    await edge.stop();
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const post = (token: string | undefined, body: unknown) =>
    dashboard.app.inject({
      method: 'POST',
      url: '/api/ingest',
      headers: {
        'content-type': 'application/json',
        ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
      },
      payload: typeof body === 'string' ? body : JSON.stringify(body),
    });

  it('answers 202 once the readings are committed to the outbox, which brings them to the database', async () => {
    const one = await post(TOKEN_1, { temperature: 21.4, humidity: 63, takenAt: '2026-11-29T17:20:00Z' });
    assert.equal(one.statusCode, 202, one.body);
    assert.deepEqual(one.json(), { accepted: 1 });
    const many = await post(
      TOKEN_2,
      Array.from({ length: 100 }, (_, i) => ({
        temperature: 15 + i / 10,
        humidity: 50,
        takenAt: new Date(Date.parse('2026-11-29T17:00:00Z') + i * 1000).toISOString(),
      })),
    );
    assert.equal(many.statusCode, 202, many.body);
    assert.equal(edge.status().depth, 101, 'committed before the answer');
    // Sent again (a retry after a lost answer): the same keys, stored once.
    assert.equal(
      (await post(TOKEN_1, { temperature: 21.4, humidity: 63, takenAt: '2026-11-29T17:20:00Z' })).statusCode,
      202,
    );
    edge.start();
    const repository = createReadingsRepository(db);
    const deadline = Date.now() + 10_000;
    while ((await repository.count()) < 101 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 20));
    assert.equal(await repository.count(), 101);
    const [latest] = await repository.latestPerCity(['Manizales']);
    assert.deepEqual(
      { city: latest?.city, station: latest?.station, source: latest?.source, takenAt: latest?.takenAt },
      { city: 'Manizales', station: 'finca-1', source: 'device', takenAt: '2026-11-29T17:20:00Z' },
    );
  });

  it('answers 401 to a missing or unknown token, with nothing stored', async () => {
    const depth = edge.status().depth;
    for (const token of [undefined, 'not-a-station-token', sha256(TOKEN_1)]) {
      const response = await post(token, { temperature: 20, humidity: 50 });
      assert.equal(response.statusCode, 401, String(token));
      assert.equal(response.headers['www-authenticate'], 'Bearer');
    }
    assert.equal(edge.status().depth, depth);
  });

  it('answers 400 naming the bad field, and 413 past the size limit', async () => {
    const cases: [unknown, string, string | undefined][] = [
      ['{"temperature": ', 'bad-json', undefined],
      [{ temperature: 20 }, 'bad-payload', 'humidity'],
      [
        [
          { temperature: 20, humidity: 50 },
          { temperature: 200, humidity: 50 },
        ],
        'out-of-range',
        '[1].temperature',
      ],
      [{ temperature: 20, humidity: 50, takenAt: 'yesterday' }, 'bad-time', 'takenAt'],
      [[], 'bad-payload', undefined],
      [Array.from({ length: 1001 }, () => ({ temperature: 1, humidity: 1 })), 'bad-payload', undefined],
    ];
    for (const [body, code, field] of cases) {
      const response = await post(TOKEN_1, body);
      assert.equal(response.statusCode, 400, JSON.stringify(body).slice(0, 80));
      assert.equal(response.json().error.code, code);
      assert.equal(response.json().error.field, field);
    }
    const huge = await post(TOKEN_1, `[${'{"temperature": 1, "humidity": 1},'.repeat(9000)}{}]`);
    assert.equal(huge.statusCode, 413);
    const text = await metrics.registry.getSingleMetricAsString('clima_ingest_rejected_total');
    assert.match(text, /transport="http",reason="out-of-range"} 1\n/);
    assert.match(text, /transport="http",reason="bad-json"} 1\n/);
    assert.match(text, /transport="http",reason="unknown-station"} 3\n/);
  });

  it('answers 429 with Retry-After once a station exceeds its rate, the other station unaffected', async () => {
    clock.advance(60_000);
    const batch = (start: number) =>
      Array.from({ length: 400 }, (_, i) => ({
        temperature: 10,
        humidity: 10,
        takenAt: new Date(Date.parse('2026-11-29T10:00:00Z') + (start + i) * 1000).toISOString(),
      }));
    // 1,200 a minute (20 a second), and as many at once.
    for (const start of [0, 400, 800]) assert.equal((await post(TOKEN_1, batch(start))).statusCode, 202);
    const limited = await post(TOKEN_1, batch(1200));
    assert.equal(limited.statusCode, 429);
    assert.equal(limited.headers['retry-after'], '20', '400 readings at 20 a second');
    assert.equal((await post(TOKEN_2, batch(0))).statusCode, 202, 'the rate is per station');
    clock.advance(10_000);
    assert.equal((await post(TOKEN_1, batch(1200))).statusCode, 429, 'half of them only, after 10 s');
    clock.advance(10_000);
    assert.equal((await post(TOKEN_1, batch(1200))).statusCode, 202);
  });

  it("shows stations beside cities: the newest reading of each, and a station's history newest first", async () => {
    const list = await dashboard.app.inject({ method: 'GET', url: '/api/stations' });
    assert.equal(list.statusCode, 200, list.body);
    const stations = list.json().stations as {
      name: string;
      city: string;
      latest: Record<string, unknown> | null;
    }[];
    assert.deepEqual(
      stations.map((s) => [
        s.name,
        s.city,
        s.latest?.takenAt ?? null,
        s.latest?.source ?? null,
        s.latest?.station ?? null,
      ]),
      [
        ['finca-1', 'Manizales', '2026-11-29T17:20:00Z', 'device', 'finca-1'],
        ['finca-2', 'Pereira', '2026-11-29T17:01:39Z', 'device', 'finca-2'],
        ['finca-3', 'Pereira', null, null, null],
      ],
    );
    assert.equal(JSON.stringify(list.json()).includes('tokenSha256'), false, 'no token hash');
    const history = await dashboard.app.inject({
      method: 'GET',
      url: '/api/stations/finca-2/readings?from=2026-11-29T17:00:00Z&to=2026-11-29T17:00:05Z&limit=3',
    });
    assert.equal(history.statusCode, 200, history.body);
    assert.deepEqual(
      history
        .json()
        .readings.map((r: { takenAt: string; temperature: number }) => [r.takenAt, r.temperature]),
      [
        ['2026-11-29T17:00:05Z', 15.5],
        ['2026-11-29T17:00:04Z', 15.4],
        ['2026-11-29T17:00:03Z', 15.3],
      ],
    );
    const unknown = await dashboard.app.inject({ method: 'GET', url: '/api/stations/nobody/readings' });
    assert.equal(unknown.statusCode, 404);
    const bad = await dashboard.app.inject({ method: 'GET', url: '/api/stations/finca-1/readings?limit=0' });
    assert.equal(bad.statusCode, 400);
  });
});
