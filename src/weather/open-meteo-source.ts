import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import { sleep as coreSleep } from '../core/sleep.js';
import type { Sleep } from './backoff.js';
import type { City } from './city.js';
import type { Observation, WeatherSource } from './observation.js';
import { cacheKey, createObservationCache } from './observation-cache.js';
import { requestCurrent } from './open-meteo-request.js';
import { type LocationResult, parseCurrentResponse } from './open-meteo-response.js';
import { createSourceHealth, type SourceStats } from './source-health.js';
import { abortedError, WeatherError } from './weather-error.js';

/** How to reach Open-Meteo, and the collaborators the source uses (all injectable for tests). */
export interface OpenMeteoSourceOptions {
  /** Scheme and host of the API, e.g. `https://api.open-meteo.com` (a fake server in tests). */
  readonly baseUrl: string;
  /** Time-out of each attempt, headers and body included. Default 5000. */
  readonly timeoutMs?: number;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Retries after the first attempt for 5xx, 429, time-outs and network errors. Default 3. */
  readonly maxRetries?: number;
  readonly fetch?: typeof globalThis.fetch;
  /** Source of jitter for retry delays. Default `Math.random`. */
  readonly random?: () => number;
  /** How retries wait. Default `core/sleep`; tests pass one that records and returns at once. */
  readonly sleep?: Sleep;
  /**
   * The least time an answer is kept, whatever its `time + interval` says, so a server whose
   * clock lags ours cannot make us ask every tick. Default 60 000.
   */
  readonly minRefreshMs?: number;
}

/** The Open-Meteo weather source, with the call accounting the dashboard and metrics show. */
export interface OpenMeteoSource extends WeatherSource {
  stats(): SourceStats;
}

/** Open-Meteo's own refresh period for `current=` on /v1/forecast. */
const DEFAULT_INTERVAL_MS = 900_000;
// Upper bound on keeping an answer, so a server clock far ahead of ours cannot silence us for long.
const MAX_KEEP_MS = 3_600_000;

/**
 * A `WeatherSource` backed by Open-Meteo's forecast API. Observations are cached per city until
 * the server's `time + interval`: `observe` answers from the cache and sends one request for just
 * the cities that expired. Concurrent callers share a request in flight. After a failed fetch,
 * nothing is sent until a cool-down ends (60 s doubling to 15 min); meanwhile `observe` rejects at
 * once with code `cooling-down` when it would need the network.
 */
export function createOpenMeteoSource(options: OpenMeteoSourceOptions): OpenMeteoSource {
  const { clock, logger } = options;
  const minRefreshMs = options.minRefreshMs ?? 60_000;
  const cache = createObservationCache();
  const health = createSourceHealth(clock);
  const requestOptions = {
    baseUrl: options.baseUrl,
    timeoutMs: options.timeoutMs ?? 5000,
    maxRetries: options.maxRetries ?? 3,
    fetch: options.fetch ?? globalThis.fetch,
    random: options.random ?? Math.random,
    sleep: options.sleep ?? coreSleep,
    clock,
    logger,
    onSent: (locationCount: number) => health.recordSent(locationCount),
  };
  let inFlight: Promise<void> | undefined;

  function keepUntil(candidateMs: number, receivedAtMs: number, intervalMs: number): number {
    const latest = receivedAtMs + Math.min(intervalMs, MAX_KEEP_MS);
    return Math.max(receivedAtMs + minRefreshMs, Math.min(candidateMs, latest));
  }

  function store(cities: readonly City[], results: readonly LocationResult[]): void {
    const receivedAt = clock.now();
    cities.forEach((city, index) => {
      const result = results[index];
      if (result?.ok) {
        const { conditions } = result;
        const intervalMs = conditions.intervalS * 1000;
        const observation: Observation = {
          city: city.name,
          temperature: conditions.temperature,
          humidity: conditions.humidity,
          observedAt: conditions.observedAt,
          source: 'open-meteo',
        };
        const expiresAtMs = keepUntil(conditions.observedAt.getTime() + intervalMs, receivedAt, intervalMs);
        cache.set(city, { observation, expiresAtMs }, receivedAt);
        return;
      }
      const reason = result?.reason ?? 'missing from the response';
      logger.warn({ city: city.name, reason }, 'Open-Meteo value rejected; city skipped');
      // A bad value is likely to stay until the server's next period, so the city waits for it.
      const nextPeriodMs = (Math.floor(receivedAt / DEFAULT_INTERVAL_MS) + 1) * DEFAULT_INTERVAL_MS;
      cache.set(
        city,
        { observation: undefined, expiresAtMs: keepUntil(nextPeriodMs, receivedAt, DEFAULT_INTERVAL_MS) },
        receivedAt,
      );
    });
  }

  async function refresh(cities: readonly City[], signal: AbortSignal | undefined): Promise<void> {
    try {
      const body = await requestCurrent(cities, requestOptions, signal);
      const parsed = parseCurrentResponse(body, cities.length);
      if (!parsed.ok) throw new WeatherError('malformed', `malformed response: ${parsed.reason}`);
      store(cities, parsed.locations);
      health.recordSuccess();
    } catch (caught) {
      const error =
        caught instanceof WeatherError
          ? caught
          : new WeatherError('unavailable', String(caught), { cause: caught });
      if (error.code === 'aborted') throw error;
      const until = health.recordFailure(error);
      logger.warn(
        {
          code: error.code,
          reason: error.message,
          cities: cities.map((city) => city.name),
          coolingDownUntil: until.toISOString(),
        },
        'Open-Meteo fetch failed; no request until the cool-down ends',
      );
      throw error;
    }
  }

  function forget(settled: Promise<void>): void {
    if (inFlight === settled) inFlight = undefined;
  }

  function fresh(cities: readonly City[]): Observation[] {
    const now = clock.now();
    return cities.flatMap((city) => {
      const observation = cache.get(city, now)?.observation;
      return observation ? [observation] : [];
    });
  }

  return {
    async observe(cities, signal) {
      const wanted = [...new Map(cities.map((city) => [cacheKey(city), city])).values()];
      for (;;) {
        if (signal?.aborted) throw abortedError(signal);
        const now = clock.now();
        const stale = wanted.filter((city) => cache.get(city, now) === undefined);
        if (stale.length === 0) return fresh(wanted);
        if (inFlight) {
          // Another caller is fetching (the sensor and the dashboard share this source): wait for
          // it, then look again, so the same cities are not requested twice.
          await settledOrAborted(inFlight, signal);
          continue;
        }
        const until = health.coolingDownUntil();
        if (until) {
          const reason = health.stats().lastError ?? 'a failure';
          throw new WeatherError(
            'cooling-down',
            `Open-Meteo is not asked again before ${until.toISOString()} after ${reason}`,
            { retryAt: until },
          );
        }
        const fetching = refresh(stale, signal);
        const settled: Promise<void> = fetching.then(
          () => forget(settled),
          () => forget(settled),
        );
        inFlight = settled;
        await fetching;
        return fresh(wanted);
      }
    },
    stats: () => health.stats(),
  };
}

/** Resolves when `promise` settles; rejects at once with `aborted` when `signal` aborts first. */
function settledOrAborted(promise: Promise<void>, signal: AbortSignal | undefined): Promise<void> {
  if (!signal) return promise;
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(abortedError(signal));
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    void promise.then(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    });
  });
}
