import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { ManualClock } from '../../src/core/clock.js';
import type { Dashboard } from '../../src/dashboard/create-dashboard.js';
import type { DatabaseTarget } from '../../src/db/database-url.js';
import { migrateToLatest } from '../../src/db/migrations/migrate-to-latest.js';
import { type Database, openDb } from '../../src/db/open-db.js';
import type { NewReading } from '../../src/db/reading.js';
import { createReadingsRepository } from '../../src/db/readings-repository.js';
import type { City } from '../../src/weather/city.js';
import { reading } from '../db/readings-repository.contract.js';
import { captureLogger } from '../support/capture-logger.js';
import { type FakeOpenMeteo, startFakeOpenMeteo } from '../support/fake-open-meteo.js';
import { createTestDashboard } from '../support/test-dashboard.js';

export const NOW = Date.parse('2026-08-20T15:00:00Z');
const XSS = '<img src=x onerror=alert(1)>';
const QUOTED = 'Villa "Nueva", Sur';
/** A name a spreadsheet would run as a formula. */
const FORMULA = '=Villa+Sur';
/** Cartagena's older history: more readings than the CSV reads from the database at a time. */
const CARTAGENA_HISTORY = 2100;

export const CITIES: City[] = [
  { name: 'Bogota', latitude: 4.6097, longitude: -74.0817 },
  { name: 'Cartagena', latitude: 10.3997, longitude: -75.5144 },
  { name: XSS, latitude: 1, longitude: 1 },
  { name: QUOTED, latitude: 2, longitude: 2 },
  { name: 'Empty', latitude: 3, longitude: 3 },
  { name: FORMULA, latitude: 4, longitude: 4 },
];

/**
 * Two days of Bogota every 15 min; Cartagena's last hour, and a reading a minute for 35 hours
 * ending two days ago; one reading of each odd-named city.
 */
function seedReadings(): NewReading[] {
  const readings: NewReading[] = [];
  for (let i = 0; i < 2 * 96; i++)
    readings.push(
      reading('Bogota', NOW - i * 900_000, { temperature: 10 + (i % 10), humidity: 60 + (i % 30) }),
    );
  for (let i = 0; i < 4; i++)
    readings.push(
      reading('Cartagena', NOW - 600_000 - i * 900_000, { temperature: 28 + i / 10, humidity: 80 }),
    );
  readings.push(reading(XSS, NOW - 60_000, { temperature: 1, humidity: 1 }));
  for (let i = 0; i < CARTAGENA_HISTORY; i++)
    readings.push(reading('Cartagena', NOW - 2 * 86_400_000 - i * 60_000, { temperature: 27, humidity: 75 }));
  readings.push(reading(QUOTED, NOW - 60_000, { temperature: 2, humidity: 2 }));
  readings.push(reading(FORMULA, NOW - 60_000, { temperature: -3.2, humidity: 4 }));
  return readings;
}

