import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import { sleep } from '../core/sleep.js';
import { createStateChangeLog } from '../core/state-change-log.js';
import { isStorageProblem, type StoreProblem, storeProblem } from '../db/connection-error.js';
import type { NewReading } from '../db/reading.js';
import { isWorthAnotherConnection } from '../db/transient-error.js';
import type { ReadingStore } from '../sensor/reading-store.js';
import type { Outbox, QueuedReading } from './outbox.js';
import { createStoreHealth, type StoreFailure } from './store-health.js';

export interface SenderStats {
  /** Why the last flush failed, as a stable code: the driver's text goes to the log only. */
  readonly lastFlushError: StoreProblem | undefined;
  readonly lastFlushAt: Date | undefined;
}

const FIRST_RETRY_MS = 500;
// Capped low: once the database is back, the backlog should start moving within seconds.
const MAX_RETRY_MS = 10_000;
const IDLE_RECHECK_MS = 5_000;
// The proxy may hand a new connection to the same unready node again: a second try at once.
const TRANSIENT_RETRIES = 2;
// Within the 5 s a service gets to stop: a batch still unanswered then stays queued for next time.
const STOP_WAIT_MS = 4_000;

/**
 * Drains the outbox into the database: batches oldest first (live readings jump ahead by one
 * batch at most), idempotent inserts, and a reading leaves the outbox only after the database
 * stored it. A failed batch is retried forever with capped exponential backoff, so the sender
 * outlives any outage and any start order.
 */
export function createOutboxSender(deps: {
  outbox: Outbox;
  database: ReadingStore;
  clock: Clock;
  logger: Logger;
  batchSize?: number;
  /** Told of every batch the database took: the readings sent and how many of them were new. */
  onStored?: (readings: readonly NewReading[], stored: number) => void;
}) {
  const { outbox, database, logger } = deps;
  const batchSize = deps.batchSize ?? 1_000;
  const failures = createStateChangeLog(logger, 'outbox flush');
  const databaseHealth = createStoreHealth('database', deps.clock);
  // A full outbox file failing an acknowledgement must not be taken for a full database.
  const databaseErrors = new WeakSet<object>();

  async function store(readings: readonly NewReading[]): Promise<number> {
    try {
      return await database.insertBatch(readings);
    } catch (error) {
      if (typeof error === 'object' && error !== null) databaseErrors.add(error);
      throw error;
    }
  }
  let stats: SenderStats = { lastFlushError: undefined, lastFlushAt: undefined };
  let running = false;
  let loop: Promise<void> | undefined;
  let stopSignal = new AbortController();
  let wake: (() => void) | undefined;

  /**
   * A batch the database refuses as invalid (a `RangeError` from the repository) would block the
   * queue forever: it is sent again one reading at a time, and only the unstorable ones are
   * dropped, each logged.
   */
  async function storeOneByOne(batch: readonly QueuedReading[]): Promise<number> {
    let stored = 0;
    for (const queued of batch) {
      try {
        stored += await store([queued.reading]);
      } catch (error) {
        if (!(error instanceof RangeError)) throw error;
        logger.error({ err: error, key: queued.reading.key }, 'unstorable reading dropped from the outbox');
      }
      outbox.acknowledge([queued.seq]);
    }
    return stored;
  }

  /** Sends one batch; true when the outbox may hold more. */
  async function flushOnce(): Promise<boolean> {
    const batch = outbox.take(batchSize);
    if (batch.length === 0) return false;
    let stored: number;
    try {
      stored = await store(batch.map((queued) => queued.reading));
      outbox.acknowledge(batch.map((queued) => queued.seq));
    } catch (error) {
      if (!(error instanceof RangeError)) throw error;
      stored = await storeOneByOne(batch);
    }
    deps.onStored?.(
      batch.map((queued) => queued.reading),
      stored,
    );
    return batch.length === batchSize;
  }

  /** Waits for `notify()`, or a few seconds in case another process filled the outbox. */
  function idle(): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, IDLE_RECHECK_MS);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  async function run(): Promise<void> {
    let retryMs = FIRST_RETRY_MS;
    let retriedAtOnce = 0;
    while (running) {
      try {
        const more = await flushOnce();
        retriedAtOnce = 0;
        failures.succeeded();
        databaseHealth.succeeded();
        stats = { lastFlushError: undefined, lastFlushAt: new Date() };
        retryMs = FIRST_RETRY_MS;
        outbox.logDrops();
        if (!more) await idle();
      } catch (error) {
        // A Galera conflict, a node not ready or a session lost with its node: the batch (its
        // inserts are idempotent) goes again at once on another connection, and is no outage yet.
        if (retriedAtOnce < TRANSIENT_RETRIES && isWorthAnotherConnection(error)) {
          retriedAtOnce++;
          continue;
        }
        retriedAtOnce = 0;
        failures.failed(error);
        const problem = storeProblem(error);
        // An unreachable database may be full or not: only a database that answered "full" is.
        if (isStorageProblem(problem) && databaseErrors.has(error as object)) databaseHealth.failed(error);
        else databaseHealth.succeeded();
        stats = { ...stats, lastFlushError: problem };
        await sleep(retryMs, stopSignal.signal);
        retryMs = Math.min(MAX_RETRY_MS, retryMs * 2);
      }
    }
  }

  return {
    /** Tells the sender there is something new to send. */
    notify(): void {
      wake?.();
      wake = undefined;
    },
    start(): void {
      if (running) return;
      running = true;
      stopSignal = new AbortController();
      loop = run();
    },
    /** Stops after the batch in flight: it is either acknowledged or stays queued, never half-done. */
    async stop(): Promise<void> {
      running = false;
      stopSignal.abort();
      wake?.();
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([loop, new Promise((resolve) => (timer = setTimeout(resolve, STOP_WAIT_MS)))]);
      clearTimeout(timer);
    },
    stats: (): SenderStats => stats,
    /** Set while the database answers that it cannot store the readings (full, failing). */
    databaseFailure: (): StoreFailure | undefined => databaseHealth.failure(),
  };
}

export type OutboxSender = ReturnType<typeof createOutboxSender>;
