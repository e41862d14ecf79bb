import type { Logger } from '../core/logger.js';
import type { City } from './city.js';
import type { WeatherSource } from './observation.js';
import { WeatherError } from './weather-error.js';

/** The two sources the auto source chooses between. */
export interface AutoSourceOptions {
  /** The real source, asked first (Open-Meteo). */
  readonly primary: WeatherSource;
  /** Asked for whatever the primary cannot answer; must not fail (the simulated source). */
  readonly fallback: WeatherSource;
  readonly logger: Logger;
}

/**
 * A `WeatherSource` that prefers `primary` and fills gaps from `fallback`: every city when the
 * primary rejects, only the missing cities when it answers for some. Each observation keeps its own
 * `source` label, so simulated readings are never stored as real ones. Each switch between the two
 * is logged once, not every tick.
 */
export function createAutoSource(options: AutoSourceOptions): WeatherSource {
  const { primary, fallback, logger } = options;
  let primaryDown = false;
  // Cities currently filled in because the primary answered without them (a rejected value).
  const filledIn = new Set<string>();

  function noteDown(error: unknown): void {
    if (primaryDown) return;
    primaryDown = true;
    const reason = error instanceof Error ? error.message : String(error);
    const code = error instanceof WeatherError ? error.code : undefined;
    logger.warn({ code, reason }, 'Open-Meteo unavailable; using simulated readings until it answers again');
  }

  function noteAnswered(requested: readonly City[], missing: readonly City[]): void {
    if (primaryDown) {
      primaryDown = false;
      logger.info('Open-Meteo answers again; using its readings');
    }
    const missingNames = new Set(missing.map((city) => city.name));
    const newlyMissing = missing.filter((city) => !filledIn.has(city.name)).map((city) => city.name);
    const recovered = requested
      .filter((city) => filledIn.has(city.name) && !missingNames.has(city.name))
      .map((city) => city.name);
    for (const name of newlyMissing) filledIn.add(name);
    for (const name of recovered) filledIn.delete(name);
    if (newlyMissing.length > 0) {
      logger.warn(
        { cities: newlyMissing },
        'no valid Open-Meteo reading; using simulated readings for these cities',
      );
    }
    if (recovered.length > 0)
      logger.info({ cities: recovered }, 'Open-Meteo readings are back for these cities');
  }

  return {
    async observe(cities, signal) {
      let real: Awaited<ReturnType<WeatherSource['observe']>>;
      try {
        real = await primary.observe(cities, signal);
      } catch (error) {
        // Shutting down is not an outage: nothing is simulated and nothing is logged.
        if (signal?.aborted || (error instanceof WeatherError && error.code === 'aborted')) throw error;
        noteDown(error);
        return fallback.observe(cities, signal);
      }
      const answered = new Set(real.map((observation) => observation.city));
      const missing = cities.filter((city) => !answered.has(city.name));
      noteAnswered(cities, missing);
      if (missing.length === 0) return real;
      const simulated = await fallback.observe(missing, signal);
      // Keep the caller's order, so the result reads like the city list it asked for.
      const byCity = new Map([...real, ...simulated].map((observation) => [observation.city, observation]));
      return cities.flatMap((city) => {
        const observation = byCity.get(city.name);
        return observation ? [observation] : [];
      });
    },
  };
}
