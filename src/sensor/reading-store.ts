import type { NewReading } from '../db/reading.js';

/** Where the sensor puts what it reads: the database directly, or a durable outbox in front of it. */
export interface ReadingStore {
  /** Stores the readings idempotently; resolves with how many were new. */
  insertBatch(readings: readonly NewReading[]): Promise<number>;
}
