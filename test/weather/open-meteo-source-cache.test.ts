import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { ManualClock } from '../../src/core/clock.js';
import { DEFAULT_CITIES } from '../../src/weather/city.js';
import { createOpenMeteoSource } from '../../src/weather/open-meteo-source.js';
import { WeatherError } from '../../src/weather/weather-error.js';
import { captureLogger } from '../support/capture-logger.js';
import { startFakeOpenMeteo } from '../support/fake-open-meteo.js';
import { BOGOTA, CALI, type Harness, START, startHarness } from './open-meteo-harness.js';

const MINUTE = 60_000;

describe('Open-Meteo source cache and budget', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(() => h.close());

  it('asks at most 5 times over one simulated hour of 15 s ticks', async () => {
    for (let tick = 0; tick < 240; tick++) {
      assert.equal((await h.source.observe(DEFAULT_CITIES)).length, 7, `tick ${tick}`);
      h.clock.advance(15_000);
    }
    assert.ok(h.fake.requests.length <= 5, `${h.fake.requests.length} requests`);
    assert.equal(h.source.stats().locationsRequested, h.fake.requests.length * 7);
  });

  it('asks again as soon as the server has a new period', async () => {
    await h.source.observe(DEFAULT_CITIES);
    h.clock.set(Date.parse('2026-08-20T14:59:59Z'));
    await h.source.observe(DEFAULT_CITIES);
    assert.equal(h.fake.requests.length, 1);
    h.clock.set(Date.parse('2026-08-20T15:00:00Z'));
    const [bogota] = await h.source.observe(DEFAULT_CITIES);
    assert.equal(h.fake.requests.length, 2);
    assert.equal(bogota?.observedAt.toISOString(), '2026-08-20T15:00:00.000Z');
  });

  it("serves the dashboard's single-city call from the sensor's cache", async () => {
    const all = await h.source.observe(DEFAULT_CITIES);
    const [bogota] = await h.source.observe([BOGOTA]);
    assert.equal(h.fake.requests.length, 1);
    assert.deepEqual(bogota, all[0]);
  });

  it('asks only for the cities whose cache expired, in one request', async () => {
    await h.source.observe([BOGOTA]);
    const observations = await h.source.observe(DEFAULT_CITIES);
    assert.equal(observations.length, 7);
    assert.equal(h.fake.requests.length, 2);
    assert.equal(h.fake.requests[1]?.query.get('latitude')?.split(',').length, 6);
    assert.ok(!h.fake.requests[1]?.query.get('latitude')?.includes(String(BOGOTA.latitude)));
  });

  it('shares one request between concurrent callers', async () => {
    const [all, single] = await Promise.all([h.source.observe(DEFAULT_CITIES), h.source.observe([BOGOTA])]);
    assert.equal(all.length, 7);
    assert.deepEqual(single, [all[0]]);
    assert.equal(h.fake.requests.length, 1);
  });

  it('keeps an answer at least a minute when the server clock lags ours', async () => {
    const serverClock = new ManualClock(START - 20 * MINUTE);
    const lagging = await startFakeOpenMeteo({ clock: serverClock });
    try {
      const clock = new ManualClock(START);
      const source = createOpenMeteoSource({ baseUrl: lagging.url, clock, logger: captureLogger().logger });
      for (let second = 0; second < 5 * 60; second += 15) {
        await source.observe(DEFAULT_CITIES);
        clock.advance(15_000);
      }
      assert.equal(lagging.requests.length, 5, 'once a minute, not every tick');
    } finally {
      await lagging.close();
    }
  });

  it('does not ask again for a city whose value was rejected until the next period', async () => {
    h.fake.setBehaviour({ fault: 'null-values', location: 2 });
    for (let tick = 0; tick < 20; tick++) {
      const observations = await h.source.observe(DEFAULT_CITIES);
      assert.ok(!observations.some((observation) => observation.city === CALI.name));
      h.clock.advance(15_000);
    }
    assert.equal(h.fake.requests.length, 1);
    h.fake.reset();
    h.clock.set(Date.parse('2026-08-20T15:00:00Z'));
    assert.equal((await h.source.observe(DEFAULT_CITIES)).length, 7);
    assert.equal(h.fake.requests.length, 1, 'one request, after reset() cleared the log');
  });

  it('sends nothing during a failure cool-down that doubles and resets on success', async () => {
    h.fake.setBehaviour('overloaded');
    const expectCode = async (code: string) => {
      const error = await h.source.observe(DEFAULT_CITIES).catch((caught: unknown) => caught);
      assert.ok(error instanceof WeatherError);
      assert.equal(error.code, code);
      return error;
    };
    await expectCode('unavailable');
    assert.equal(h.fake.requests.length, 4);
    const cooling = await expectCode('cooling-down');
    assert.equal(cooling.retryAt?.getTime(), h.clock.now() + MINUTE);
    assert.match(cooling.message, /2026-08-20T14:53:13\.000Z/);
    assert.equal(h.fake.requests.length, 4, 'no request while cooling down');

    h.clock.advance(MINUTE);
    await expectCode('unavailable');
    assert.equal(h.fake.requests.length, 8);
    h.clock.advance(MINUTE);
    await expectCode('cooling-down');
    assert.equal(h.source.stats().coolingDownUntil?.getTime(), h.clock.now() + MINUTE, 'doubled to 2 min');

    h.fake.reset();
    h.clock.advance(MINUTE);
    assert.equal((await h.source.observe(DEFAULT_CITIES)).length, 7);
    const stats = h.source.stats();
    assert.equal(stats.up, true);
    assert.equal(stats.failures, 2);
    assert.equal(stats.coolingDownUntil, undefined);
    assert.equal(stats.lastSuccessAt?.getTime(), h.clock.now());
  });

  it('still answers from the cache during a cool-down', async () => {
    await h.source.observe(DEFAULT_CITIES);
    h.fake.setBehaviour('bad-request');
    await assert.rejects(h.source.observe([{ name: 'Nowhere', latitude: 1, longitude: 1 }]));
    assert.equal((await h.source.observe(DEFAULT_CITIES)).length, 7);
    assert.equal(h.fake.requests.length, 2);
  });

  it('counts requests, locations, calls today and failures for the dashboard', async () => {
    await h.source.observe(DEFAULT_CITIES);
    h.fake.setBehaviour({ fault: 'overloaded', times: 1 });
    await h.source.observe([{ name: 'Barranquilla', latitude: 10.9685, longitude: -74.7813 }]);
    let stats = h.source.stats();
    assert.equal(stats.requests, 3);
    assert.equal(stats.locationsRequested, 9);
    assert.equal(stats.callsToday, 9);
    assert.equal(stats.failures, 0);
    assert.equal(stats.up, true);

    h.fake.setBehaviour('bad-request');
    h.clock.set(Date.parse('2026-08-21T00:00:30Z'));
    await assert.rejects(h.source.observe([BOGOTA]));
    stats = h.source.stats();
    assert.equal(stats.callsToday, 1, 'a new UTC day starts from zero');
    assert.equal(stats.failures, 1);
    assert.equal(stats.up, false);
    assert.equal(stats.since.getTime(), h.clock.now());
    assert.match(stats.lastError ?? '', /^rejected: HTTP 400/);
  });
});
