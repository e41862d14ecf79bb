import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import type { NewReading } from '../db/reading.js';
import type { ReadingStore } from '../sensor/reading-store.js';
import { createGroupCommit } from './group-commit.js';
import { type OutboxStats, openOutbox } from './outbox.js';
import { createOutboxSender, type SenderStats } from './outbox-sender.js';
import { createStoreHealth, type StoreFailure } from './store-health.js';

/** What the dashboard, /api/status and /metrics show of the outbox. */
export type OutboxStatus = OutboxStats &
  SenderStats & {
    /** Readings neither the outbox nor the database could keep, since the process started. */
    readonly lostTotal: number;
    /** Stores that cannot keep readings now, the outbox first. */
    readonly failures: readonly StoreFailure[];
    /** True when the outbox drains into an embedded database on this machine, not into the cloud. */
    readonly embedded: boolean;
  };

/**
 * The outbox and its sender as one piece: the sensor writes into `queue` (a commit to the local
 * file, then a nudge to the sender), and the sender drains into `database`.
 */
export function createEdgeOutbox(deps: {
  path: string;
  maxRows: number;
  database: ReadingStore;
  /** The database is an embedded one on this machine (SQLite). */
  embedded: boolean;
  clock: Clock;
  logger: Logger;
  onStored?: Parameters<typeof createOutboxSender>[0]['onStored'];
}) {
  const outbox = openOutbox({
    path: deps.path,
    maxRows: deps.maxRows,
    clock: deps.clock,
    logger: deps.logger,
  });
  const sender = createOutboxSender({
    outbox,
    database: deps.database,
    clock: deps.clock,
    logger: deps.logger,
    onStored: deps.onStored,
  });
  const health = createStoreHealth('outbox', deps.clock);
  // In memory: a disk that cannot take a reading cannot take a counter either.
  let lostTotal = 0;
  // The sensor, MQTT ingest and every HTTP ingest request of one turn share a commit.
  const append = createGroupCommit((groups: readonly (readonly NewReading[])[]) => {
    let queued: number[];
    try {
      queued = outbox.appendGroups(groups);
    } catch (error) {
      for (const readings of groups) lostTotal += readings.length;
      const { problem } = health.failed(error);
      throw new Error(`the outbox cannot keep readings: ${problem}`, { cause: error });
    }
    health.succeeded();
    sender.notify();
    return queued;
  });
  const queue: ReadingStore = {
    /**
     * A reading the outbox cannot write (disk full, file system failing) is lost: counted, and
     * the error thrown has a stable message, so the caller's log says so once per change of state.
     */
    insertBatch: append,
  };
  return {
    queue,
    status: (): OutboxStatus => {
      const failures = [health.failure(), sender.databaseFailure()];
      return {
        ...outbox.stats(),
        ...sender.stats(),
        lostTotal,
        failures: failures.filter((failure) => failure !== undefined),
        embedded: deps.embedded,
      };
    },
    start: () => sender.start(),
    async stop(): Promise<void> {
      await sender.stop();
      outbox.close();
    },
  };
}

export type EdgeOutbox = ReturnType<typeof createEdgeOutbox>;
