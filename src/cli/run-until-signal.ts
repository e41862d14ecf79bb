import type { Logger } from '../core/logger.js';
import { StartUpError } from './start-up-error.js';

/** A long-running part of a process: a poll loop, a server, a scheduled job. */
export interface Service {
  readonly name: string;
  start(): void | Promise<void>;
  stop(): Promise<void>;
}

/** Services get this long to stop on SIGTERM before the process gives up on them. */
const SHUTDOWN_DEADLINE_MS = 5_000;

/**
 * Starts the services and resolves with an exit code once SIGINT or SIGTERM has stopped them
 * (in reverse order) and `cleanup` has run. A second signal exits at once, and so does a stop
 * that outlasts the deadline: exit code 1 either way.
 */
export function runUntilSignal(
  services: readonly Service[],
  logger: Logger,
  cleanup: () => Promise<void>,
): Promise<number> {
  return new Promise((resolve) => {
    let stopping = false;
    const onSignal = (signal: NodeJS.Signals) => {
      if (stopping) {
        logger.warn({ signal }, 'second signal: exiting now');
        logger.flush();
        process.exit(1);
      }
      stopping = true;
      logger.info({ signal }, 'shutting down');
      void shutDown().then(resolve);
    };

    async function shutDown(): Promise<number> {
      let deadline: NodeJS.Timeout | undefined;
      const timedOut = new Promise<'timeout'>((done) => {
        deadline = setTimeout(() => done('timeout'), SHUTDOWN_DEADLINE_MS);
      });
      let current = 'clean-up';
      const stopped = (async () => {
        for (const service of [...services].reverse()) {
          current = service.name;
          await service
            .stop()
            .catch((error) => logger.error({ err: error, service: service.name }, 'stop failed'));
        }
        current = 'clean-up';
        await cleanup();
      })();
      const outcome = await Promise.race([stopped, timedOut]);
      clearTimeout(deadline);
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      if (outcome === 'timeout') {
        logger.error(
          { service: current },
          `shutdown took longer than ${SHUTDOWN_DEADLINE_MS} ms (still stopping: ${current}): exiting with code 1`,
        );
        logger.flush();
        // What did not stop (a client that never finishes its request, a hung query) holds the
        // event loop, so resolving would leave the process running: the deadline is a promise.
        process.exit(1);
      }
      return 0;
    }

    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    void (async () => {
      for (const service of services) await service.start();
    })().catch((error) => {
      if (error instanceof StartUpError) logger.fatal(error.message);
      else logger.fatal({ err: error }, 'start-up failed');
      stopping = true;
      void shutDown().then(() => resolve(1));
    });
  });
}
