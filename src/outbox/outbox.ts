import { dirname } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import { makeDirectory } from '../core/make-directory.js';
import type { NewReading } from '../db/reading.js';
import type { ReadingSource } from '../weather/observation.js';

/** A reading waiting in the outbox, with its place in the queue. */
export interface QueuedReading {
  readonly seq: number;
  readonly reading: NewReading;
}

export interface OutboxStats {
  /** Readings waiting to reach the database. */
  readonly depth: number;
  /** When the oldest waiting reading was taken. */
  readonly oldestTakenAt: Date | undefined;
  /** Readings the database acknowledged, since the outbox file was created. */
  readonly sentTotal: number;
  /** Readings dropped because the outbox was full, since the outbox file was created. */
  readonly droppedTotal: number;
}

interface Row {
  seq: number;
  reading_key: string;
  city: string;
  temperature: number;
  humidity: number;
  taken_at: number;
  observed_at: number;
  source: ReadingSource;
  station: string | null;
}

/** Logging a full outbox more often than this would flood the log during a long outage. */
const DROP_LOG_EVERY_MS = 60_000;

/**
 * The edge's durable queue of readings on their way to the database: a SQLite file of its own.
 * A reading is committed here (fsynced) before anything tries to send it, and leaves only once the
 * database has acknowledged it, so neither an outage nor a crash loses it. When the queue holds
 * `maxRows`, the oldest readings are dropped: counted, and logged at most once a minute.
 */
