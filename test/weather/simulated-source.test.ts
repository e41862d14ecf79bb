import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ManualClock } from '../../src/core/clock.js';
import { type City, DEFAULT_CITIES } from '../../src/weather/city.js';
import { climateOf } from '../../src/weather/city-climate.js';
import { createSimulatedSource, simulateConditions } from '../../src/weather/simulated-source.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const START = Date.parse('2026-01-01T00:00:00Z');
const city = (name: string) => DEFAULT_CITIES.find((candidate) => candidate.name === name) as City;

function average(values: number[]): number {
  return values.reduce((sum, value) => sum + value, 0) / values.length;
}

/** Samples every `stepMs` over `spanMs` from START. */
function sample(target: City, spanMs: number, stepMs: number, seed = 1) {
  const samples = [];
  for (let at = START; at < START + spanMs; at += stepMs) samples.push(simulateConditions(seed, target, at));
  return samples;
}

describe('simulated source', () => {
  it('labels observations simulated, at the clock time truncated to the second', async () => {
    const clock = new ManualClock(Date.parse('2026-08-20T14:52:13.789Z'));
    const observations = await createSimulatedSource({ clock }).observe(DEFAULT_CITIES);
    assert.deepEqual(
      observations.map((observation) => observation.city),
      DEFAULT_CITIES.map((each) => each.name),
    );
    for (const observation of observations) {
      assert.equal(observation.source, 'simulated');
      assert.equal(observation.observedAt.toISOString(), '2026-08-20T14:52:13.000Z');
    }
  });

  it('is deterministic for a seed and differs between seeds', async () => {
    const clock = new ManualClock(Date.parse('2026-08-20T14:52:13Z'));
    const first = await createSimulatedSource({ seed: 7, clock }).observe(DEFAULT_CITIES);
    const again = await createSimulatedSource({ seed: 7, clock }).observe(DEFAULT_CITIES);
    assert.deepEqual(first, again);
    const seven = sample(city('Bogota'), 10 * DAY, HOUR, 7);
    const eight = sample(city('Bogota'), 10 * DAY, HOUR, 8);
    assert.ok(seven.some((value, index) => value.temperature !== eight[index]?.temperature));
  });

  it('differs between cities', () => {
    const at = Date.parse('2026-08-20T14:52:13Z');
    const temperatures = new Set(DEFAULT_CITIES.map((each) => simulateConditions(1, each, at).temperature));
    assert.ok(temperatures.size >= 6);
  });

  it('keeps each city near its climate: Bogota cooler than Cartagena over a year', () => {
    const year = (name: string) => sample(city(name), 365 * DAY, 5 * HOUR + 7 * 60_000);
    const bogota = year('Bogota');
    const cartagena = year('Cartagena');
    const bogotaMean = average(bogota.map((value) => value.temperature));
    const cartagenaMean = average(cartagena.map((value) => value.temperature));
    assert.ok(Math.abs(bogotaMean - 14) < 1, `Bogota ${bogotaMean}`);
    assert.ok(Math.abs(cartagenaMean - 28) < 1, `Cartagena ${cartagenaMean}`);
    assert.ok(Math.abs(average(bogota.map((value) => value.humidity)) - 75) < 4);
    assert.ok(Math.abs(average(cartagena.map((value) => value.humidity)) - 78) < 4);
  });

  it('follows a daily cycle by local solar time: warm and dry mid-afternoon, cool and humid at night', () => {
    const bogota = city('Bogota');
    // Bogota's solar time is about UTC-4:56, so 20:00 UTC is about 15:00 there and 08:00 UTC about 03:00.
    const at = (utcHour: number) =>
      Array.from({ length: 90 }, (_, day) =>
        simulateConditions(1, bogota, START + day * DAY + utcHour * HOUR),
      );
    const afternoon = at(20);
    const night = at(8);
    const mean = (values: typeof afternoon, key: 'temperature' | 'humidity') =>
      average(values.map((v) => v[key]));
    assert.ok(mean(afternoon, 'temperature') - mean(night, 'temperature') > 6);
    assert.ok(mean(night, 'humidity') - mean(afternoon, 'humidity') > 10);
  });

  it('changes smoothly from one 15 s tick to the next', () => {
    const ticks = sample(city('Medellin'), DAY, 15_000);
    for (let i = 1; i < ticks.length; i++) {
      assert.ok(Math.abs((ticks[i]?.temperature ?? 0) - (ticks[i - 1]?.temperature ?? 0)) <= 0.2);
    }
  });

  it('derives unknown cities from latitude, deterministically from the name', () => {
    const mean = (target: City) =>
      average(sample(target, 365 * DAY, 11 * HOUR).map((value) => value.temperature));
    const tropical = mean({ name: 'Leticia', latitude: -4.2, longitude: -69.9 });
    const northern = mean({ name: 'Oslo', latitude: 59.9, longitude: 10.7 });
    assert.ok(tropical - northern > 15, `${tropical} vs ${northern}`);
    const at = Date.parse('2026-08-20T14:52:13Z');
    const twin = { name: 'Twin', latitude: 40, longitude: 0 };
    assert.deepEqual(simulateConditions(1, twin, at), simulateConditions(1, { ...twin }, at));
    assert.notDeepEqual(
      simulateConditions(1, twin, at),
      simulateConditions(1, { ...twin, name: 'Other' }, at),
    );
  });

  it('matches the paper cities by name without accents or case', () => {
    const bogota = city('Bogota');
    assert.deepEqual(climateOf({ ...bogota, name: ' bogotá ' }), climateOf(bogota));
    assert.equal(climateOf({ ...bogota, name: 'BOGOTÁ' }).meanTemperature, 14);
  });

  it('stays within the valid ranges, rounded, over decades and at extreme latitudes', () => {
    const cities: City[] = [
      ...DEFAULT_CITIES,
      { name: 'North Pole', latitude: 90, longitude: 0 },
      { name: 'Vostok', latitude: -78.5, longitude: 106.8 },
      { name: 'Equator', latitude: 0, longitude: -180 },
    ];
    for (const target of cities) {
      for (const value of sample(target, 30 * 365 * DAY, 13 * HOUR + 17 * 60_000)) {
        assert.ok(value.temperature >= -90 && value.temperature <= 60, `${target.name} ${value.temperature}`);
        assert.equal(Math.round(value.temperature * 10) / 10, value.temperature);
        assert.ok(Number.isInteger(value.humidity) && value.humidity >= 0 && value.humidity <= 100);
      }
    }
  });
});
