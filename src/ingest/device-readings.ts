import { deviceKeyOfCanonical, deviceReadingKey, type NewReading } from '../db/reading.js';
import type { Station } from './station.js';

/** Why a message or request of a station was refused: the label of its count in /metrics. */
export type RejectionReason = 'bad-json' | 'bad-payload' | 'unknown-station' | 'out-of-range' | 'bad-time';

export const REJECTION_REASONS: readonly RejectionReason[] = [
  'bad-json',
  'bad-payload',
  'unknown-station',
  'out-of-range',
  'bad-time',
];

/** A refusal: the reason, and the field (`[2].humidity`) and what was wrong, for the sender. */
export interface Rejection {
  readonly reason: RejectionReason;
  readonly field?: string;
  readonly detail: string;
}

/** The most readings one message or request may carry. */
export const MAX_READINGS_PER_MESSAGE = 1_000;
/** A device's clock may run this far ahead of ours; further, its times are not believed. */
const MAX_FUTURE_MS = 5 * 60_000;
// The table's limits (reading-row.ts), checked here so a refusal names the field to the device.
const TEMPERATURE_RANGE = [-100, 100] as const;
// RFC 3339 with a zone: a time without one would be read in whatever zone this machine is in.
const ISO_INSTANT = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
const FIELDS = new Set(['temperature', 'humidity', 'takenAt']);
const BAD_TIME = 'must be an ISO 8601 time with a zone, e.g. 2026-11-29T17:20:00Z';

/**
 * The readings of one message (MQTT) or request body (HTTP) of `station`: one object
 * `{temperature, humidity, takenAt?}` or an array of at most 1,000. All or nothing: the first bad
 * reading refuses the whole message, naming its field. `takenAt` is optional (then `receivedAt`),
 * truncated to the second: a reading's key is its station and second, so a message delivered
 * twice is stored once; a reading without `takenAt` that is delivered twice may be stored twice.
 */
export function deviceReadings(
  body: unknown,
  station: Station,
  receivedAt: Date,
): { readings: NewReading[] } | { rejection: Rejection } {
  const list = Array.isArray(body);
  const items: readonly unknown[] = list ? body : [body];
  if (items.length === 0) return { rejection: { reason: 'bad-payload', detail: 'no reading in the array' } };
  if (items.length > MAX_READINGS_PER_MESSAGE) {
    return {
      rejection: {
        reason: 'bad-payload',
        detail: `${items.length} readings, at most ${MAX_READINGS_PER_MESSAGE} a message`,
      },
    };
  }
  const readings: NewReading[] = new Array(items.length);
  // Messages without times share the receipt's second: its key is made once.
  let receiptKey: string | undefined;
  for (let index = 0; index < items.length; index++) {
    const item = items[index];
    if (typeof item !== 'object' || item === null || Array.isArray(item)) {
      return {
        rejection: {
          reason: 'bad-payload',
          field: list ? `[${index}]` : undefined,
          detail: 'a reading is an object {"temperature", "humidity", "takenAt"}',
        },
      };
    }
    const fields = item as Record<string, unknown>;
    for (const key in fields) {
      if (!FIELDS.has(key)) return refusal('bad-payload', list, index, key, 'is not a field of a reading');
    }
    const { temperature, humidity, takenAt } = fields;
    if (typeof temperature !== 'number' || !Number.isFinite(temperature)) {
      return refusal('bad-payload', list, index, 'temperature', 'must be a number of °C');
    }
    if (temperature < TEMPERATURE_RANGE[0] || temperature > TEMPERATURE_RANGE[1]) {
      const detail = `must be in ${TEMPERATURE_RANGE.join('..')} °C, got ${temperature}`;
      return refusal('out-of-range', list, index, 'temperature', detail);
    }
    if (typeof humidity !== 'number' || !Number.isFinite(humidity)) {
      return refusal('bad-payload', list, index, 'humidity', 'must be a number of percent');
    }
    if (humidity < 0 || humidity > 100) {
      return refusal('out-of-range', list, index, 'humidity', `must be in 0..100 %, got ${humidity}`);
    }
    let second: Date;
    let key: string;
    if (takenAt === undefined) {
      second = new Date(Math.floor(receivedAt.getTime() / 1000) * 1000);
      receiptKey ??= deviceReadingKey(station.name, second);
      key = receiptKey;
    } else {
      const taken = typeof takenAt === 'string' ? instant(takenAt) : undefined;
      if (taken === undefined) return refusal('bad-time', list, index, 'takenAt', BAD_TIME);
      if (taken > receivedAt.getTime() + MAX_FUTURE_MS) {
        const detail = `is in the future (received at ${receivedAt.toISOString()})`;
        return refusal('bad-time', list, index, 'takenAt', detail);
      }
      if (taken < 0) return refusal('bad-time', list, index, 'takenAt', 'must be after 1970');
      second = new Date(taken - (taken % 1000));
      // A time in UTC (what devices send) is already the key's text up to its second; a time
      // with an offset is formatted.
      key = (takenAt as string).endsWith('Z')
        ? deviceKeyOfCanonical(station.name, `${(takenAt as string).slice(0, 19)}Z`)
        : deviceReadingKey(station.name, second);
    }
    readings[index] = {
      key,
      city: station.city,
      temperature,
      // The paper stores whole percent.
      humidity: Math.round(humidity),
      takenAt: second,
      observedAt: second,
      source: 'device',
      station: station.name,
    };
  }
  return { readings };
}

function refusal(reason: RejectionReason, list: boolean, index: number, field: string, detail: string) {
  return { rejection: { reason, field: list ? `[${index}].${field}` : field, detail } };
}

/**
 * Milliseconds since the epoch of an RFC 3339 time with a zone, or undefined when `text` is not
 * one or names a day or time the calendar does not have (2026-02-30 is refused, not read as
 * 2 March; so is 24:00).
 */
function instant(text: string): number | undefined {
  const parts = ISO_INSTANT.exec(text);
  if (parts === null) return undefined;
  const year = Number(parts[1]);
  const month = Number(parts[2]);
  const day = Number(parts[3]);
  const hour = Number(parts[4]);
  const minute = Number(parts[5]);
  const second = Number(parts[6]);
  const offset = zoneOffsetMs(parts[8] as string);
  const dateValid = month >= 1 && month <= 12 && day >= 1 && day <= daysIn(year, month);
  if (!dateValid || hour > 23 || minute > 59 || second > 59 || offset === undefined) return undefined;
  // The fraction's first three digits, as Date.parse reads them.
  const ms = parts[7] === undefined ? 0 : Math.floor(Number(parts[7]) * 1000 + 1e-6);
  return Date.UTC(year, month - 1, day, hour, minute, second, ms) - offset;
}

/** `Z`, or `+05:30` / `-05:00` as milliseconds east of UTC; undefined past 23:59. */
function zoneOffsetMs(zone: string): number | undefined {
  if (zone === 'Z') return 0;
  const hours = Number(zone.slice(1, 3));
  const minutes = Number(zone.slice(4, 6));
  if (hours > 23 || minutes > 59) return undefined;
  return (zone[0] === '-' ? -1 : 1) * (hours * 60 + minutes) * 60_000;
}

function daysIn(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}
