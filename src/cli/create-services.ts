import { createAlertsService } from '../alerts/alerts-service.js';
import { readSystemInputs } from '../alerts/system-inputs.js';
import { createBackupService as createScheduledBackup } from '../backup/backup-service.js';
import type { Config } from '../config/load-config.js';
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import type { Metrics } from '../core/metrics.js';
import { createDashboard } from '../dashboard/create-dashboard.js';
import { localOutboxReport, pollSensorOutbox } from '../dashboard/outbox-report.js';
import { type Database, openDb } from '../db/open-db.js';
import { createReadingsRepository } from '../db/readings-repository.js';
import { backfillRollups, rollupsComplete } from '../db/rollup-backfill.js';
import { createSchemaGuard } from '../db/schema-guard.js';
import { createMqttIngest } from '../ingest/mqtt-ingest.js';
import type { RejectionLog } from '../ingest/rejection-log.js';
import { createEdgeOutbox, type EdgeOutbox } from '../outbox/edge-outbox.js';
import { watchOutbox } from '../outbox/outbox-metrics.js';
import { createSensor } from '../sensor/sensor.js';
import { createSensorStatusServer } from '../sensor/sensor-status-server.js';
import { createAutoSource } from '../weather/auto-source.js';
import { dailyBudgetWarning } from '../weather/budget.js';
import type { WeatherSource } from '../weather/observation.js';
import { createOpenMeteoSource, type OpenMeteoSource } from '../weather/open-meteo-source.js';
import { createSimulatedSource } from '../weather/simulated-source.js';
import type { Service } from './run-until-signal.js';
import { listenOrExplain } from './start-up-error.js';

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

/**
 * The durable outbox between the sensor and the database, draining through the repository (with
 * migrations applied once the database answers).
 */
export function createEdge(deps: ProcessDeps): EdgeOutbox {
  const { config, db, clock, metrics } = deps;
  const logger = deps.logger.child({ component: 'outbox' });
  const schema = createSchemaGuard(db, logger);
  const repository = createReadingsRepository(db);
  const edge = createEdgeOutbox({
    path: config.outbox.path,
    maxRows: config.outbox.maxRows,
    database: {
      async insertBatch(readings) {
        await schema.ensure();
        return repository.insertBatch(readings);
      },
    },
    embedded: db.dialect === 'sqlite',
    clock,
    logger,
    onStored(readings, stored) {
      // A batch's keys are all new unless it is a retry after a lost acknowledgement; only a
      // whole batch can be attributed to cities.
      if (stored !== readings.length) return;
      for (const r of readings) metrics.readingsStored.inc({ city: r.city, source: r.source });
    },
  });
  watchOutbox(metrics, edge.status, clock);
  return edge;
}

export function createSensorService(deps: ProcessDeps, edge: EdgeOutbox): Service {
  const { config, db, clock } = deps;
  const logger = deps.logger.child({ component: 'sensor' });
  const schema = createSchemaGuard(db, logger);
  const sensor = createSensor({
    source: sensorSource({ ...deps, logger }),
    store: edge.queue,
    cities: config.cities,
    intervalS: config.sensor.intervalS,
    clock,
    logger,
  });
  return {
    name: 'sensor',
    async start() {
      if (config.sensor.source !== 'simulated') {
        const warning = dailyBudgetWarning(
          config.cities.length,
          config.sensor.intervalS,
          config.openMeteo.clients,
        );
        if (warning) logger.warn(warning);
      }
      await schema.atStartUp();
      edge.start();
      sensor.start();
    },
    async stop() {
      await sensor.stop();
      await edge.stop();
    },
  };
}

/**
 * `clima sensor`'s (and `clima ingest`'s) status server on SENSOR_PORT: health, readiness, metrics
 * and the outbox for the dashboard.
 */
export function createSensorStatusService(
  deps: ProcessDeps,
  edge: EdgeOutbox,
  port: number,
  notReady?: () => string | undefined,
): Service {
  const host = deps.config.dashboard.host;
  const server = createSensorStatusServer({
    host,
    port,
    outbox: edge.status,
    notReady,
    metrics: deps.metrics,
    metricsToken: deps.config.metricsToken,
    logger: deps.logger.child({ component: 'sensor-status' }),
  });
  return {
    name: server.name,
    start: () => listenOrExplain(() => server.start(), { host, port, portVariable: 'SENSOR_PORT' }),
    stop: () => server.stop(),
  };
}

/**
 * The dashboard, showing the outbox of the sensor in this process (`edge`) or, when the sensor runs
 * apart, the one its status server reports at SENSOR_STATUS_URL.
 */
