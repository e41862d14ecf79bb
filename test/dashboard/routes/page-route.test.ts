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
import { deviceReadingKey } from '../../../src/db/reading.js';
import { createReadingsRepository } from '../../../src/db/readings-repository.js';
import { reading } from '../../db/readings-repository.contract.js';
import { createTestDashboard } from '../../support/test-dashboard.js';

// A whole number of 15 s intervals since the epoch: the page's interval starts here.
const NOW = Date.parse('2026-08-20T15:00:00Z');

describe('the page', () => {
  const dir = mkdtempSync(join(tmpdir(), 'clima-page-route-'));
  const clock = new ManualClock(NOW);
  const metrics = createMetrics();
  let db: Database;
  let dashboard: Dashboard;

  before(async () => {
    db = openDb({ dialect: 'sqlite', path: join(dir, 'clima.db') });
    await migrateToLatest(db);
    await createReadingsRepository(db).insertBatch([
      reading('Bogota', NOW - 60_000, { temperature: 14.5, humidity: 70 }),
    ]);
    dashboard = createTestDashboard({ db, clock, metrics });
  });
  after(async () => {
    await dashboard.app.close();
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const page = async (url = '/?lang=en') => {
    const response = await dashboard.app.inject({ method: 'GET', url });
    assert.equal(response.statusCode, 200, response.body);
    return response.body;
  };
  const renders = async () =>
    (await metrics.registry.getSingleMetricAsString('clima_page_renders_total')).match(/ (\d+)$/m)?.[1];

  it('is built once for any number of requests, concurrent or not, within an interval', async () => {
    const first = await Promise.all(Array.from({ length: 20 }, () => page()));
    assert.equal(await renders(), '1');
    clock.advance(5_000);
    const later = [await page(), await page()];
    assert.equal(await renders(), '1');
    // Built again, the ages would read 65 s: the page served is the one built at the interval's start.
    for (const body of [...first, ...later]) assert.equal(body, first[0]);
    assert.match(first[0] as string, /1 min ago/);
  });

  it('is built once per language, city, range and view', async () => {
    const before = Number(await renders());
    await Promise.all([page('/?lang=es'), page('/?lang=es'), page('/?lang=en&city=Cali'), page('/?lang=en')]);
    assert.equal(Number(await renders()), before + 2);
  });

  it('is built again when a new reading arrives', async () => {
    const before = Number(await renders());
    await createReadingsRepository(db).insertBatch([
      reading('Bogota', clock.now() - 1_000, { temperature: 17.25, humidity: 61 }),
    ]);
    // The latest readings are asked at most once a second.
    clock.advance(1_500);
    const body = await page();
    assert.match(body, /17\.3 °C/);
    assert.equal(Number(await renders()), before + 1);
    assert.equal(await page(), body);
    assert.equal(Number(await renders()), before + 1);
  });

  it('is built again in the next interval', async () => {
    const before = Number(await renders());
    clock.set(NOW + 15_000);
    await page();
    await page();
    assert.equal(Number(await renders()), before + 1);
  });
});

describe('the page with stations', () => {
  const dir = mkdtempSync(join(tmpdir(), 'clima-page-stations-'));
  const clock = new ManualClock(NOW);
  let db: Database;
  let dashboard: Dashboard;
  const takenAt = new Date(NOW - 30_000);

  before(async () => {
    db = openDb({ dialect: 'sqlite', path: join(dir, 'clima.db') });
    await migrateToLatest(db);
    await createReadingsRepository(db).insertBatch([
      reading('Bogota', NOW - 60_000, { temperature: 14.5, humidity: 70 }),
      reading('Manizales', takenAt, {
        key: deviceReadingKey('finca-1', takenAt),
        station: 'finca-1',
        source: 'device',
        temperature: 18.3,
        humidity: 88,
      }),
    ]);
    dashboard = createTestDashboard({
      db,
      clock,
      stations: [
        { name: 'finca-1', city: 'Manizales' },
        { name: 'finca-2', city: 'Pereira' },
      ],
    });
  });
  after(async () => {
    await dashboard.app.close();
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("lists each station's newest stored reading, in both languages, with a link to its history", async () => {
    const en = (await dashboard.app.inject({ method: 'GET', url: '/?lang=en' })).body;
    const row = en.match(/<tr data-station="finca-1"[\s\S]*?<\/tr>/)?.[0] ?? '';
    assert.match(row, /data-field="city">Manizales</);
    assert.match(row, /18\.3 °C/);
    assert.match(row, /data-source="device">station</);
    assert.match(en, /<tr data-station="finca-2" data-state="empty">/);
    const es = (await dashboard.app.inject({ method: 'GET', url: '/?lang=es' })).body;
    assert.match(es, /Última lectura por estación/);
    assert.match(es, /data-source="device">estación</);
    // The link the row carries answers with that station's history.
    const href = row.match(/data-role="station-history" href="([^"]+)"/)?.[1] ?? '';
    const history = await dashboard.app.inject({ method: 'GET', url: href });
    assert.equal(history.statusCode, 200, history.body);
    const body = history.json() as { station: string; readings: { temperature: number }[] };
    assert.equal(body.station, 'finca-1');
    assert.deepEqual(
      body.readings.map((r) => r.temperature),
      [18.3],
    );
  });

  const page = async (url: string) => {
    const response = await dashboard.app.inject({ method: 'GET', url });
    assert.equal(response.statusCode, 200, response.body);
    return response.body;
  };
  const checkedView = (body: string) => body.match(/name="chart-view" value="(\w+)" checked/)?.[1];
  const selectedStation = (body: string) =>
    body.match(/<select id="chart-station"[\s\S]*?<option value="([^"]+)" selected>/)?.[1];

  it("opens on a station's charts when the address names it: a bookmark of `?station=`", async () => {
    const body = await page('/?lang=en&station=finca-2');
    assert.equal(checkedView(body), 'station');
    assert.equal(selectedStation(body), 'finca-2');
    assert.match(
      body,
      /<a href="\?lang=es&amp;city=Bogota&amp;range=24h&amp;view=station&amp;station=finca-2" lang="es"/,
    );
    assert.match(body, /id="station-json-link" href="\/api\/stations\/finca-2\/readings\?from=/);
    assert.doesNotMatch(body, /id="page-notice"/);
    // The station view without a station shows the first; another view keeps the station picked.
    assert.equal(selectedStation(await page('/?lang=en&view=station')), 'finca-1');
    const city = await page('/?lang=en&view=city&station=finca-2');
    assert.equal(checkedView(city), 'city');
    assert.equal(selectedStation(city), 'finca-2');
    assert.equal(checkedView(await page('/?lang=en&view=compare&station=finca-2')), 'compare');
  });

  it('names a station it does not know, in both languages, and shows the first one', async () => {
    const en = await page('/?lang=en&station=nobody');
    assert.equal(checkedView(en), 'station');
    assert.equal(selectedStation(en), 'finca-1');
    assert.match(en, /id="page-notice"[^>]*>There is no station “nobody” here; showing finca-1\.</);
    const es = await page('/?lang=es&station=%3Cb%3E');
    assert.match(es, /No hay ninguna estación «&lt;b&gt;» aquí; se muestra finca-1\./);
  });
});

describe('the page without stations', () => {
  const dir = mkdtempSync(join(tmpdir(), 'clima-page-no-stations-'));
  let db: Database;
  let dashboard: Dashboard;

  before(async () => {
    db = openDb({ dialect: 'sqlite', path: join(dir, 'clima.db') });
    await migrateToLatest(db);
    dashboard = createTestDashboard({ db, clock: new ManualClock(NOW) });
  });
  after(async () => {
    await dashboard.app.close();
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('shows the city view for `?station=`, saying there is no such station', async () => {
    const response = await dashboard.app.inject({ method: 'GET', url: '/?lang=en&station=finca-1' });
    assert.equal(response.statusCode, 200);
    assert.match(response.body, /name="chart-view" value="city" checked/);
    assert.doesNotMatch(response.body, /chart-station/);
    assert.match(response.body, /There is no station “finca-1” here; showing Bogota\./);
  });
});
