import { AppError } from '../core/app-error.js';
import type { Clock } from '../core/clock.js';
import type { City } from '../weather/city.js';
import type { WeatherSource } from '../weather/observation.js';
import { WeatherError } from '../weather/weather-error.js';
import type { LiveWeather } from './page/page-model.js';

/** The longest a client waits for live weather, all retries included. */
export const WEATHER_TIMEOUT_MS = 5_000;

/**
 * Live weather for one city from Open-Meteo, independent of the database. It shares the sensor's
 * source in one process, so the dashboard rides on the same cache and call budget.
 */
export function createLiveWeather(deps: { source: WeatherSource; clock: Clock; timeoutMs?: number }) {
  const timeoutMs = deps.timeoutMs ?? WEATHER_TIMEOUT_MS;
  return {
    async current(city: City, signal?: AbortSignal): Promise<LiveWeather> {
      const deadline = AbortSignal.timeout(timeoutMs);
      const combined = signal ? AbortSignal.any([signal, deadline]) : deadline;
      let observations: Awaited<ReturnType<WeatherSource['observe']>>;
      try {
        observations = await deps.source.observe([city], combined);
      } catch (error) {
        const retryAt = error instanceof WeatherError ? error.retryAt : undefined;
        const retryAfterS = retryAt
          ? Math.max(1, Math.ceil((retryAt.getTime() - deps.clock.now()) / 1000))
          : 30;
        throw new AppError('weather_unavailable', 'live weather is unavailable right now', {
          cause: error,
          retryAfterS,
        });
      }
      const observation = observations[0];
      if (!observation) {
        throw new AppError('weather_unavailable', `no valid live weather for ${city.name} right now`, {
          retryAfterS: 60,
        });
      }
      return {
        city: city.name,
        temperature: observation.temperature,
        humidity: observation.humidity,
        observedAt: observation.observedAt.toISOString(),
      };
    },
  };
}

export type LiveWeatherService = ReturnType<typeof createLiveWeather>;
