import { systemClock } from '../../src/core/clock.js';
import { silentLogger } from '../../src/core/logger.js';
import { createMetrics } from '../../src/core/metrics.js';
import { createDashboard, type DashboardDeps } from '../../src/dashboard/create-dashboard.js';
import { DEFAULT_CITIES } from '../../src/weather/city.js';
import { createOpenMeteoSource } from '../../src/weather/open-meteo-source.js';

/**
 * The production dashboard with test defaults: the seven cities, a 15 s interval, UTC, a free
 * loopback port, its own metrics, and Open-Meteo at `weatherUrl` (by default a port that refuses,
 * so live weather fails at once) asked once with no retries.
 */
export function createTestDashboard(
  deps: Partial<DashboardDeps> & Pick<DashboardDeps, 'db'> & { weatherUrl?: string },
) {
  const { weatherUrl = 'http://127.0.0.1:9', ...overrides } = deps;
  const clock = deps.clock ?? systemClock;
  const logger = deps.logger ?? silentLogger;
  return createDashboard({
    weather: createOpenMeteoSource({
      baseUrl: weatherUrl,
      clock,
      logger,
      maxRetries: 0,
      sleep: async () => {},
    }),
    cities: DEFAULT_CITIES,
    intervalS: 15,
    timeZone: 'UTC',
    host: '127.0.0.1',
    port: 0,
    metrics: createMetrics(),
    ...overrides,
    clock,
    logger,
  });
}
