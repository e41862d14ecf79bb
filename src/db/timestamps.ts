/**
 * Instants are stored as `'YYYY-MM-DD HH:MM:SS'` UTC text in both dialects (SQLite TEXT, MySQL
 * DATETIME read with `dateStrings`), so no driver or server time zone ever touches them and the
 * paper's `SELECT *` prints readable dates. This module is the only place that converts.
 */

const SQL_TIMESTAMP = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})$/;

/**
 * The stored form of an instant, to whole seconds. `ceil` serves inclusive lower bounds: a stored
 * second before `12:00:00.500` must not match `>= 12:00:00.500`.
 */
export function toSqlTimestamp(instant: Date, rounding: 'floor' | 'ceil' = 'floor'): string {
  const ms = instant.getTime();
  if (!Number.isFinite(ms)) throw new RangeError('invalid date');
  const seconds = rounding === 'ceil' ? Math.ceil(ms / 1000) : Math.floor(ms / 1000);
  const iso = new Date(seconds * 1000).toISOString();
  // Years outside 0000-9999 come out as "+010000-..." which neither DATETIME nor a text sort handles.
  if (iso.length !== 24) throw new RangeError(`date out of the storable range: ${iso}`);
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}`;
}

/** Whether `text` is a stored timestamp naming a second that exists (no 2024-02-30, no 25:00:00). */
export function isStoredTimestamp(text: string): boolean {
  if (!SQL_TIMESTAMP.test(text)) return false;
  // Read from the digits rather than through Date: a restore checks millions of them.
  const year = digitsAt(text, 0, 4);
  const month = digitsAt(text, 5, 7);
  const day = digitsAt(text, 8, 10);
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const daysInMonth =
    month === 2 ? (leap ? 29 : 28) : month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
  return (
    month >= 1 &&
    month <= 12 &&
    day >= 1 &&
    day <= daysInMonth &&
    digitsAt(text, 11, 13) <= 23 &&
    digitsAt(text, 14, 16) <= 59 &&
    digitsAt(text, 17, 19) <= 59
  );
}

/** The number written by the digits of `text` from `from` to `to`. */
function digitsAt(text: string, from: number, to: number): number {
  let value = 0;
  for (let i = from; i < to; i++) value = value * 10 + text.charCodeAt(i) - 0x30;
  return value;
}

/** A stored timestamp as ISO 8601 UTC with seconds and `Z`, e.g. `2024-03-01T12:00:00Z`. */
export function fromSqlTimestamp(value: unknown): string {
  const match = typeof value === 'string' ? SQL_TIMESTAMP.exec(value) : null;
  if (match === null) {
    throw new TypeError(`expected a stored timestamp 'YYYY-MM-DD HH:MM:SS', got ${JSON.stringify(value)}`);
  }
  return `${match[1]}T${match[2]}Z`;
}

/** Seconds since the Unix epoch of the second `toSqlTimestamp` stores for `instant`. */
export function epochSecondsOf(instant: Date, rounding: 'floor' | 'ceil' = 'floor'): number {
  return Date.parse(`${toSqlTimestamp(instant, rounding).replace(' ', 'T')}Z`) / 1000;
}

/** ISO 8601 UTC with seconds and `Z` of a count of seconds since the Unix epoch. */
export function epochSecondsToIso(seconds: number): string {
  return fromSqlTimestamp(toSqlTimestamp(new Date(seconds * 1000)));
}
