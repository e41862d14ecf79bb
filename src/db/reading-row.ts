import type { Insertable, Selectable } from 'kysely';
import { tooLong } from '../core/too-long.js';
import type { ReadingSource } from '../weather/observation.js';
import type { NewReading, Reading } from './reading.js';
import type { MedicionesTable } from './schema.js';
import { fromSqlTimestamp, isStoredTimestamp, toSqlTimestamp } from './timestamps.js';

// The same limits as the table's CHECK constraints and column sizes (0001-create-mediciones):
// checked here too so a bad reading fails with a message naming it, identically on both dialects.
const TEMPERATURE_RANGE = [-100, 100] as const;
const MAX_CITY_LENGTH = 100;
const MAX_KEY_LENGTH = 150;
const SOURCES: readonly ReadingSource[] = ['open-meteo', 'simulated', 'device'];
// As STATIONS_FILE allows them (src/config/stations.ts): the column holds 64 characters (0004).
const MAX_STATION_LENGTH = 64;

/**
 * The row that stores `reading`: temperature rounded to one decimal, instants in stored form.
 * Throws a `RangeError` naming the reading and the field when a value cannot be stored.
 */
export function toInsertRow(reading: NewReading): Insertable<MedicionesTable> {
  const fail = failureOf(reading.key);
  if (typeof reading.key !== 'string' || reading.key === '' || tooLong(reading.key, MAX_KEY_LENGTH)) {
    fail('key', `1..${MAX_KEY_LENGTH} characters`, reading.key);
  }
  const temperature = checkedTemperature(reading, keyOfNew);
  // A device reading restored from a backup has no station (the paper's format cannot hold it).
  const { station, source } = reading;
  if (station !== undefined) {
    if (source !== 'device') fail('station', `absent for source ${source}`, station);
    if (typeof station !== 'string' || station === '' || tooLong(station, MAX_STATION_LENGTH)) {
      fail('station', `a name of 1..${MAX_STATION_LENGTH} characters`, station);
    }
  }
  const takenAt = storedInstant(reading.takenAt, 'takenAt', fail);
  return {
    ciudad: reading.city,
    temperatura: temperature,
    humedad: reading.humidity,
    fecha_registro: takenAt,
    reading_key: reading.key,
    source,
    // Only when set: a statement of many rows stays within SQLite's 32,766 variables.
    ...(station === undefined ? {} : { station }),
    // Often the very same instant (simulated readings, restored ones): formatted once.
    observed_at:
      reading.observedAt === reading.takenAt
        ? takenAt
        : storedInstant(reading.observedAt, 'observedAt', fail),
  };
}

/** The values of a reading that the table checks, whatever their origin. */
interface CheckedValues {
  readonly city: string;
  readonly temperature: number;
  readonly humidity: number;
  readonly source: ReadingSource;
}

/**
 * Checks a reading whose instant is already in stored form (a restore reads it so from the
 * backup) as `toInsertRow` does, with no `Date` made and no object: returns its temperature
 * rounded to one decimal. `keyOf` names the reading in the error, and is called only then: its
 * key is derived from its other values, and a restore checks millions that are fine. `goodTakenAt`
 * is a `takenAt` already found good (readings of the same second often follow each other).
 */
export function checkedStoredReading<R extends CheckedValues & { readonly takenAt: string }>(
  reading: R,
  keyOf: (reading: R) => string,
  goodTakenAt?: string,
): number {
  const { takenAt } = reading;
  if (takenAt !== goodTakenAt && (typeof takenAt !== 'string' || !isStoredTimestamp(takenAt))) {
    failureOf(keyOf(reading))('takenAt', "a stored timestamp 'YYYY-MM-DD HH:MM:SS'", reading.takenAt);
  }
  return checkedTemperature(reading, keyOf);
}

type Fail = (field: string, expected: string, got: unknown) => never;

function failureOf(key: unknown): Fail {
  return (field, expected, got) => {
    throw new RangeError(`reading ${JSON.stringify(key)}: ${field} must be ${expected}, got ${String(got)}`);
  };
}

const keyOfNew = (reading: NewReading): string => reading.key;

/** Checks the values but the key and instants against the table's limits; returns the temperature rounded. */
function checkedTemperature<R extends CheckedValues>(reading: R, keyOf: (reading: R) => unknown): number {
  const { city, humidity, source } = reading;
  // Untrimmed names are refused because MySQL's PAD SPACE collations would match 'Cali ' to
  // 'Cali' where SQLite would not.
  if (typeof city !== 'string' || city === '' || city !== city.trim() || tooLong(city, MAX_CITY_LENGTH)) {
    failureOf(keyOf(reading))('city', `a trimmed name of 1..${MAX_CITY_LENGTH} characters`, city);
  }
  if (!Number.isInteger(humidity) || humidity < 0 || humidity > 100)
    failureOf(keyOf(reading))('humidity', 'an integer 0..100', humidity);
  const temperature =
    typeof reading.temperature === 'number' ? roundToTenth(reading.temperature) : Number.NaN;
  if (!(temperature >= TEMPERATURE_RANGE[0] && temperature <= TEMPERATURE_RANGE[1])) {
    failureOf(keyOf(reading))(
      'temperature',
      `a number of °C in ${TEMPERATURE_RANGE.join('..')}`,
      reading.temperature,
    );
  }
  if (!SOURCES.includes(source)) failureOf(keyOf(reading))('source', SOURCES.join(' or '), source);
  return temperature;
}

/** A stored row as the API speaks it. */
export function toReading(row: Selectable<MedicionesTable>): Reading {
  return {
    id: Number(row.id),
    key: row.reading_key,
    city: row.ciudad,
    temperature: Number(row.temperatura),
    humidity: Number(row.humedad),
    takenAt: fromSqlTimestamp(row.fecha_registro),
    observedAt: fromSqlTimestamp(row.observed_at),
    source: row.source,
    ...(row.station === null || row.station === undefined ? {} : { station: row.station }),
  };
}

function roundToTenth(value: number): number {
  const rounded = Math.round(value * 10) / 10;
  // -0 would be stored and printed as "-0" by MySQL.
  return rounded === 0 ? 0 : rounded;
}

function storedInstant(instant: Date, field: string, fail: Fail): string {
  try {
    if (!(instant instanceof Date)) throw new RangeError('not a Date');
    return toSqlTimestamp(instant);
  } catch {
    return fail(field, 'a valid Date within years 0..9999', instant);
  }
}
