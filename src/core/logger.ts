import { type LevelWithSilent, type Logger, pino } from 'pino';

export type { Logger };

/**
 * JSON lines for machines; a readable form when a person watches the terminal.
 * pino-pretty runs in a worker thread so formatting never blocks the event loop.
 */
export function createLogger(level: LevelWithSilent, pretty = process.stdout.isTTY === true): Logger {
  if (pretty) {
    return pino({
      level,
      transport: { target: 'pino-pretty', options: { colorize: true, translateTime: 'SYS:HH:MM:ss' } },
    });
  }
  return pino({ level });
}

/** A logger that writes nothing: the default for tests that do not look at logs. */
export const silentLogger: Logger = pino({ level: 'silent' });
