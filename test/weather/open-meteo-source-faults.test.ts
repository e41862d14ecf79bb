import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { silentLogger } from '../../src/core/logger.js';
import { sleep } from '../../src/core/sleep.js';
import { DEFAULT_CITIES } from '../../src/weather/city.js';
import { createOpenMeteoSource } from '../../src/weather/open-meteo-source.js';
import { WeatherError } from '../../src/weather/weather-error.js';
import { freePort } from '../support/free-port.js';
import { BOGOTA, CALI, type Harness, MEDELLIN, startHarness, WARN } from './open-meteo-harness.js';

async function rejection(promise: Promise<unknown>): Promise<WeatherError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof WeatherError, `expected a WeatherError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected a rejection');
}

describe('Open-Meteo source', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(() => h.close());

  it('reads every city in one request and matches the answers by position', async () => {
    DEFAULT_CITIES.forEach((city, index) => {
      h.fake.setLocation(city.latitude, city.longitude, { temperature: 10 + index, humidity: 50 + index });
    });
    const observations = await h.source.observe(DEFAULT_CITIES);
    assert.equal(h.fake.requests.length, 1);
    assert.equal(
      h.fake.requests[0]?.query.get('latitude'),
      DEFAULT_CITIES.map((city) => city.latitude).join(','),
    );
    assert.deepEqual(
      observations,
      DEFAULT_CITIES.map((city, index) => ({
        city: city.name,
        temperature: 10 + index,
        humidity: 50 + index,
        observedAt: new Date('2026-08-20T14:45:00Z'),
        source: 'open-meteo',
      })),
    );
  });

  it('reads a single city from the bare object the server sends for one location', async () => {
    h.fake.setLocation(BOGOTA.latitude, BOGOTA.longitude, { temperature: 16.4, humidity: 63 });
    const [bogota] = await h.source.observe([BOGOTA]);
    assert.deepEqual([bogota?.city, bogota?.temperature, bogota?.humidity], ['Bogota', 16.4, 63]);
  });

  it('does not retry a 400, rejects it as rejected and logs the server reason', async () => {
    h.fake.setBehaviour({ fault: 'bad-request', reasonFirst: true });
    const error = await rejection(h.source.observe(DEFAULT_CITIES));
    assert.equal(error.code, 'rejected');
    assert.match(error.message, /Latitude must be in range/);
    assert.equal(h.fake.requests.length, 1);
    assert.ok(
      h.logs.some((line) => line.level === WARN && String(line.reason).includes('Latitude must be in range')),
    );
  });

  it('retries a 503 a bounded number of times with growing delays, then rejects as unavailable', async () => {
    h.fake.setBehaviour('overloaded');
    const error = await rejection(h.source.observe(DEFAULT_CITIES));
    assert.equal(error.code, 'unavailable');
    assert.match(error.message, /The service is overloaded/);
    assert.equal(h.fake.requests.length, 4, 'the first attempt and 3 retries');
    assert.deepEqual(h.sleeps, [375, 750, 1500]);
    assert.match(h.logText(), /The service is overloaded/);
  });

  it('returns the data when a retry succeeds', async () => {
    h.fake.setBehaviour({ fault: 'overloaded', times: 2 });
    assert.equal((await h.source.observe(DEFAULT_CITIES)).length, 7);
    assert.equal(h.fake.requests.length, 3);
  });

  it('waits as long as Retry-After says, in seconds or as an HTTP date', async () => {
    h.fake.setBehaviour({ fault: 'rate-limited', retryAfter: '2', times: 1 });
    await h.source.observe([BOGOTA]);
    h.fake.setBehaviour({
      fault: 'rate-limited',
      retryAfter: new Date(h.clock.now() + 3000).toUTCString(),
      times: 1,
    });
    await h.source.observe([MEDELLIN]);
    assert.deepEqual(h.sleeps, [2000, 3000]);
    assert.equal(h.fake.requests.length, 4);
  });

  it('backs off exponentially on a 429 without Retry-After', async () => {
    h.fake.setBehaviour({ fault: 'rate-limited', retryAfter: null });
    const error = await rejection(h.source.observe([BOGOTA]));
    assert.equal(error.code, 'rate-limited');
    assert.deepEqual(h.sleeps, [375, 750, 1500]);
  });

  it('does not wait out a long Retry-After: it rejects at once and stays quiet until then', async () => {
    h.fake.setBehaviour({
      fault: 'rate-limited',
      retryAfter: '3600',
      reason: 'Hourly API request limit exceeded.',
    });
    const error = await rejection(h.source.observe([BOGOTA]));
    assert.equal(error.code, 'rate-limited');
    assert.equal(error.retryAt?.getTime(), h.clock.now() + 3_600_000);
    assert.deepEqual(h.sleeps, []);
    h.clock.advance(30 * 60_000);
    assert.equal((await rejection(h.source.observe([BOGOTA]))).code, 'cooling-down');
    assert.equal(h.fake.requests.length, 1);
  });

  it('stops waiting for Retry-After when the caller aborts', async () => {
    const real = await startHarness({ sleep });
    try {
      real.fake.setBehaviour({ fault: 'rate-limited', retryAfter: '9' });
      const started = Date.now();
      const error = await rejection(real.source.observe([BOGOTA], AbortSignal.timeout(100)));
      assert.equal(error.code, 'aborted');
      assert.ok(Date.now() - started < 2000, 'did not sleep 9 s');
      assert.equal(real.source.stats().failures, 0, 'an abort is not an outage');
    } finally {
      await real.close();
    }
  });

  it('times out each attempt after timeoutMs and retries a bounded number of times', async () => {
    const slow = await startHarness({ timeoutMs: 100, maxRetries: 1 });
    try {
      slow.fake.setBehaviour('stall');
      const started = Date.now();
      const error = await rejection(slow.source.observe(DEFAULT_CITIES));
      assert.equal(error.code, 'unavailable');
      assert.match(error.message, /no answer within 100 ms/);
      assert.equal(slow.fake.requests.length, 2);
      assert.ok(Date.now() - started < 2000);
    } finally {
      await slow.close();
    }
  });

  it('retries a reset connection and rejects as unavailable when it keeps happening', async () => {
    h.fake.setBehaviour('reset');
    const error = await rejection(h.source.observe(DEFAULT_CITIES));
    assert.equal(error.code, 'unavailable');
    assert.equal(h.fake.requests.length, 4);
    assert.match(h.logText(), /fetch failed/);
  });

  for (const [fault, reason] of [
    ['malformed-json', /not JSON/],
    ['fewer-entries', /expected 7 locations, got 6/],
  ] as const) {
    it(`rejects a ${fault} body as a whole, without retrying, and logs why`, async () => {
      h.fake.setBehaviour(fault);
      const error = await rejection(h.source.observe(DEFAULT_CITIES));
      assert.equal(error.code, 'malformed');
      assert.equal(h.fake.requests.length, 1);
      assert.ok(h.logs.some((line) => line.level === WARN && reason.test(String(line.reason))));
    });
  }

  for (const [fault, reason] of [
    ['string-temperature', /temperature_2m: Invalid input: expected number, received string/],
    ['null-values', /expected number, received null/],
    ['out-of-range', /temperature_2m: Too big/],
  ] as const) {
    it(`drops only the city with a ${fault} value, logs it, and returns the others`, async () => {
      h.fake.setBehaviour({ fault, location: 1 });
      const observations = await h.source.observe(DEFAULT_CITIES);
      assert.deepEqual(
        observations.map((observation) => observation.city),
        DEFAULT_CITIES.filter((city) => city !== MEDELLIN).map((city) => city.name),
      );
      const logged = h.logs.find((line) => line.city === 'Medellin');
      assert.equal(logged?.level, WARN);
      assert.match(String(logged?.reason), reason);
    });
  }

  it('returns nothing for temperatures in °F', async () => {
    h.fake.setBehaviour('fahrenheit');
    assert.deepEqual(await h.source.observe([BOGOTA, CALI]), []);
    assert.equal(h.logs.filter((line) => /°C/.test(String(line.reason))).length, 2);
  });

  it('rejects as aborted, without a request, when the signal is already aborted', async () => {
    const error = await rejection(h.source.observe(DEFAULT_CITIES, AbortSignal.abort()));
    assert.equal(error.code, 'aborted');
    assert.equal(h.fake.requests.length, 0);
  });
});

describe('Open-Meteo call accounting', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(() => h.close());

  it('shows a source never asked as unused, then up or down as its latest fetch went', async () => {
    const fresh = h.source.stats();
    assert.equal(fresh.status, 'unused');
    assert.equal(fresh.up, true, 'the up gauge is not lowered by a source nobody asked');
    await h.source.observe([BOGOTA]);
    assert.equal(h.source.stats().status, 'up');
    h.fake.setBehaviour('bad-request');
    await assert.rejects(h.source.observe([CALI]));
    assert.equal(h.source.stats().status, 'down');
    assert.equal(h.source.stats().up, false);
  });

  for (const [what, baseUrl] of [
    ['a name that does not resolve', async () => 'http://nonexistent.invalid'],
    ['a refused connection', async () => `http://127.0.0.1:${await freePort()}`],
  ] as const) {
    it(`counts no call for ${what}, and says why once`, async () => {
      const source = createOpenMeteoSource({
        baseUrl: await baseUrl(),
        clock: h.clock,
        logger: silentLogger,
        maxRetries: 2,
        sleep: async () => {},
      });
      const error = await rejection(source.observe(DEFAULT_CITIES));
      assert.equal(error.code, 'unavailable');
      const stats = source.stats();
      assert.deepEqual([stats.requests, stats.locationsRequested, stats.callsToday], [0, 0, 0]);
      assert.equal(stats.failures, 1);
      assert.equal(stats.status, 'down');
      const code = /ENOTFOUND|ECONNREFUSED/.exec(stats.lastError ?? '')?.[0];
      assert.ok(code, stats.lastError);
      assert.equal(stats.lastError?.split(code).length, 2, `${code} once in "${stats.lastError}"`);
    });
  }

  it('counts every attempt that reached the server, answered or reset', async () => {
    h.fake.setBehaviour({ fault: 'reset', times: 1 });
    await h.source.observe(DEFAULT_CITIES);
    const stats = h.source.stats();
    assert.equal(h.fake.requests.length, 2);
    assert.deepEqual([stats.requests, stats.callsToday], [2, 14]);
  });
});