/** Every endpoint's answers and refusals, registered into the caller's `describe` (once per dialect). */
export function dashboardApiContract(freshTarget: () => Promise<DatabaseTarget>): void {
  let db: Database;
  let dashboard: Dashboard;
  let fake: FakeOpenMeteo;
  const clock = new ManualClock(NOW);

  before(async () => {
    db = openDb(await freshTarget());
    await migrateToLatest(db);
    await createReadingsRepository(db).insertBatch(seedReadings());
    fake = await startFakeOpenMeteo({ clock });
    const { logger } = captureLogger('warn');
    dashboard = createTestDashboard({
      db,
      weatherUrl: fake.url,
      cities: CITIES,
      timeZone: 'America/Bogota',
      clock,
      logger,
    });
  });
  after(async () => {
    await dashboard.app.close();
    await fake.close();
    await db.close();
  });

  const get = (url: string) => dashboard.app.inject({ method: 'GET', url });

  async function badRequest(url: string, parameter: string, code = 'invalid_parameter') {
    const response = await get(url);
    assert.equal(response.statusCode, 400, `${url}: ${response.body}`);
    const body = response.json();
    assert.equal(body.error.code, code, url);
    assert.match(body.error.message, new RegExp(`"${parameter}"`), url);
  }

  it('lists the configured cities', async () => {
    const response = await get('/api/cities');
    assert.equal(response.statusCode, 200);
    assert.deepEqual(response.json(), { cities: CITIES });
  });

  it('gives the latest reading per city with its age and staleness', async () => {
    clock.set(NOW + 30_000);
    const body = (await get('/api/latest')).json();
    assert.equal(body.staleAfterSeconds, 45);
    const bogota = body.readings.find((r: { city: string }) => r.city === 'Bogota');
    assert.deepEqual(bogota, {
      id: bogota.id,
      city: 'Bogota',
      temperature: 10,
      humidity: 60,
      takenAt: '2026-08-20T15:00:00Z',
      observedAt: '2026-08-20T15:00:00Z',
      source: 'simulated',
      ageSeconds: 30,
      stale: false,
    });
    const cartagena = body.readings.find((r: { city: string }) => r.city === 'Cartagena');
    assert.equal(cartagena.ageSeconds, 630);
    assert.equal(cartagena.stale, true);
    assert.equal(body.readings.length, 5, 'a city without readings is absent');
    clock.set(NOW);
  });

  it("gives a city's readings in a range, newest first, limited", async () => {
    const body = (
      await get('/api/readings?city=Bogota&from=2026-08-20T12:00:00Z&to=2026-08-20T14:00:00Z&limit=3')
    ).json();
    assert.equal(body.city, 'Bogota');
    assert.equal(body.from, '2026-08-20T12:00:00.000Z');
    assert.deepEqual(
      body.readings.map((r: { takenAt: string }) => r.takenAt),
      ['2026-08-20T14:00:00Z', '2026-08-20T13:45:00Z', '2026-08-20T13:30:00Z'],
    );
  });

  it('defaults to the last 24 hours and 100 readings', async () => {
    const body = (await get('/api/readings?city=Bogota')).json();
    assert.equal(body.to, new Date(NOW).toISOString());
    assert.equal(body.from, new Date(NOW - 86_400_000).toISOString());
    assert.equal(body.readings.length, 97);
  });

  it('buckets a range into at most `points` buckets with avg, min and max', async () => {
    const body = (
      await get('/api/readings?city=Bogota&from=2026-08-19T15:00:00Z&to=2026-08-20T15:00:00Z&points=24')
    ).json();
    assert.ok(body.buckets.length <= 24, `${body.buckets.length} buckets`);
    assert.ok(body.buckets.length >= 20, `${body.buckets.length} buckets`);
    // A day at 24 points: the 15 min rollups, five to a bucket.
    assert.equal(body.bucketSeconds, 4500);
    for (const bucket of body.buckets) {
      assert.ok(
        bucket.temperatureMin <= bucket.temperatureAvg && bucket.temperatureAvg <= bucket.temperatureMax,
      );
      assert.ok(bucket.humidityMin <= bucket.humidityAvg && bucket.humidityAvg <= bucket.humidityMax);
    }
    const total = body.buckets.reduce((sum: number, b: { count: number }) => sum + b.count, 0);
    assert.equal(total, 97);
  });

  it("gives every city's buckets in one answer when `points` names no city, each as its own query gives them", async () => {
    const range = 'from=2026-08-19T15:00:00Z&to=2026-08-20T15:00:00Z&points=24';
    const body = (await get(`/api/readings?${range}`)).json();
    assert.equal(body.from, '2026-08-19T15:00:00.000Z');
    assert.equal(body.to, '2026-08-20T15:00:00.000Z');
    assert.equal(body.bucketSeconds, 4500);
    assert.deepEqual(
      body.cities.map((c: { city: string }) => c.city),
      CITIES.map((c) => c.name),
    );
    for (const { city, buckets } of body.cities) {
      const one = (await get(`/api/readings?city=${encodeURIComponent(city)}&${range}`)).json();
      assert.equal(one.bucketSeconds, body.bucketSeconds, city);
      assert.deepEqual(buckets, one.buckets, city);
    }
    const counts = body.cities.map((c: { buckets: { count: number }[] }) =>
      c.buckets.reduce((sum, b) => sum + b.count, 0),
    );
    assert.deepEqual(counts, [97, 4, 1, 1, 0, 1]);
  });

  it('streams the same selection as RFC 4180 CSV', async () => {
    const query = 'city=Bogota&from=2026-08-20T12:00:00Z&to=2026-08-20T14:00:00Z&limit=3';
    const json = (await get(`/api/readings?${query}`)).json();
    const csv = await get(`/api/readings.csv?${query}`);
    assert.equal(csv.statusCode, 200);
    assert.match(csv.headers['content-type'] as string, /^text\/csv/);
    assert.match(
      csv.headers['content-disposition'] as string,
      /attachment; filename="clima-Bogota-2026-08-20.csv"/,
    );
    const lines = csv.body.split('\r\n');
    assert.equal(lines[0], 'id,city,temperature,humidity,takenAt,observedAt,source');
    assert.equal(lines.length, 5);
    assert.equal(lines[4], '');
    json.readings.forEach((r: Record<string, unknown>, i: number) => {
      assert.equal(
        lines[i + 1],
        [r.id, r.city, r.temperature, r.humidity, r.takenAt, r.observedAt, r.source].join(','),
      );
    });
  });

  it('quotes CSV fields that hold commas and quotes', async () => {
    const csv = await get(`/api/readings.csv?city=${encodeURIComponent(QUOTED)}`);
    assert.equal(csv.statusCode, 200);
    assert.match(csv.body, /\r\n\d+,"Villa ""Nueva"", Sur",2,2,/);
  });

  it('neutralises a text cell a spreadsheet would run as a formula, and keeps numbers as numbers', async () => {
    const csv = await get(`/api/readings.csv?city=${encodeURIComponent(FORMULA)}`);
    assert.equal(csv.statusCode, 200);
    assert.match(csv.body, /\r\n\d+,"'=Villa\+Sur",-3\.2,4,/);
  });

  it("exports every raw reading of a city's range as CSV, read page by page, not 100 nor chart buckets", async () => {
    const from = new Date(NOW - 4 * 86_400_000).toISOString();
    const csv = await get(`/api/readings.csv?city=Cartagena&from=${from}`);
    assert.equal(csv.statusCode, 200);
    const [header, ...rows] = csv.body.trimEnd().split('\r\n');
    assert.equal(header, 'id,city,temperature,humidity,takenAt,observedAt,source');
    assert.equal(rows.length, CARTAGENA_HISTORY + 4);
    const ids = rows.map((row) => Number(row.split(',')[0]));
    assert.equal(new Set(ids).size, ids.length, 'each reading once');
    const times = rows.map((row) => row.split(',')[4] ?? '');
    assert.deepEqual(times, [...times].sort().reverse(), 'newest first');
    assert.equal(times[0], new Date(NOW - 600_000).toISOString().replace('.000Z', 'Z'));
    assert.ok(rows.every((row) => row.split(',')[1] === 'Cartagena'));
  });

  it('ends the CSV at `to`, to the second', async () => {
    const to = new Date(NOW - 2 * 86_400_000).toISOString();
    const from = new Date(NOW - 2 * 86_400_000 - 599_000).toISOString();
    const rows = (await get(`/api/readings.csv?city=Cartagena&from=${from}&to=${to}`)).body
      .trimEnd()
      .split('\r\n')
      .slice(1);
    assert.equal(rows.length, 10, 'the minutes from `from` to `to`, both ends included');
  });

  it('exports every city when the CSV names none, with a city column', async () => {
    const from = '2026-08-19T15:00:00Z';
    const to = '2026-08-20T15:00:00Z';
    const csv = await get(`/api/readings.csv?from=${from}&to=${to}`);
    assert.equal(csv.statusCode, 200);
    assert.match(
      csv.headers['content-disposition'] as string,
      /attachment; filename="clima-all-cities-2026-08-20.csv"/,
    );
    const [header, ...rows] = csv.body.trimEnd().split('\r\n');
    assert.equal(header, 'id,city,temperature,humidity,takenAt,observedAt,source');
    const cityOf = (row: string) => row.split(',')[1];
    assert.equal(rows.filter((row) => cityOf(row) === 'Bogota').length, 97);
    assert.equal(rows.filter((row) => cityOf(row) === 'Cartagena').length, 4);
    assert.equal(rows.length, 97 + 4 + 3, 'and the odd-named cities');
    assert.match(csv.body, /\r\n\d+,"Villa ""Nueva"", Sur",2,2,/);
    assert.match(csv.body, /\r\n\d+,"'=Villa\+Sur",-3\.2,4,/);
    assert.match(csv.body, /\r\n\d+,<img src=x onerror=alert\(1\)>,1,1,/);
    const cities = rows.map((row) =>
      row.includes('Bogota') ? 'Bogota' : row.includes('Cartagena') ? 'Cartagena' : 'other',
    );
    assert.deepEqual(
      cities.filter((city, i) => city !== cities[i - 1]),
      ['Bogota', 'Cartagena', 'other'],
      'city by city, in the configured order',
    );
  });

  it('exports buckets as CSV when points is given', async () => {
    const csv = await get('/api/readings.csv?city=Bogota&points=10');
    const lines = csv.body.trimEnd().split('\r\n');
    assert.equal(
      lines[0],
      'bucketStart,count,temperatureAvg,temperatureMin,temperatureMax,humidityAvg,humidityMin,humidityMax',
    );
    assert.ok(lines.length > 1 && lines.length <= 11);
  });

  it('refuses bad parameters with 400 and a JSON reason naming the parameter', async () => {
    await badRequest('/api/readings?city=Atlantis', 'city', 'unknown_city');
    await badRequest('/api/readings', 'city');
    await badRequest('/api/readings?limit=5', 'city');
    await badRequest('/api/readings?city=Bogota&from=yesterday', 'from');
    await badRequest('/api/readings?city=Bogota&from=2026-02-30T00:00:00Z', 'from');
    await badRequest('/api/readings?city=Bogota&to=2026-08-20T25:00:00Z', 'to');
    await badRequest('/api/readings?city=Bogota&from=2026-08-20T12:00:00Z&to=2026-08-20T11:00:00Z', 'from');
    await badRequest('/api/readings?city=Bogota&limit=0', 'limit');
    await badRequest('/api/readings?city=Bogota&limit=1001', 'limit');
    await badRequest('/api/readings?city=Bogota&limit=ten', 'limit');
    await badRequest('/api/readings?city=Bogota&points=2001', 'points');
    await badRequest('/api/readings?city=Bogota&points=-1', 'points');
    await badRequest('/api/readings?city=Bogota&order=asc', 'order', 'unknown_parameter');
    await badRequest('/api/readings?city=Bogota&city=Cali', 'city');
    await badRequest('/api/readings.csv?city=Bogota&limit=5000', 'limit');
    await badRequest('/api/readings.csv?points=100', 'points');
    await badRequest('/api/readings.csv?city=Atlantis', 'city', 'unknown_city');
    await badRequest('/api/latest?city=Bogota', 'city', 'unknown_parameter');
    await badRequest('/api/weather?city=Atlantis', 'city', 'unknown_city');
    await badRequest('/api/weather', 'city');
  });

  it('keeps SQL out of reach: a city name is only ever a bound parameter', async () => {
    await badRequest(`/api/readings?city=${encodeURIComponent("Bogota' OR '1'='1")}`, 'city', 'unknown_city');
  });

  it('gives live weather for one city from Open-Meteo', async () => {
    const response = await get('/api/weather?city=Cartagena');
    assert.equal(response.statusCode, 200);
    const body = response.json();
    assert.equal(body.city, 'Cartagena');
    assert.equal(body.source, 'open-meteo');
    assert.equal(typeof body.temperature, 'number');
    assert.ok(Number.isInteger(body.humidity));
    assert.equal(body.observedAt, '2026-08-20T15:00:00.000Z');
  });

  it('reports the database, Open-Meteo and freshness per city in /api/status', async () => {
    const body = (await get('/api/status')).json();
    assert.equal(body.database.status, 'up');
    assert.equal(body.openMeteo.status, 'up');
    assert.ok(body.openMeteo.callsToday >= 1);
    assert.equal(body.freshness.cities.length, CITIES.length);
    const empty = body.freshness.cities.find((c: { city: string }) => c.city === 'Empty');
    assert.deepEqual(empty, { city: 'Empty', latestAt: null, ageSeconds: null, stale: true, source: null });
  });

  it('answers /healthz and /readyz while the database answers', async () => {
    assert.equal((await get('/healthz')).statusCode, 200);
    const ready = await get('/readyz');
    assert.equal(ready.statusCode, 200);
    assert.deepEqual(ready.json(), { status: 'ready' });
  });

  it('exposes request, query, upstream and process metrics', async () => {
    await get('/api/latest');
    const metrics = await get('/metrics');
    assert.equal(metrics.statusCode, 200);
    assert.match(metrics.headers['content-type'] as string, /^text\/plain/);
    assert.match(
      metrics.body,
      /clima_http_request_duration_seconds_count\{method="GET",route="\/api\/latest",status="200"\} \d+/,
    );
    assert.match(
      metrics.body,
      /clima_db_query_duration_seconds_count\{query="latest_per_city",outcome="ok"\} \d+/,
    );
    assert.match(metrics.body, /clima_upstream_requests_total\{upstream="open-meteo"\} [1-9]/);
    assert.match(metrics.body, /process_cpu_user_seconds_total/);
  });

  it('renders the page with readings, the last 15 and live weather', async () => {
    const response = await get('/?lang=en&city=Cartagena');
    assert.equal(response.statusCode, 200);
    assert.match(response.headers['content-type'] as string, /^text\/html/);
    assert.match(response.headers['content-security-policy'] as string, /default-src 'self'/);
    assert.match(response.body, /<html lang="en"/);
    assert.match(response.body, /id="weather"[^>]*data-state="ok"/);
    assert.match(response.body, /Cartagena/);
  });

  it('ignores parameters the page does not know, such as campaign tags', async () => {
    const response = await get('/?utm_source=newsletter&fbclid=IwAR0abc&lang=en&city=Cartagena&city=Bogota');
    assert.equal(response.statusCode, 200);
    assert.match(response.headers['content-type'] as string, /^text\/html/);
    assert.match(response.body, /<option value="Cartagena" selected>/, 'the first of a repeated parameter');
    assert.doesNotMatch(response.body, /id="page-notice"/);
  });

  it('falls back to the negotiated language when `lang` is not one the page speaks', async () => {
    const page = (lang: string, acceptLanguage: string) =>
      dashboard.app.inject({
        method: 'GET',
        url: `/?lang=${lang}`,
        headers: { 'accept-language': acceptLanguage },
      });
    for (const lang of ['fr', '', 'es-CO', 'x'.repeat(300)]) {
      const response = await page(lang, 'es-CO,es;q=0.9');
      assert.equal(response.statusCode, 200, lang);
      assert.match(response.body, /<html lang="es">/, lang);
    }
    assert.match((await page('fr', 'en-GB')).body, /<html lang="en">/);
  });

  it('shows the first city with a notice, in the page language, when the address names an unknown one', async () => {
    const en = await get('/?lang=en&city=Atlantis&range=7d&view=compare');
    assert.equal(en.statusCode, 200);
    assert.match(en.headers['content-type'] as string, /^text\/html/);
    assert.match(en.body, /id="page-notice"[^>]*>There is no city “Atlantis” here; showing Bogota\.</);
    assert.match(en.body, /<option value="Bogota" selected>/);
    assert.match(en.body, /value="7d"[^>]* checked/, 'the rest of the address still holds');
    assert.match(en.body, /value="compare" checked/);
    const empty = await get('/?lang=en&city=');
    assert.match(empty.body, /<option value="Bogota" selected>/);
    assert.doesNotMatch(empty.body, /id="page-notice"/, 'an empty city asks for none');
    const es = await get(`/?lang=es&city=${encodeURIComponent(XSS)}x`);
    assert.equal(es.statusCode, 200);
    assert.match(
      es.body,
      /No hay ninguna ciudad «&lt;img src=x onerror=alert\(1\)&gt;x» aquí; se muestra Bogota\./,
    );
  });

  it('shows the default range and view for values the page does not offer', async () => {
    const body = (await get('/?lang=en&range=1y&view=pie')).body;
    assert.match(body, /value="24h"[^>]* checked/);
    assert.match(body, /value="city" checked/);
  });

  it('serves every asset the page loads itself, uPlot from its npm package', async () => {
    const assets: [string, RegExp, RegExp][] = [
      ['/assets/uplot.js', /^text\/javascript/, /uPlot/],
      ['/assets/uplot.css', /^text\/css/, /\.uplot/],
      ['/assets/dashboard.js', /^text\/javascript/, /EventSource/],
      ['/assets/dashboard.js.map', /^application\/json/, /src\/dashboard\/browser\/dashboard\.ts/],
      ['/assets/dashboard.css', /^text\/css/, /status-strip/],
    ];
    for (const [path, type, content] of assets) {
      const response = await get(path);
      assert.equal(response.statusCode, 200, path);
      assert.match(response.headers['content-type'] as string, type, path);
      assert.match(response.body, content, path);
    }
  });

  it('renders a hostile city name as text', async () => {
    const body = (await get('/')).body;
    assert.ok(!body.includes(XSS), 'the raw tag never reaches the page');
    assert.ok(body.includes('&lt;img src=x onerror=alert(1)&gt;'));
  });

  it('answers an unknown route with a JSON 404', async () => {
    const response = await get('/api/nothing');
    assert.equal(response.statusCode, 404);
    assert.equal(response.json().error.code, 'not_found');
  });
}
