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
  /** The station that sent a `device` reading; absent for every other source. */
  readonly station?: string;
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
  /** The station of a `device` reading; absent otherwise, and for device readings restored from a backup. */
  readonly station?: string;
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

/**
 * The idempotency key of a station's reading: the station and the second it was taken, so a
 * redelivered message is stored once. `station:` cannot begin a city's key: city names hold no
 * colon (`CITIES` separates its fields with colons).
 */
export function deviceReadingKey(station: string, takenAt: Date): string {
  return deviceKeyOfCanonical(station, `${takenAt.toISOString().slice(0, 19)}Z`);
}

/**
 * `deviceReadingKey` of a time already written as the key writes it (`2026-11-29T17:20:00Z`:
 * whole seconds, UTC, a valid date), without formatting it again.
 */
export function deviceKeyOfCanonical(station: string, time: string): string {
  return `station:${station}@${time}`;
}

/**
 * The key of a device reading restored from a backup, which holds neither its station nor its
 * key: made unique by the id it had, so that it never collides with its city's own reading, or
 * another station's, of the same second.
 */
export function restoredDeviceKey(id: number, fechaRegistro: string): string {
  return `restored-device:${id}@${storedKeyTime(fechaRegistro)}`;
}

/** `readingKey` of a time already in stored form, `'YYYY-MM-DD HH:MM:SS'`: the same key, no `Date`. */
export function storedReadingKey(city: string, fechaRegistro: string): string {
  return `${city}@${storedKeyTime(fechaRegistro)}`;
}

/** A stored time, `'YYYY-MM-DD HH:MM:SS'`, as keys write it: `'YYYY-MM-DDTHH:MM:SSZ'`. */
function storedKeyTime(fechaRegistro: string): string {
  return `${fechaRegistro.slice(0, 10)}T${fechaRegistro.slice(11)}Z`;
}
