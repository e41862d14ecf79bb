import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AppError } from '../../src/core/app-error.js';
import { ManualClock } from '../../src/core/clock.js';
import type { LiveWeatherService } from '../../src/dashboard/live-weather.js';
import type { LiveWeather } from '../../src/dashboard/page/page-model.js';
import { createPageWeather } from '../../src/dashboard/page-weather.js';
import { DEFAULT_CITIES } from '../../src/weather/city.js';

const BOGOTA = DEFAULT_CITIES[0] as (typeof DEFAULT_CITIES)[number];
const NOW = Date.parse('2026-08-20T15:00:00Z');
const OBSERVATION: LiveWeather = {
  city: BOGOTA.name,
  temperature: 14.2,
  humidity: 71,
  observedAt: '2026-08-20T14:45:00.000Z',
};

/** Live weather whose answers the test gives, one question at a time. */
function heldWeather() {
  const questions: { resolve: (o: LiveWeather) => void; reject: (e: Error) => void }[] = [];
  const liveWeather: LiveWeatherService = {
    current: () => new Promise((resolve, reject) => questions.push({ resolve, reject })),
  };
  return { liveWeather, questions };
}

describe('the page weather', () => {
  // Waits longer than any test runs: a page that waited would time the test out.
  const waitMs = 3_600_000;

  it('asks Open-Meteo once per city and interval, and waits for the answer while answers come', async () => {
    const clock = new ManualClock(NOW);
    const { liveWeather, questions } = heldWeather();
    const weather = createPageWeather({ liveWeather, clock, intervalS: 15, waitMs });
    const first = weather.observation(BOGOTA);
    questions[0]?.resolve(OBSERVATION);
    assert.deepEqual(await first, OBSERVATION);
    clock.advance(10_000);
    assert.deepEqual(await weather.observation(BOGOTA), OBSERVATION);
    assert.equal(questions.length, 1);
    clock.advance(5_000);
    const next = weather.observation(BOGOTA);
    assert.equal(questions.length, 2);
    questions[1]?.resolve({ ...OBSERVATION, temperature: 15 });
    assert.equal((await next)?.temperature, 15);
  });

  it('stops waiting once an answer failed, and waits again once one comes back', async () => {
    const clock = new ManualClock(NOW);
    const { liveWeather, questions } = heldWeather();
    const weather = createPageWeather({ liveWeather, clock, intervalS: 15, waitMs });
    const first = weather.observation(BOGOTA);
    questions[0]?.reject(new AppError('weather_unavailable', 'live weather is unavailable right now'));
    assert.equal(await first, undefined);
    clock.advance(15_000);
    // Open-Meteo holds this question: the page does not wait for it.
    assert.equal(await weather.observation(BOGOTA), undefined);
    questions[1]?.resolve(OBSERVATION);
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(await weather.observation(BOGOTA), OBSERVATION);
    clock.advance(15_000);
    const waiting = weather.observation(BOGOTA);
    questions[2]?.resolve({ ...OBSERVATION, temperature: 16 });
    assert.equal((await waiting)?.temperature, 16);
  });
});
