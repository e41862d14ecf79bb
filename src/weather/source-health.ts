import type { Clock } from '../core/clock.js';
import { failureCooldownMs } from './backoff.js';
import type { WeatherError } from './weather-error.js';

/** `unused` until a first fetch has settled; then how the latest one went. */
export type SourceStatus = 'unused' | 'up' | 'down';

/** What a remote weather source has done so far, for health checks, metrics and the dashboard. */
export interface SourceStats {
  /** HTTP requests that reached the server, retries included. */
  readonly requests: number;
  /**
   * Locations over those requests: what the free tier counts as calls (each location is one
   * call). Failed requests that reached the server count in full, so this errs on the safe side;
   * one that never left this host (unresolvable name, refused connection) costs nothing.
   */
  readonly locationsRequested: number;
  /** `locationsRequested` since 00:00 UTC today: the "calls used today" against the daily limit. */
  readonly callsToday: number;
  /** Fetches that failed after their retries. */
  readonly failures: number;
  readonly lastError?: string;
  readonly lastSuccessAt?: Date;
  readonly status: SourceStatus;
  /** False while `status` is `down`: the up/down gauge of /metrics, which has no third state. */
  readonly up: boolean;
  /** When `status` last changed (or the source was created). */
  readonly since: Date;
  /** Set while no request is sent because of recent failures. */
  readonly coolingDownUntil?: Date;
}

/** Call accounting plus the failure cool-down of a remote source. */
export interface SourceHealth {
  /** A request that reached the server. */
  recordSent(locationCount: number): void;
  recordSuccess(): void;
  /** Records a failed fetch and returns the end of the cool-down it starts. */
  recordFailure(error: WeatherError): Date;
  /** The end of the current cool-down, or undefined when requests may be sent. */
  coolingDownUntil(): Date | undefined;
  stats(): SourceStats;
}

const DAY_MS = 86_400_000;
// A Retry-After beyond this is treated as a misconfigured server rather than silence for days.
const MAX_RETRY_AFTER_MS = DAY_MS;

/** Fresh health for a source created now. */
export function createSourceHealth(clock: Clock): SourceHealth {
  let requests = 0;
  let locationsRequested = 0;
  let callsToday = 0;
  let today = Math.floor(clock.now() / DAY_MS);
  let failures = 0;
  let consecutiveFailures = 0;
  let lastError: string | undefined;
  let lastSuccessAt: Date | undefined;
  let status: SourceStatus = 'unused';
  let since = new Date(clock.now());
  let cooldownUntilMs = 0;

  function coolingDownUntil(): Date | undefined {
    return cooldownUntilMs > clock.now() ? new Date(cooldownUntilMs) : undefined;
  }

  function setStatus(value: SourceStatus): void {
    if (status !== value) since = new Date(clock.now());
    status = value;
  }

  return {
    recordSent(locationCount) {
      const day = Math.floor(clock.now() / DAY_MS);
      if (day !== today) {
        today = day;
        callsToday = 0;
      }
      requests += 1;
      locationsRequested += locationCount;
      callsToday += locationCount;
    },
    recordSuccess() {
      consecutiveFailures = 0;
      cooldownUntilMs = 0;
      lastSuccessAt = new Date(clock.now());
      setStatus('up');
    },
    recordFailure(error) {
      const now = clock.now();
      failures += 1;
      consecutiveFailures += 1;
      lastError = `${error.code}: ${error.message}`;
      const retryAfterMs = Math.min(MAX_RETRY_AFTER_MS, (error.retryAt?.getTime() ?? now) - now);
      cooldownUntilMs = now + Math.max(failureCooldownMs(consecutiveFailures), retryAfterMs);
      setStatus('down');
      return new Date(cooldownUntilMs);
    },
    coolingDownUntil,
    stats() {
      const until = coolingDownUntil();
      const day = Math.floor(clock.now() / DAY_MS);
      return {
        requests,
        locationsRequested,
        callsToday: day === today ? callsToday : 0,
        failures,
        status,
        up: status !== 'down',
        since,
        ...(lastError === undefined ? {} : { lastError }),
        ...(lastSuccessAt === undefined ? {} : { lastSuccessAt }),
        ...(until === undefined ? {} : { coolingDownUntil: until }),
      };
    },
  };
}
