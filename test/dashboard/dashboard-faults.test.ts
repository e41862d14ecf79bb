import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type DatabaseTarget, parseDatabaseUrl } from '../../src/db/database-url.js';
import { migrateToLatest } from '../../src/db/migrations/migrate-to-latest.js';
import { type Database, openDb } from '../../src/db/open-db.js';
import { type NewReading, type Reading, readingKey } from '../../src/db/reading.js';
import { createReadingsRepository } from '../../src/db/readings-repository.js';
import { DEFAULT_CITIES } from '../../src/weather/city.js';
import { captureLogger } from '../support/capture-logger.js';
import { type FakeOpenMeteo, startFakeOpenMeteo } from '../support/fake-open-meteo.js';
import { mariadbSuite } from '../support/mariadb-server.js';
import { waitFor } from '../support/run-clima.js';
import { createTestDashboard } from '../support/test-dashboard.js';

/** A real listening dashboard (faults are about sockets and time-outs, so no `inject`). */
async function startDashboard(target: DatabaseTarget, fake: FakeOpenMeteo) {
  const db = openDb(target);
  await migrateToLatest(db);
  const { logger, lines } = captureLogger('info');
  const repository = createReadingsRepository(db);
  const now = Date.now();
  const readings: NewReading[] = DEFAULT_CITIES.flatMap((city) =>
    [0, 1, 2].map((i) => {
      const takenAt = new Date(Math.floor(now / 1000) * 1000 - i * 15_000);
      const key = readingKey(city.name, takenAt);
      return {
        key,
        city: city.name,
        temperature: 20 + i,
        humidity: 50,
        takenAt,
        observedAt: takenAt,
        source: 'simulated' as const,
      };
    }),
  );
  await repository.insertBatch(readings);
  const dashboard = createTestDashboard({ db, weatherUrl: fake.url, timeZone: 'America/Bogota', logger });
  await dashboard.start();
  const { port } = dashboard.app.server.address() as AddressInfo;
  const base = `http://127.0.0.1:${port}`;
  return { db, dashboard, repository, lines, base, fetchPath: (path: string) => fetch(`${base}${path}`) };
}

async function allRows(db: Database): Promise<Reading[]> {
  return createReadingsRepository(db).pageById({ afterId: 0, limit: 10_000 });
}

mariadbSuite('dashboard while MariaDB dies and comes back', (server) => {
  let fake: FakeOpenMeteo;
  let running: Awaited<ReturnType<typeof startDashboard>>;
  before(async () => {
    fake = await startFakeOpenMeteo();
    running = await startDashboard(parseDatabaseUrl(await server().createDatabase('clima_faults')), fake);
  });
  after(async () => {
    await running.dashboard.stop();
    await running.db.close();
    await fake.close();
  });

  it('degrades within 5 s of kill -9 and recovers within 10 s of a restart, history intact', async () => {
    const { fetchPath, db } = running;
    assert.equal((await fetchPath('/readyz')).status, 200);
    assert.equal((await fetchPath('/')).status, 200, 'a first page view fills the last known values');
    const before = await allRows(db);

    await server().kill();
    const killedAt = Date.now();
    await waitFor(
      async () => ((await fetchPath('/readyz')).status === 503 ? true : undefined),
      5_000,
      '/readyz 503',
    );
    const latest = await fetchPath('/api/latest');
    assert.equal(latest.status, 503);
    assert.ok(latest.headers.get('retry-after'));
    const reason = (await latest.json()) as { error: { code: string; message: string } };
    assert.equal(reason.error.code, 'database_unavailable');
    assert.doesNotMatch(reason.error.message, /ECONNREFUSED|SELECT|at .*\.js/);

    const page = await fetchPath('/?lang=en');
    assert.equal(page.status, 200);
    const html = await page.text();
    assert.match(html, /id="db-status"[^>]*data-state="down"/);
    assert.match(html, /database unavailable since \d\d:\d\d, retrying/i);
    assert.match(html, /id="latest"[^>]*data-stale="true"/, 'the last values it holds, marked stale');
    assert.match(html, /id="weather"[^>]*data-state="ok"/, 'the live weather panel is filled');
    assert.equal((await fetchPath('/api/weather?city=Cali')).status, 200);
    assert.equal((await fetchPath('/healthz')).status, 200);
    const status = (await (await fetchPath('/api/status')).json()) as { database: { status: string } };
    assert.equal(status.database.status, 'down');
    assert.ok(Date.now() - killedAt < 5_000, 'every check above ran within 5 s of the kill');

    await server().restart();
    const restartedAt = Date.now();
    await waitFor(
      async () => {
        const codes = await Promise.all(
          ['/readyz', '/api/latest', '/'].map(async (p) => (await fetchPath(p)).status),
        );
        return codes.every((code) => code === 200) ? true : undefined;
      },
      10_000,
      'every endpoint back to 200',
    );
    assert.ok(Date.now() - restartedAt < 10_000);
    assert.match(await (await fetchPath('/')).text(), /id="db-status"[^>]*data-state="up"/);
    assert.deepEqual(await allRows(db), before, 'every row written before the kill is there');
  });
});

describe('dashboard while Open-Meteo stalls', () => {
  const dir = mkdtempSync(join(tmpdir(), 'clima-stall-'));
  let fake: FakeOpenMeteo;
  let running: Awaited<ReturnType<typeof startDashboard>>;
  before(async () => {
    fake = await startFakeOpenMeteo();
    running = await startDashboard({ dialect: 'sqlite', path: join(dir, 'clima.db') }, fake);
  });
  after(async () => {
    await running.dashboard.stop();
    await running.db.close();
    await fake.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('renders the page within 2.5 s with readings and a weather-unavailable panel', async () => {
    fake.setBehaviour('stall');
    const started = Date.now();
    const page = await running.fetchPath('/?lang=en');
    const elapsed = Date.now() - started;
    assert.equal(page.status, 200);
    assert.ok(elapsed < 2_500, `rendered in ${elapsed} ms`);
    const html = await page.text();
    assert.match(html, /id="weather"[^>]*data-state="unavailable"/);
    assert.match(html, /id="latest"[^>]*data-state="ok"/);
    assert.match(html, /Bucaramanga/);
  });

  it('answers /api/weather with 503 and Retry-After when the API does not answer in 5 s', async () => {
    fake.setBehaviour('stall');
    const response = await running.fetchPath('/api/weather?city=Pereira');
    assert.equal(response.status, 503);
    assert.ok(Number(response.headers.get('retry-after')) >= 1);
    const body = (await response.json()) as { error: { code: string } };
    assert.equal(body.error.code, 'weather_unavailable');
  });

  it('finishes a request in flight when it is stopped', async () => {
    fake.reset();
    fake.setBehaviour('stall');
    const inFlight = running.fetchPath('/?city=Manizales');
    await new Promise((resolve) => setTimeout(resolve, 300));
    const stopping = running.dashboard.stop();
    const page = await inFlight;
    assert.equal(page.status, 200);
    await stopping;
    await assert.rejects(running.fetchPath('/healthz'), 'no new connections after the stop');
  });
});
