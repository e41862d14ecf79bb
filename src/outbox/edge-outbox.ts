import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import type { ReadingStore } from '../sensor/reading-store.js';
import { type OutboxStats, openOutbox } from './outbox.js';
import { createOutboxSender, type SenderStats } from './outbox-sender.js';

/** What the dashboard, /api/status and /metrics show of the outbox. */
export type OutboxStatus = OutboxStats & SenderStats;

/**
 * The outbox and its sender as one piece: the sensor writes into `queue` (a commit to the local
 * file, then a nudge to the sender), and the sender drains into `database`.
 */
export function createEdgeOutbox(deps: {
  path: string;
  maxRows: number;
  database: ReadingStore;
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
    logger: deps.logger,
    onStored: deps.onStored,
  });
  const queue: ReadingStore = {
    async insertBatch(readings) {
      const queued = outbox.append(readings);
      sender.notify();
      return queued;
    },
  };
  return {
    queue,
    status: (): OutboxStatus => ({ ...outbox.stats(), ...sender.stats() }),
    start: () => sender.start(),
    async stop(): Promise<void> {
      await sender.stop();
      outbox.close();
    },
  };
}

export type EdgeOutbox = ReturnType<typeof createEdgeOutbox>;
