import type { Logger } from './logger.js';

/**
 * Logs a dependency's failures once per change of state, not on every attempt: the first failure
 * and any new kind of failure are logged as errors, the recovery once as info.
 */
export function createStateChangeLog(logger: Logger, what: string) {
  let failingWith: string | undefined;
  return {
    failed(error: unknown): void {
      const message = error instanceof Error ? error.message : String(error);
      if (failingWith === message) return;
      failingWith = message;
      logger.error({ err: error }, `${what} failing: ${message}`);
    },
    succeeded(): void {
      if (failingWith === undefined) return;
      failingWith = undefined;
      logger.info(`${what} recovered`);
    },
    get failing(): boolean {
      return failingWith !== undefined;
    },
  };
}
