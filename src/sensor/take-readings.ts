import { type NewReading, readingKey } from '../db/reading.js';
import type { City } from '../weather/city.js';
import type { WeatherSource } from '../weather/observation.js';

/**
 * One reading per city that the source answered for, all stamped with the same sample time:
 * `fecha_registro` is when we sampled, `observed_at` what the source says its values describe.
 */
export async function takeReadings(
  source: WeatherSource,
  cities: readonly City[],
  takenAt: Date,
  signal?: AbortSignal,
): Promise<NewReading[]> {
  const observations = await source.observe(cities, signal);
  return observations.map((observation) => ({
    key: readingKey(observation.city, takenAt),
    city: observation.city,
    temperature: observation.temperature,
    humidity: observation.humidity,
    takenAt,
    observedAt: observation.observedAt,
    source: observation.source,
  }));
}