export function createDashboardService(
  deps: ProcessDeps,
  edge?: EdgeOutbox,
  rejections?: RejectionLog,
): Service {
  const { config } = deps;
  const sensorUrl = config.dashboard.sensorStatusUrl;
  const remote =
    edge === undefined && sensorUrl !== undefined
      ? pollSensorOutbox({
          url: sensorUrl,
          clock: deps.clock,
          logger: deps.logger.child({ component: 'dashboard' }),
        })
      : undefined;
  const outbox = edge ? localOutboxReport(edge.status, deps.clock) : remote?.report;
  const alerts = createAlertsService({
    db: deps.db,
    config: config.alerts,
    cities: config.cities.map((city) => city.name),
    stations: config.ingest.stations.map((station) => station.name),
    systemInputs: () => readSystemInputs(outbox, config.backup.dir),
    clock: deps.clock,
    logger: deps.logger,
    metrics: deps.metrics,
  });
  const dashboard = createDashboard({
    outbox,
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
    metricsToken: config.metricsToken,
    alerts: alerts.status,
    stations: config.ingest.stations.map(({ name, city }) => ({ name, city })),
    // Stations POST into the outbox of this process: only where one runs (`clima start`).
    ingest:
      edge && rejections && config.ingest.stations.length > 0
        ? {
            stations: config.ingest.stations,
            store: edge.queue,
            rejections,
            ratePerMinute: config.ingest.ratePerMinute,
            clock: deps.clock,
          }
        : undefined,
  });
  const schema = createSchemaGuard(deps.db, deps.logger);
  return {
    name: 'dashboard',
    async start() {
      await schema.atStartUp();
      remote?.start();
      const { host, port } = config.dashboard;
      await listenOrExplain(() => dashboard.start(), { host, port, portVariable: 'PORT' });
      deps.logger.info(`dashboard listening on http://${config.dashboard.host}:${config.dashboard.port}`);
      alerts.start();
    },
    async stop() {
      await alerts.stop();
      await dashboard.stop();
      await remote?.stop();
    },
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

/**
 * Fills the rollups from the readings stored before them, in the background, in batches small
 * enough not to hold up the other services of the process; stopping ends it after a batch.
 */
export function createRollupBackfillService(deps: ProcessDeps): Service {
  const { db } = deps;
  const logger = deps.logger.child({ component: 'rollups' });
  const schema = createSchemaGuard(db, logger);
  const abort = new AbortController();
  let running: Promise<void> | undefined;
  async function fill(): Promise<void> {
    if (await rollupsComplete(db.kysely)) return;
    logger.info('filling the rollups from the readings stored before them, in the background');
    const { rows, complete } = await backfillRollups(db, { batchRows: 2_000, signal: abort.signal });
    if (complete) logger.info({ rows }, 'rollups filled: long ranges are charted from them from now on');
  }
  return {
    name: 'rollup backfill',
    async start() {
      await schema.atStartUp();
      running = fill().catch((error) =>
        logger.error(
          { err: error },
          'filling the rollups failed: the next start (or clima migrate) resumes it',
        ),
      );
    },
    async stop() {
      abort.abort();
      await running;
    },
  };
}

/**
 * Stations' readings from the MQTT broker (MQTT_URL), committed to `edge` before they are
 * acknowledged. `ownsEdge`: no sensor in this process starts and stops the outbox (`clima ingest`).
 */
export function createMqttIngestService(
  deps: ProcessDeps,
  edge: EdgeOutbox,
  rejections: RejectionLog,
  options: { url: string; ownsEdge: boolean },
): Service & { notReady: () => string | undefined } {
  const { config, db } = deps;
  const logger = deps.logger.child({ component: 'ingest' });
  const schema = createSchemaGuard(db, logger);
  const ingest = createMqttIngest({
    url: options.url,
    clientId: config.ingest.mqttClientId,
    stations: config.ingest.stations,
    store: edge.queue,
    rejections,
    clock: deps.clock,
    logger,
  });
  return {
    name: ingest.name,
    // Ready once subscribed: before that, a message to a broker without our session would be lost.
    notReady: () => (ingest.status().connected ? undefined : 'not subscribed to the broker'),
    async start() {
      if (config.ingest.stations.length === 0)
        logger.warn('STATIONS lists no station: every message is refused');
      await schema.atStartUp();
      if (options.ownsEdge) edge.start();
      await ingest.start();
    },
    async stop() {
      await ingest.stop();
      if (options.ownsEdge) await edge.stop();
    },
  };
}
