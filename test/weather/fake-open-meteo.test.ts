import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, beforeEach, describe, it } from 'node:test';
import { ManualClock } from '../../src/core/clock.js';
import { type FakeOpenMeteo, startFakeOpenMeteo } from '../support/fake-open-meteo.js';

const fixture = (name: string) =>
  readFileSync(new URL(`../fixtures/open-meteo/${name}`, import.meta.url), 'utf8');
const FIXTURE_INSTANT = Date.parse('2026-08-20T14:52:31Z');
const CURRENT = 'current=temperature_2m,relative_humidity_2m';
const SINGLE_QUERY = `latitude=4.6097&longitude=-74.0817&${CURRENT}`;
const MULTI_QUERY = `latitude=4.6097,6.2518,3.4372&longitude=-74.0817,-75.5636,-76.5225&${CURRENT}&timezone=America/Bogota`;

/** Keys in order and the type of every value: what must match the real server whatever the numbers. */
function shape(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(shape);
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).map(([key, inner]) => [key, shape(inner)]);
  }
  return typeof value;
}

/** Makes the fake answer the fixture's points with the fixture's own numbers. */
function setFixtureValues(fake: FakeOpenMeteo, body: string, queried: Array<[number, number]>): void {
  const entries = [JSON.parse(body)].flat() as Array<
    Record<string, number> & { current: Record<string, number> }
  >;
  entries.forEach((entry, index) => {
    const [latitude, longitude] = queried[index] ?? [0, 0];
    fake.setLocation(latitude, longitude, {
      temperature: entry.current.temperature_2m,
      humidity: entry.current.relative_humidity_2m,
      grid: { latitude: entry.latitude ?? 0, longitude: entry.longitude ?? 0 },
      elevation: entry.elevation,
      generationTimeMs: entry.generationtime_ms,
    });
  });
}

