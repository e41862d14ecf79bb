import type { Clock } from '../core/clock.js';
import type { City } from './city.js';
import { climateOf } from './city-climate.js';
import type { WeatherSource } from './observation.js';
import { valueNoise } from './value-noise.js';

/** Options of the simulated source. */
export interface SimulatedSourceOptions {
  /** Picks one of many equally plausible weather histories. Default 1. */
  readonly seed?: number;
  readonly clock: Clock;
}

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
const YEAR_DAYS = 365.2422;
// Humidity falls as the air warms (same moisture, higher saturation pressure): % per °C above normal.
const HUMIDITY_PER_DEGREE = 2.5;

/**
 * Plausible current conditions of `city` at `atMs`: its climate, a daily cycle by local solar
 * time (warmest mid-afternoon, humidity the other way round), a small seasonal swing and slow smooth
 * noise. A pure function of (seed, city, instant): the same arguments always give the same values,
 * and every term is bounded, so values stay in the valid ranges for any instant.
 */
export function simulateConditions(
  seed: number,
  city: City,
  atMs: number,
): { temperature: number; humidity: number } {
  const climate = climateOf(city);
  const key = `${seed}|${city.name}`;
  const dayOfYear = (((atMs / DAY_MS) % YEAR_DAYS) + YEAR_DAYS) % YEAR_DAYS;
  const seasonal =
    climate.seasonalHalfRange * Math.cos((2 * Math.PI * (dayOfYear - climate.warmestDay)) / YEAR_DAYS);
  const solarHour = (((atMs / HOUR_MS + city.longitude / 15) % 24) + 24) % 24;
  const daily = climate.dailyHalfRange * Math.cos((2 * Math.PI * (solarHour - 15)) / 24);
  // Two time scales: passing clouds over hours, fronts over days.
  const weather =
    0.8 * valueNoise(`${key}|t-hours`, atMs, 3 * HOUR_MS) +
    1.5 * valueNoise(`${key}|t-days`, atMs, 2 * DAY_MS);
  const temperature = climate.meanTemperature + seasonal + daily + weather;
  const humidity =
    climate.meanHumidity -
    HUMIDITY_PER_DEGREE * (daily + weather) +
    6 * valueNoise(`${key}|h-hours`, atMs, 6 * HOUR_MS);
  return {
    temperature: Math.round(clamp(temperature, -89, 59) * 10) / 10,
    humidity: Math.round(clamp(humidity, 3, 100)),
  };
}

/**
 * A `WeatherSource` that never fails: deterministic simulated readings labelled `simulated`, for
 * offline use and as the fallback of the auto source.
 */
export function createSimulatedSource(options: SimulatedSourceOptions): WeatherSource {
  const seed = options.seed ?? 1;
  return {
    async observe(cities) {
      const atMs = Math.floor(options.clock.now() / 1000) * 1000;
      return cities.map((city) => ({
        city: city.name,
        ...simulateConditions(seed, city, atMs),
        observedAt: new Date(atMs),
        source: 'simulated' as const,
      }));
    },
  };
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}
