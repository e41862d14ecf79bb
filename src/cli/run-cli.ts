import type { Writable } from 'node:stream';
import { ConfigError } from '../config/config-error.js';
import type { Config, Env } from '../config/load-config.js';
import { loadConfig } from '../config/load-config.js';
import { type Clock, systemClock } from '../core/clock.js';
import { createLogger, type Logger } from '../core/logger.js';
import { createMetrics } from '../core/metrics.js';
import { describeTarget } from '../db/database-url.js';
import { migrateToLatest } from '../db/migrations/migrate-to-latest.js';
import { openDb } from '../db/open-db.js';
import {
  createDashboardService,
  createOpenMeteo,
  createSensorService,
  type ProcessDeps,
} from './create-services.js';
import { parseCommandLine } from './parse-command-line.js';
import { runUntilSignal, type Service } from './run-until-signal.js';
import { type CommandName, commandUsage, mainUsage } from './usage.js';

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
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    io.stderr.write(`clima: invalid configuration: ${error.message}\n`);
    return 2;
  }
  const logger = createLogger(config.logLevel);
  try {
    return await runCommand(line.command, config, logger, io.clock ?? systemClock);
  } catch (error) {
    logger.fatal({ err: error }, `${line.command} failed: ${(error as Error).message}`);
    return 1;
  } finally {
    logger.flush();
  }
}

async function runCommand(
  command: CommandName,
  config: Config,
  logger: Logger,
  clock: Clock,
): Promise<number> {
  const db = openDb(config.database, { logger });
  logger.info({ database: describeTarget(config.database) }, 'database selected');
  if (command === 'migrate') {
    try {
      const applied = await migrateToLatest(db);
      logger.info({ applied }, applied.length ? 'migrations applied' : 'schema already up to date');
      return 0;
    } finally {
      await db.close();
    }
  }
  const deps: ProcessDeps = {
    config,
    db,
    clock,
    logger,
    metrics: createMetrics(),
    openMeteo: createOpenMeteo(config, clock, logger),
  };
  const services: Service[] = [];
  if (command === 'start' || command === 'sensor') services.push(createSensorService(deps));
  if (command === 'start' || command === 'dashboard') services.push(createDashboardService(deps));
  return runUntilSignal(services, logger, () => db.close());
}
