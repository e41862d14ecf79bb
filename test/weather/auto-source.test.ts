import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ManualClock } from '../../src/core/clock.js';
import { createAutoSource } from '../../src/weather/auto-source.js';
import { DEFAULT_CITIES } from '../../src/weather/city.js';
import type { Observation, WeatherSource } from '../../src/weather/observation.js';
import { createSimulatedSource } from '../../src/weather/simulated-source.js';
import { WeatherError } from '../../src/weather/weather-error.js';
import { captureLogger } from '../support/capture-logger.js';
import { INFO, startHarness, WARN } from './open-meteo-harness.js';

/** A primary whose behaviour the test switches: answer for some cities, or reject. */
function scriptedPrimary() {
  const state: { down: boolean; missing: Set<string> } = { down: false, missing: new Set() };
  const source: WeatherSource = {
    async observe(cities) {
      if (state.down) throw new WeatherError('unavailable', 'HTTP 503: The service is overloaded');
      return cities
        .filter((city) => !state.missing.has(city.name))
        .map(
          (city): Observation => ({
            city: city.name,
            temperature: 20,
            humidity: 50,
            observedAt: new Date(0),
            source: 'open-meteo',
          }),
        );
    },
  };
  return { source, state };
}

function setup() {
  const clock = new ManualClock(Date.parse('2026-08-20T14:52:13Z'));
  const primary = scriptedPrimary();
  const { logger, lines } = captureLogger();
  const auto = createAutoSource({
    primary: primary.source,
    fallback: createSimulatedSource({ clock }),
    logger,
  });
  return { auto, state: primary.state, lines };
}

const sources = (observations: Observation[]) => observations.map((observation) => observation.source);

describe('auto source', () => {
  it('uses Open-Meteo readings while it answers', async () => {
    const { auto, lines } = setup();
    const observations = await auto.observe(DEFAULT_CITIES);
    assert.deepEqual(sources(observations), Array(7).fill('open-meteo'));
    assert.equal(lines.length, 0);
  });

  it('returns simulated readings, labelled simulated, for every city when Open-Meteo rejects', async () => {
    const { auto, state } = setup();
    state.down = true;
    const observations = await auto.observe(DEFAULT_CITIES);
    assert.deepEqual(
      observations.map((observation) => observation.city),
      DEFAULT_CITIES.map((city) => city.name),
    );
    assert.deepEqual(sources(observations), Array(7).fill('simulated'));
  });

  it('fills only the missing cities with simulated readings, in the order asked', async () => {
    const { auto, state } = setup();
    state.missing = new Set(['Medellin', 'Pereira']);
    const observations = await auto.observe(DEFAULT_CITIES);
    assert.deepEqual(
      observations.map((observation) => `${observation.city}:${observation.source}`),
      DEFAULT_CITIES.map(
        (city) => `${city.name}:${state.missing.has(city.name) ? 'simulated' : 'open-meteo'}`,
      ),
    );
  });

  it('logs each switch once, not every tick', async () => {
    const { auto, state, lines } = setup();
    state.down = true;
    for (let tick = 0; tick < 5; tick++) await auto.observe(DEFAULT_CITIES);
    state.down = false;
    for (let tick = 0; tick < 5; tick++) await auto.observe(DEFAULT_CITIES);
    state.down = true;
    await auto.observe(DEFAULT_CITIES);
    assert.deepEqual(
      lines.map((line) => line.level),
      [WARN, INFO, WARN],
    );
    assert.match(String(lines[0]?.reason), /The service is overloaded/);
    assert.match(String(lines[0]?.msg), /simulated/);
  });

  it('logs a city filled in once, and once again when it is back', async () => {
    const { auto, state, lines } = setup();
    state.missing = new Set(['Cali']);
    for (let tick = 0; tick < 5; tick++) await auto.observe(DEFAULT_CITIES);
    await auto.observe([DEFAULT_CITIES[0] as (typeof DEFAULT_CITIES)[number]]);
    state.missing = new Set();
    for (let tick = 0; tick < 5; tick++) await auto.observe(DEFAULT_CITIES);
    assert.deepEqual(
      lines.map((line) => [line.level, line.cities]),
      [
        [WARN, ['Cali']],
        [INFO, ['Cali']],
      ],
    );
  });

  it('passes an abort through instead of simulating', async () => {
    const { logger, lines } = captureLogger();
    const clock = new ManualClock(0);
    const primary: WeatherSource = {
      observe: async () => {
        throw new WeatherError('aborted', 'aborted');
      },
    };
    const auto = createAutoSource({ primary, fallback: createSimulatedSource({ clock }), logger });
    await assert.rejects(auto.observe(DEFAULT_CITIES), { code: 'aborted' });
    assert.equal(lines.length, 0);
  });

  it('falls back over real HTTP when the fake Open-Meteo is overloaded, and fills a rejected city', async () => {
    const h = await startHarness();
    try {
      const { logger } = captureLogger();
      const auto = createAutoSource({
        primary: h.source,
        fallback: createSimulatedSource({ clock: h.clock }),
        logger,
      });
      h.fake.setBehaviour({ fault: 'string-temperature', location: 0, times: 1 });
      const partial = await auto.observe(DEFAULT_CITIES);
      assert.deepEqual(sources(partial), ['simulated', ...Array(6).fill('open-meteo')]);
      h.fake.setBehaviour('overloaded');
      h.clock.set(Date.parse('2026-08-20T15:00:00Z'));
      assert.deepEqual(sources(await auto.observe(DEFAULT_CITIES)), Array(7).fill('simulated'));
      assert.deepEqual(
        sources(await auto.observe(DEFAULT_CITIES)),
        Array(7).fill('simulated'),
        'cooling down',
      );
    } finally {
      await h.close();
    }
  });
});
