import type { AlertsStatus } from '../alerts/alerts-service.js';
import type { Clock } from '../core/clock.js';
import type { Metrics } from '../core/metrics.js';
import type { MetricsRefusal } from '../core/metrics-auth.js';
import type { ReadingsRepository } from '../db/readings-repository.js';
import type { City } from '../weather/city.js';
import type { SourceStats } from '../weather/source-health.js';
import type { DatabaseGuard } from './database-guard.js';
import type { LiveWeatherService } from './live-weather.js';
import type { OutboxReport } from './outbox-report.js';
import type { ReadingsService } from './readings-service.js';

/** What every route may use: built once by `createDashboard`. */
export interface DashboardContext {
  readonly cities: readonly City[];
  readonly intervalS: number;
  readonly timeZone: string;
  readonly repository: ReadingsRepository;
  readonly guard: DatabaseGuard;
  readonly readings: ReadingsService;
  readonly liveWeather: LiveWeatherService;
  /** Open-Meteo's call accounting, for /api/status. */
  readonly weatherStats: () => SourceStats;
  /** The sensor's outbox and when it was read, when this dashboard knows of one. */
  readonly outbox: (() => OutboxReport) | undefined;
  readonly clock: Clock;
  readonly metrics: Metrics;
  /** METRICS_TOKEN's check of a `/metrics` request's Authorization header. */
  readonly refuseMetrics: (authorization: string | undefined) => MetricsRefusal | undefined;
  /** The alerts as of the evaluator's last round, from memory. */
  readonly alerts: () => AlertsStatus;
}
