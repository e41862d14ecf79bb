import { createBackupService as createScheduledBackup } from '../backup/backup-service.js';
import type { Config } from '../config/load-config.js';
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import type { Metrics } from '../core/metrics.js';
import { createDashboard } from '../dashboard/create-dashboard.js';
import { type Database, openDb } from '../db/open-db.js';
import { createReadingsRepository } from '../db/readings-repository.js';
import { createSchemaGuard } from '../db/schema-guard.js';
import type { ReadingStore } from '../sensor/reading-store.js';
import { createSensor } from '../sensor/sensor.js';
import { createAutoSource } from '../weather/auto-source.js';
import { dailyBudgetWarning } from '../weather/budget.js';
import type { WeatherSource } from '../weather/observation.js';
import { createOpenMeteoSource, type OpenMeteoSource } from '../weather/open-meteo-source.js';
import { createSimulatedSource } from '../weather/simulated-source.js';
import type { Service } from './run-until-signal.js';

/** What every service of one process shares. */
export interface ProcessDeps {
  readonly config: Config;
  readonly db: Database;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly metrics: Metrics;
  /** One Open-Meteo client per process: the sensor and the dashboard share its cache and budget. */
  readonly openMeteo: OpenMeteoSource;
}

export function createOpenMeteo(config: Config, clock: Clock, logger: Logger): OpenMeteoSource {
  return createOpenMeteoSource({
    baseUrl: config.openMeteo.url,
    timeoutMs: config.openMeteo.timeoutMs,
    clock,
    logger: logger.child({ component: 'open-meteo' }),
  });
}

/** The weather source SENSOR_SOURCE asks for. */
function sensorSource({ config, clock, logger, openMeteo }: ProcessDeps): WeatherSource {
  const simulated = () => createSimulatedSource({ seed: config.sensor.seed, clock });
  switch (config.sensor.source) {
    case 'simulated':
      return simulated();
    case 'open-meteo':
      return openMeteo;
    case 'auto':
      return createAutoSource({ primary: openMeteo, fallback: simulated(), logger });
  }
}

export function createSensorService(deps: ProcessDeps): Service {
  const { config, db, clock, metrics } = deps;
  const logger = deps.logger.child({ component: 'sensor' });
  const schema = createSchemaGuard(db, logger);
  const repository = createReadingsRepository(db);
  const store: ReadingStore = {
    async insertBatch(readings) {
      await schema.ensure();
      const stored = await repository.insertBatch(readings);
      // A tick's keys are all new unless the batch is a retry; only a whole batch is attributed.
      if (stored === readings.length) {
        for (const r of readings) metrics.readingsStored.inc({ city: r.city, source: r.source });
      }
      return stored;
    },
  };
  const sensor = createSensor({
    source: sensorSource({ ...deps, logger }),
    store,
    cities: config.cities,
    intervalS: config.sensor.intervalS,
    clock,
    logger,
  });
  return {
    name: 'sensor',
    async start() {
      if (config.sensor.source !== 'simulated') {
        const warning = dailyBudgetWarning(config.cities.length, config.sensor.intervalS);
        if (warning) logger.warn(warning);
      }
      await schema.atStartUp();
      sensor.start();
    },
    stop: () => sensor.stop(),
  };
}

export function createDashboardService(deps: ProcessDeps): Service {
  const { config } = deps;
  const dashboard = createDashboard({
    db: deps.db,
    weather: deps.openMeteo,
    cities: config.cities,
    intervalS: config.sensor.intervalS,
    timeZone: config.dashboard.timeZone,
    host: config.dashboard.host,
    port: config.dashboard.port,
    clock: deps.clock,
    logger: deps.logger.child({ component: 'dashboard' }),
    metrics: deps.metrics,
  });
  const schema = createSchemaGuard(deps.db, deps.logger);
  return {
    name: 'dashboard',
    async start() {
      await schema.atStartUp();
      await dashboard.start();
      deps.logger.info(`dashboard listening on http://${config.dashboard.host}:${config.dashboard.port}`);
    },
    stop: () => dashboard.stop(),
  };
}

/** Snapshots to `dir` (BACKUP_DIR unless `clima backup --out` says otherwise), read through a connection of their own. */
export function createBackupService(deps: ProcessDeps, dir = deps.config.backup.dir): Service {
  const { config } = deps;
  const logger = deps.logger.child({ component: 'backup' });
  return createScheduledBackup({
    openReader: () => openDb(config.database, { logger }),
    dir,
    intervalS: config.backup.intervalS,
    keep: config.backup.keep,
    clock: deps.clock,
    logger,
  });
}
