import { AppError } from '../core/app-error.js';
import type { Logger } from '../core/logger.js';
import type { ReadingsRepository } from '../db/readings-repository.js';
import { type ApiReading, toApiReading } from './api-reading.js';
import type { DatabaseGuard } from './database-guard.js';

/** The most new rows one poll reads; a longer backlog is read on the following polls. */
const POLL_BATCH = 500;
/** Readings kept for clients that reconnect with `Last-Event-ID`, so a resume costs no query. */
const REPLAY_SIZE = 1_000;
/** Comment lines keep proxies and the server's idle time-out (60 s) from closing a quiet stream. */
const HEARTBEAT_MS = 15_000;
/**
 * The most time between two polls, whatever SENSOR_INTERVAL_S: a stored reading reaches the pages
 * within this plus one query. The query reads the primary key's end, so polling faster than the
 * interval costs one indexed lookup per poll for all clients, not a scan.
 */
export const LIVE_POLL_MS = 250;

/** One connected client: the feed writes whole SSE frames and ends it when the dashboard stops. */
export interface FeedSubscriber {
  write(frame: string): void;
  end(): void;
}

export interface ReadingFeedOptions {
  readonly repository: ReadingsRepository;
  readonly guard: DatabaseGuard;
  readonly intervalS: number;
  /** What the `status` event says; read from memory, never from the database. */
  readonly status: () => unknown;
  readonly logger: Logger;
  readonly heartbeatMs?: number;
  /** Milliseconds between polls; the least of SENSOR_INTERVAL_S and LIVE_POLL_MS unless set. */
  readonly pollMs?: number;
}

export function readingFrame(reading: ApiReading): string {
  return `id: ${reading.id}\nevent: reading\ndata: ${JSON.stringify(reading)}\n\n`;
}

function statusFrame(status: string): string {
  return `event: status\ndata: ${status}\n\n`;
}

/**
 * New readings pushed to every open `/api/stream`. One poller per process asks the database for the
 * rows with an id above the last seen, every LIVE_POLL_MS (or SENSOR_INTERVAL_S when shorter),
 * whatever the number of clients, and only while at least one is connected: a reading is on every
 * open page within a second of its commit, even at a 15 s interval. Ids, not `fecha_registro`, because the outbox stores
 * readings late: a reading taken an hour ago still gets a new id when it arrives. This relies on
 * ids becoming visible in order, true with clima's single writer (one sensor, one statement a
 * batch); with concurrent writers a row committed after a higher id was seen would not be pushed
 * (the page still shows it on its next load).
 */
export function createReadingFeed(options: ReadingFeedOptions) {
  const { repository, guard, logger } = options;
  const intervalMs = options.intervalS * 1000;
  const heartbeatMs = options.heartbeatMs ?? HEARTBEAT_MS;
  const pollMs = options.pollMs ?? Math.min(intervalMs, LIVE_POLL_MS);
  const subscribers = new Set<FeedSubscriber>();
  const recent: ApiReading[] = [];
  let lastId: number | undefined;
  let lastStatus: string | undefined;
  let pollTimer: NodeJS.Timeout | undefined;
  let heartbeatTimer: NodeJS.Timeout | undefined;
  let polling = false;

  function broadcast(frame: string): void {
    for (const subscriber of subscribers) subscriber.write(frame);
  }

  function publishStatus(): void {
    const status = JSON.stringify(options.status());
    if (status === lastStatus) return;
    lastStatus = status;
    broadcast(statusFrame(status));
  }

  function publish(readings: readonly ApiReading[]): void {
    for (const reading of readings) {
      recent.push(reading);
      broadcast(readingFrame(reading));
    }
    if (recent.length > REPLAY_SIZE) recent.splice(0, recent.length - REPLAY_SIZE);
  }

  async function poll(): Promise<void> {
    try {
      if (lastId === undefined) {
        // The first poll only finds where "new" starts: the page already shows what is stored.
        const [newest] = await guard.run('newest_reading', () => repository.latestReadings(1));
        lastId = newest?.id ?? 0;
      } else {
        const afterId = lastId;
        const rows = await guard.run('readings_after_id', () =>
          repository.pageById({ afterId, limit: POLL_BATCH }),
        );
        const last = rows.at(-1);
        if (last) lastId = last.id;
        publish(rows.map(toApiReading));
      }
    } catch (error) {
      // Database down is a status, already kept by the guard; anything else is a bug worth a log.
      if (!(error instanceof AppError)) logger.error({ err: error }, 'reading feed poll failed');
    }
    publishStatus();
  }

  function schedule(delayMs: number): void {
    pollTimer = setTimeout(async () => {
      pollTimer = undefined;
      polling = true;
      await poll();
      polling = false;
      if (subscribers.size > 0 && pollTimer === undefined) schedule(pollMs);
    }, delayMs);
  }

  function startPolling(): void {
    if (!polling && pollTimer === undefined) schedule(0);
    heartbeatTimer ??= setInterval(() => broadcast(': heartbeat\n\n'), heartbeatMs);
  }

  function stopPolling(): void {
    clearTimeout(pollTimer);
    clearInterval(heartbeatTimer);
    pollTimer = undefined;
    heartbeatTimer = undefined;
  }

  return {
    /**
     * Adds a client: it gets the reconnect delay, the current status, and the held readings after
     * `lastEventId` (a resuming client); returns the function that removes it.
     */
    subscribe(subscriber: FeedSubscriber, lastEventId?: number): () => void {
      subscriber.write(`retry: ${intervalMs}\n\n`);
      // Read now, not the last broadcast: that may be from before the poller last went idle.
      subscriber.write(statusFrame(JSON.stringify(options.status())));
      if (lastEventId !== undefined) {
        for (const reading of recent) if (reading.id > lastEventId) subscriber.write(readingFrame(reading));
      }
      subscribers.add(subscriber);
      startPolling();
      return () => {
        subscribers.delete(subscriber);
        if (subscribers.size === 0) stopPolling();
      };
    },
    /** How many clients are connected. */
    clients: (): number => subscribers.size,
    /** Ends every stream and stops polling: the dashboard is stopping. */
    close(): void {
      stopPolling();
      for (const subscriber of subscribers) subscriber.end();
      subscribers.clear();
    },
  };
}

export type ReadingFeed = ReturnType<typeof createReadingFeed>;
