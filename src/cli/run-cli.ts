import type { Writable } from 'node:stream';
import { backupOnceCommand, restoreCommand, verifyCommand } from '../backup/backup-commands.js';
import { ConfigError } from '../config/config-error.js';
import type { Config, Env } from '../config/load-config.js';
import { loadConfig } from '../config/load-config.js';
import { type Clock, systemClock } from '../core/clock.js';
import { createLogger, type Logger } from '../core/logger.js';
import { describeTarget } from '../db/database-url.js';
import { warnOfPlaintextCredentials } from '../db/mysql-tls.js';
import { openDb, openDbOnFirstUse } from '../db/open-db.js';
import type { ProcessDeps } from './create-services.js';
import { checkDatabaseFolder } from './database-folder.js';
import { migrateCommand } from './migrate-command.js';
import { parseCommandLine, type RunLine } from './parse-command-line.js';
import { runUntilSignal, type Service } from './run-until-signal.js';
import { commandUsage, mainUsage } from './usage.js';

export interface CliIo {
  readonly env: Env;
  readonly stdout: Writable;
  readonly stderr: Writable;
  readonly clock?: Clock;
}

/**
 * The composition root: parse the command line, load the configuration, open the database, build
 * the services and run them. Resolves with the process exit code: 0 done, 1 failed, 2 bad usage
 * or configuration.
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const line = parseCommandLine(argv);
  if (line.kind === 'error') {
    io.stderr.write(`clima: ${line.message}\n\n${line.command ? commandUsage(line.command) : mainUsage()}\n`);
    return 2;
  }
  if (line.kind === 'help') {
    io.stdout.write(`${line.command ? commandUsage(line.command) : mainUsage()}\n`);
    return 0;
  }

  let config: Config;
  try {
    config = loadConfig(io.env);
    if (line.command !== 'backup verify') checkDatabaseFolder(config);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    io.stderr.write(`clima: invalid configuration: ${error.message}\n`);
    return 2;
  }
  const logger = createLogger(config.logLevel);
  try {
    return await runCommand(line, config, logger, io);
  } catch (error) {
    logger.fatal({ err: error }, `${line.command} failed: ${(error as Error).message}`);
    return 1;
  } finally {
    logger.flush();
  }
}

async function runCommand(line: RunLine, config: Config, logger: Logger, io: CliIo): Promise<number> {
  const { command, options, args } = line;
  const clock = io.clock ?? systemClock;
  // Reads a file and nothing else: no database to open (or, for SQLite, to create).
  if (command === 'backup verify') return verifyCommand(args.FILE ?? '', io);
  // A restore opens its database only once the backup has verified: a refused one creates nothing.
  const db =
    command === 'restore'
      ? openDbOnFirstUse(config.database, { logger })
      : openDb(config.database, { logger });
  logger.info({ database: describeTarget(config.database) }, 'database selected');
  warnOfPlaintextCredentials(config.database, logger);
  const backupDir = typeof options.out === 'string' ? options.out : config.backup.dir;
  const once = async (run: () => Promise<number>): Promise<number> => {
    try {
      return await run();
    } finally {
      await db.close();
    }
  };
  if (command === 'migrate') return once(() => migrateCommand(db, io.stderr, logger));
  if (command === 'restore') {
    const restoreOptions = { dryRun: options['dry-run'] === true, overwrite: options.overwrite === true };
    return once(() => restoreCommand(db, args.FILE ?? '', restoreOptions, io, clock));
  }
  if (command === 'backup' && options.once === true) {
    return once(() => backupOnceCommand({ db, dir: backupDir, keep: config.backup.keep, clock }, io));
  }
  // The services bring in the web server, metrics and weather clients: loaded only when they run,
  // so one-shot commands (backup --once, restore) start fast and small.
  const [
    {
      createBackupService,
      createDashboardService,
      createEdge,
      createMqttIngestService,
      createOpenMeteo,
      createRollupBackfillService,
      createSensorService,
      createSensorStatusService,
    },
    { createMetrics },
    { createRejectionLog },
  ] = await Promise.all([
    import('./create-services.js'),
    import('../core/metrics.js'),
    import('../ingest/rejection-log.js'),
  ]);
  const deps: ProcessDeps = {
    config,
    db,
    clock,
    logger,
    metrics: createMetrics(),
    openMeteo: createOpenMeteo(config, clock, logger),
  };
  const services: Service[] = [];
  const edge = ['start', 'sensor', 'ingest'].includes(command) ? createEdge(deps) : undefined;
  const mqttUrl = config.ingest.mqttUrl;
  if (command === 'ingest' && mqttUrl === undefined) {
    io.stderr.write(
      'clima: invalid configuration: MQTT_URL: clima ingest needs the broker to subscribe to\n',
    );
    await db.close();
    return 2;
  }
  // Stations' readings come in by MQTT (`clima ingest`, `clima start` with MQTT_URL) and by HTTP (`clima start`).
  const rejections =
    edge && command !== 'sensor'
      ? createRejectionLog({ ...deps, logger: logger.child({ component: 'ingest' }) })
      : undefined;
  const ingest =
    edge && rejections && mqttUrl !== undefined && (command === 'ingest' || command === 'start')
      ? createMqttIngestService(deps, edge, rejections, { url: mqttUrl, ownsEdge: command === 'ingest' })
      : undefined;
  const statusPort = config.sensor.statusPort;
  // `clima start` shows the outbox on the dashboard's own /api/status and /metrics.
  if (edge && (command === 'sensor' || command === 'ingest') && statusPort !== undefined)
    services.push(createSensorStatusService(deps, edge, statusPort, ingest?.notReady));
  if (edge && command !== 'ingest') services.push(createSensorService(deps, edge));
  if (ingest) services.push(ingest);
  if (command === 'start' || command === 'dashboard')
    services.push(createDashboardService(deps, edge, rejections));
  if (command === 'start' || command === 'backup') services.push(createBackupService(deps, backupDir));
  // An embedded install has no administrator to run `clima migrate`: it fills its rollups itself.
  if (command === 'start' && db.dialect === 'sqlite') services.push(createRollupBackfillService(deps));
  return runUntilSignal(services, logger, () => db.close());
}
