import type { ReadingSource } from '../weather/observation.js';

/** A reading about to be stored. `key` makes the insert idempotent: the same key is stored once. */
export interface NewReading {
  readonly key: string;
  readonly city: string;
  readonly temperature: number;
  readonly humidity: number;
  /** When the reading was taken (`fecha_registro`), whole seconds, UTC. */
  readonly takenAt: Date;
  /** When the source observed the values. */
  readonly observedAt: Date;
  readonly source: ReadingSource;
}

/** A stored reading, dates as ISO 8601 UTC strings ending in `Z`. */
export interface Reading {
  readonly id: number;
  readonly key: string;
  readonly city: string;
  readonly temperature: number;
  readonly humidity: number;
  readonly takenAt: string;
  readonly observedAt: string;
  readonly source: ReadingSource;
}

/** Avg/min/max of the readings that fall in one time bucket of a chart. */
export interface ReadingBucket {
  /** Start of the bucket, ISO 8601 UTC. */
  readonly bucketStart: string;
  readonly count: number;
  readonly temperatureAvg: number;
  readonly temperatureMin: number;
  readonly temperatureMax: number;
  readonly humidityAvg: number;
  readonly humidityMin: number;
  readonly humidityMax: number;
}

/**
 * The idempotency key of a reading: the city and the second it was taken. Derivable from the
 * paper's own columns, so rows restored from a plain backup get the same key they had.
 */
export function readingKey(city: string, takenAt: Date): string {
  return `${city}@${takenAt.toISOString().slice(0, 19)}Z`;
}

/** `readingKey` of a time already in stored form, `'YYYY-MM-DD HH:MM:SS'`: the same key, no `Date`. */
export function storedReadingKey(city: string, fechaRegistro: string): string {
  return `${city}@${fechaRegistro.slice(0, 10)}T${fechaRegistro.slice(11)}Z`;
}