export function openOutbox(options: { path: string; maxRows: number; clock: Clock; logger: Logger }) {
  const { maxRows, clock, logger } = options;
  if (options.path !== ':memory:') makeDirectory(dirname(options.path));
  const file = new BetterSqlite3(options.path, { timeout: 5_000 });
  file.pragma('journal_mode = WAL');
  // FULL: a reading the sensor was told is queued survives a power cut, not just a crash.
  file.pragma('synchronous = FULL');
  file.exec(`
    CREATE TABLE IF NOT EXISTS outbox (
      seq INTEGER PRIMARY KEY AUTOINCREMENT,
      reading_key TEXT NOT NULL UNIQUE,
      city TEXT NOT NULL,
      temperature REAL NOT NULL,
      humidity INTEGER NOT NULL,
      taken_at INTEGER NOT NULL,
      observed_at INTEGER NOT NULL,
      source TEXT NOT NULL
    ) STRICT;
    CREATE TABLE IF NOT EXISTS outbox_totals (name TEXT PRIMARY KEY, value INTEGER NOT NULL) STRICT;
    INSERT OR IGNORE INTO outbox_totals (name, value) VALUES ('sent', 0), ('dropped', 0);
  `);
  // Outbox files written before stations existed: their queued readings keep no station.
  const columns = file.prepare<[], { name: string }>("SELECT name FROM pragma_table_info('outbox')").all();
  if (!columns.some((column) => column.name === 'station'))
    file.exec('ALTER TABLE outbox ADD COLUMN station TEXT');
  const insert = file.prepare(
    `INSERT OR IGNORE INTO outbox (reading_key, city, temperature, humidity, taken_at, observed_at, source, station)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const dropOldest = file.prepare(
    'DELETE FROM outbox WHERE seq IN (SELECT seq FROM outbox ORDER BY seq LIMIT ?)',
  );
  const deleteSeq = file.prepare('DELETE FROM outbox WHERE seq = ?');
  const addTotal = file.prepare('UPDATE outbox_totals SET value = value + ? WHERE name = ?');
  const readTotal = file.prepare<[string], { value: number }>(
    'SELECT value FROM outbox_totals WHERE name = ?',
  );
  const newerThan = file.prepare<[number, number], Row>(
    'SELECT * FROM outbox WHERE seq > ? ORDER BY seq LIMIT ?',
  );
  const oldest = file.prepare<[number, number], Row>(
    'SELECT * FROM outbox WHERE seq <= ? ORDER BY seq LIMIT ?',
  );
  const oldestTaken = file.prepare<[], { taken_at: number }>(
    'SELECT taken_at FROM outbox ORDER BY seq LIMIT 1',
  );
  const lastSeq = file.prepare<[], { seq: number | null }>('SELECT max(seq) AS seq FROM outbox');

  // Counted once at open, then kept in memory: count(*) over millions of rows on every tick would not be cheap.
  let depth = (file.prepare('SELECT count(*) AS n FROM outbox').get() as { n: number }).n;
  let seenSeq = 0;
  let unloggedDrops = 0;
  let lastDropLogAt = Number.NEGATIVE_INFINITY;

  const appendAll = file.transaction((groups: readonly (readonly NewReading[])[]) => {
    let appended = 0;
    const perGroup = groups.map((readings) => {
      let fresh = 0;
      for (const r of readings) {
        const result = insert.run(
          r.key,
          r.city,
          r.temperature,
          r.humidity,
          r.takenAt.getTime(),
          r.observedAt.getTime(),
          r.source,
          r.station ?? null,
        );
        fresh += result.changes;
      }
      appended += fresh;
      return fresh;
    });
    const overflow = depth + appended - maxRows;
    if (overflow > 0) {
      dropOldest.run(overflow);
      addTotal.run(overflow, 'dropped');
    }
    return { perGroup, appended, dropped: Math.max(0, overflow) };
  });

  const acknowledgeAll = file.transaction((seqs: readonly number[]) => {
    let removed = 0;
    for (const seq of seqs) removed += deleteSeq.run(seq).changes;
    addTotal.run(removed, 'sent');
    return removed;
  });

  function noteDrops(dropped: number, force = false): void {
    unloggedDrops += dropped;
    if (unloggedDrops === 0 || (!force && clock.now() - lastDropLogAt < DROP_LOG_EVERY_MS)) return;
    logger.warn(
      { dropped: unloggedDrops, droppedTotal: readTotal.get('dropped')?.value, maxRows },
      `outbox full: dropped the ${unloggedDrops} oldest readings`,
    );
    unloggedDrops = 0;
    lastDropLogAt = clock.now();
  }

  /** Commits several callers' readings in one transaction; returns how many of each group were new. */
  function appendGroups(groups: readonly (readonly NewReading[])[]): number[] {
    const { perGroup, appended, dropped } = appendAll(groups);
    depth = Math.min(maxRows, depth + appended);
    noteDrops(dropped);
    return perGroup;
  }

  return {
    /** Commits the readings to the queue (a key already queued is skipped); returns how many were new. */
    append: (readings: readonly NewReading[]): number => appendGroups([readings])[0] as number,
    appendGroups,
    /**
     * Up to `limit` readings to send: first those queued since the previous call (live readings,
     * so after an outage they wait behind the backlog for one batch at most), then the oldest.
     */
    take(limit: number): QueuedReading[] {
      const live = newerThan.all(seenSeq, limit);
      const rest = limit - live.length;
      const old = rest > 0 ? oldest.all(seenSeq, rest) : [];
      seenSeq = lastSeq.get()?.seq ?? seenSeq;
      return [...live, ...old].map(toQueued);
    },
    /** Removes readings the database has stored. */
    acknowledge(seqs: readonly number[]): void {
      depth -= acknowledgeAll(seqs);
    },
    stats(): OutboxStats {
      const oldestRow = depth > 0 ? oldestTaken.get() : undefined;
      return {
        depth,
        oldestTakenAt: oldestRow ? new Date(oldestRow.taken_at) : undefined,
        sentTotal: readTotal.get('sent')?.value ?? 0,
        droppedTotal: readTotal.get('dropped')?.value ?? 0,
      };
    },
    /** Logs drops not yet logged once their minute is up; `force` logs them now. */
    logDrops: (force = false) => noteDrops(0, force),
    /** Closes the file, logging any drops not yet logged so the log always adds up to the counter. */
    close(): void {
      noteDrops(0, true);
      if (file.open) file.close();
    },
  };
}

function toQueued(row: Row): QueuedReading {
  return {
    seq: row.seq,
    reading: {
      key: row.reading_key,
      city: row.city,
      temperature: row.temperature,
      humidity: row.humidity,
      takenAt: new Date(row.taken_at),
      observedAt: new Date(row.observed_at),
      source: row.source,
      ...(row.station === null ? {} : { station: row.station }),
    },
  };
}

export type Outbox = ReturnType<typeof openOutbox>;
