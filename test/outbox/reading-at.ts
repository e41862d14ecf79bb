import type { NewReading } from '../../src/db/reading.js';
import { reading } from '../db/readings-repository.contract.js';

export const T0 = Date.parse('2026-08-20T12:00:00Z');

/** The i-th reading of a city, one second apart from T0, keyed as the sensor keys it. */
export function readingAt(i: number, city = 'Bogota'): NewReading {
  return reading(city, T0 + i * 1000, { temperature: 15 + (i % 10) / 10, humidity: 60 });
}
