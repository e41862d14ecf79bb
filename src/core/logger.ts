import { type LevelWithSilent, type Logger, pino, stdSerializers } from 'pino';

export type { Logger };

/**
 * JSON lines for machines; a readable form when a person watches the terminal.
 * pino-pretty runs in a worker thread so formatting never blocks the event loop.
 */
export function createLogger(level: LevelWithSilent, pretty = process.stdout.isTTY === true): Logger {
  const serializers = { err: serializeError };
  if (pretty) {
    return pino({
      level,
      serializers,
      transport: { target: 'pino-pretty', options: { colorize: true, translateTime: 'SYS:HH:MM:ss' } },
    });
  }
  return pino({ level, serializers });
}

/**
 * pino's serializer, except for the message: pino appends every cause's message to the error's,
 * and clima's errors usually say their cause already ("migration failed: connect ECONNREFUSED"),
 * which would then read twice. A cause's message is appended only when the text lacks it.
 */
function serializeError(error: Error) {
  const serialized = stdSerializers.err(error);
  if (!(error instanceof Error)) return serialized;
  let message = error.message;
  const seen = new Set<unknown>([error]);
  for (let cause = error.cause; cause instanceof Error && !seen.has(cause); cause = cause.cause) {
    seen.add(cause);
    if (!message.includes(cause.message)) message += `: ${cause.message}`;
  }
  serialized.message = message;
  return serialized;
}

/** A logger that writes nothing: the default for tests that do not look at logs. */
export const silentLogger: Logger = pino({ level: 'silent' });
