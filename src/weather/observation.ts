import type { City } from './city.js';

/**
 * Where a reading came from; stored with it so simulated data is never mistaken for real data.
 * `device`: a station's own sensor, sent over MQTT or HTTP (src/ingest).
 */
export type ReadingSource = 'open-meteo' | 'simulated' | 'device';

/** Current conditions for one city, as a source reported them. */
export interface Observation {
  readonly city: string;
  /** Degrees Celsius, one decimal. */
  readonly temperature: number;
  /** Relative humidity, integer percent 0..100. */
  readonly humidity: number;
  /** The instant the source says the values describe (for Open-Meteo, `current.time`). */
  readonly observedAt: Date;
  readonly source: ReadingSource;
}

/** Anything that can tell the current weather for a list of cities. */
export interface WeatherSource {
  /**
   * Current conditions for `cities`. A city the source could not answer for (a rejected value)
   * is missing from the result; a source that cannot answer at all rejects with a `WeatherError`.
   */
  observe(cities: readonly City[], signal?: AbortSignal): Promise<Observation[]>;
}