describe('fake Open-Meteo', () => {
  const clock = new ManualClock(FIXTURE_INSTANT);
  let fake: FakeOpenMeteo;
  const get = (query: string) => fetch(`${fake.url}/v1/forecast?${query}`);

  before(async () => {
    fake = await startFakeOpenMeteo({ clock });
  });
  beforeEach(() => {
    fake.reset();
    clock.set(FIXTURE_INSTANT);
  });
  after(() => fake.close());

  it('answers the fixture requests with bodies of the same structure as the fixtures', async () => {
    for (const [query, name] of [
      [SINGLE_QUERY, 'current-single.json'],
      [MULTI_QUERY, 'current-multi.json'],
    ] as const) {
      const response = await get(query);
      assert.equal(response.status, 200);
      assert.equal(response.headers.get('content-type'), 'application/json; charset=utf-8');
      const body = await response.text();
      assert.deepEqual(shape(JSON.parse(body)), shape(JSON.parse(fixture(name))));
      assert.ok(!body.includes('\n') && !body.includes(' '), 'one line, no whitespace');
    }
  });

  it('answers byte for byte like the fixtures when given the same values and grid cells', async () => {
    setFixtureValues(fake, fixture('current-single.json'), [[4.6097, -74.0817]]);
    assert.equal(await (await get(SINGLE_QUERY)).text(), fixture('current-single.json'));
    fake.reset();
    setFixtureValues(fake, fixture('current-multi.json'), [
      [4.6097, -74.0817],
      [6.2518, -75.5636],
      [3.4372, -76.5225],
    ]);
    assert.equal(await (await get(MULTI_QUERY)).text(), fixture('current-multi.json'));
  });

  it('reports grid cells that differ from the queried coordinates', async () => {
    const body = JSON.parse(await (await get(SINGLE_QUERY)).text()) as {
      latitude: number;
      longitude: number;
    };
    assert.notEqual(body.latitude, 4.6097);
    assert.notEqual(body.longitude, -74.0817);
    assert.ok(Math.abs(body.latitude - 4.6097) < 0.1);
  });

  it('writes temperatures with one decimal even when whole', async () => {
    fake.setLocation(4.6097, -74.0817, { temperature: 16, humidity: 63 });
    assert.match(
      await (await get(SINGLE_QUERY)).text(),
      /"temperature_2m":16\.0,"relative_humidity_2m":63\}/,
    );
  });

  it('floors current.time to 15 minutes of its clock, in GMT, Bogota time or unixtime', async () => {
    clock.set(Date.parse('2026-08-20T15:14:59Z'));
    const time = async (query: string) =>
      (JSON.parse(await (await get(query)).text()) as { current: { time: unknown } }).current.time;
    assert.equal(await time(SINGLE_QUERY), '2026-08-20T15:00');
    assert.equal(await time(`${SINGLE_QUERY}&timezone=America/Bogota`), '2026-08-20T10:00');
    assert.equal(await time(`${SINGLE_QUERY}&timezone=auto`), '2026-08-20T10:00');
    assert.equal(
      await time(`${SINGLE_QUERY}&timeformat=unixtime`),
      Date.parse('2026-08-20T15:00:00Z') / 1000,
    );
  });

  it('answers a latitude out of range exactly like the error fixture', async () => {
    const response = await get(`latitude=91&longitude=-74.0817&${CURRENT}`);
    assert.equal(response.status, 400);
    assert.equal(response.headers.get('content-type'), 'application/json; charset=utf-8');
    assert.equal(await response.text(), fixture('error-400.json'));
  });

  it('validates like the server: count mismatch, longitude range, unknown zone, unknown variable', async () => {
    for (const query of [
      `latitude=4.6,6.2&longitude=-74.0&${CURRENT}`,
      `latitude=4.6&longitude=200&${CURRENT}`,
      `${SINGLE_QUERY}&timezone=Mars/Olympus`,
      'latitude=4.6&longitude=-74.0&current=temperature_2mX',
      `latitude=north&longitude=-74.0&${CURRENT}`,
    ]) {
      const response = await get(query);
      assert.equal(response.status, 400, query);
      assert.equal((JSON.parse(await response.text()) as { error: unknown }).error, true);
    }
  });

  it('records every request with its path, query and the time of its clock', async () => {
    await get(SINGLE_QUERY);
    assert.equal(fake.requests.length, 1);
    assert.equal(fake.requests[0]?.path, '/v1/forecast');
    assert.equal(fake.requests[0]?.query.get('latitude'), '4.6097');
    assert.equal(fake.requests[0]?.at.getTime(), FIXTURE_INSTANT);
  });

  it('applies a behaviour for the next N requests, then answers normally again', async () => {
    fake.setBehaviour({ fault: 'overloaded', times: 2 });
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await get(SINGLE_QUERY)).status);
    assert.deepEqual(statuses, [503, 503, 200]);
  });

  it('keeps a behaviour until reset', async () => {
    fake.setBehaviour('bad-request');
    assert.equal((await get(SINGLE_QUERY)).status, 400);
    assert.equal((await get(SINGLE_QUERY)).status, 400);
    fake.reset();
    assert.equal((await get(SINGLE_QUERY)).status, 200);
  });

  it('sends 429 with Retry-After, and error bodies with either key order', async () => {
    fake.setBehaviour({ fault: 'rate-limited', retryAfter: '7', reasonFirst: true });
    const response = await get(SINGLE_QUERY);
    assert.equal(response.status, 429);
    assert.equal(response.headers.get('retry-after'), '7');
    assert.match(
      await response.text(),
      /^\{"reason":"Minutely API request limit exceeded.*","error":true\}$/,
    );
  });

  it('spoils values of one location only when asked to', async () => {
    fake.setBehaviour({ fault: 'null-values', location: 1 });
    const body = await (await get(MULTI_QUERY)).text();
    const entries = JSON.parse(body) as Array<{ current: { temperature_2m: unknown } }>;
    assert.deepEqual(
      entries.map((entry) => entry.current.temperature_2m === null),
      [false, true, false],
    );
  });

  it('drops an entry for fewer-entries and switches to °F for fahrenheit', async () => {
    fake.setBehaviour({ fault: 'fewer-entries', times: 1 });
    assert.equal((JSON.parse(await (await get(MULTI_QUERY)).text()) as unknown[]).length, 2);
    fake.setLocation(4.6097, -74.0817, { temperature: 20, humidity: 50 });
    fake.setBehaviour('fahrenheit');
    assert.match(await (await get(SINGLE_QUERY)).text(), /"temperature_2m":"°F".*"temperature_2m":68\.0/);
  });

  it('resets the connection and stalls when told to', async () => {
    fake.setBehaviour({ fault: 'reset', times: 1 });
    await assert.rejects(get(SINGLE_QUERY), TypeError);
    fake.setBehaviour({ fault: 'stall', times: 1 });
    await assert.rejects(
      fetch(`${fake.url}/v1/forecast?${SINGLE_QUERY}`, { signal: AbortSignal.timeout(100) }),
      {
        name: 'TimeoutError',
      },
    );
    assert.equal((await get(SINGLE_QUERY)).status, 200);
  });

  it('closes promptly with keep-alive and stalled connections open', async () => {
    const other = await startFakeOpenMeteo({ clock });
    await (await fetch(`${other.url}/v1/forecast?${SINGLE_QUERY}`)).text();
    other.setBehaviour('stall');
    const stalled = fetch(`${other.url}/v1/forecast?${SINGLE_QUERY}`).catch((error: unknown) => error);
    while (other.requests.length < 2) await new Promise((resolve) => setTimeout(resolve, 5));
    const started = Date.now();
    await other.close();
    assert.ok(Date.now() - started < 1000);
    assert.ok((await stalled) instanceof Error);
  });
});
