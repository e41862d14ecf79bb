import { deviceReadingKey, type NewReading } from '../db/reading.js';
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
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
const FIELDS = new Set(['temperature', 'humidity', 'takenAt']);

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
  const items = Array.isArray(body) ? body : [body];
  if (items.length === 0) return { rejection: { reason: 'bad-payload', detail: 'no reading in the array' } };
  if (items.length > MAX_READINGS_PER_MESSAGE) {
    return {
      rejection: {
        reason: 'bad-payload',
        detail: `${items.length} readings, at most ${MAX_READINGS_PER_MESSAGE} a message`,
      },
    };
  }
  const readings: NewReading[] = [];
  for (const [index, item] of items.entries()) {
    const at = (field: string) => (Array.isArray(body) ? `[${index}].${field}` : field);
    const refuse = (reason: RejectionReason, field: string, detail: string) => ({
      rejection: { reason, field: at(field), detail },
    });
    if (typeof item !== 'object' || item === null || Array.isArray(item)) {
      return {
        rejection: {
          reason: 'bad-payload' as const,
          field: Array.isArray(body) ? `[${index}]` : undefined,
          detail: 'a reading is an object {"temperature", "humidity", "takenAt"}',
        },
      };
    }
    const fields = item as Record<string, unknown>;
    const unknown = Object.keys(fields).find((key) => !FIELDS.has(key));
    if (unknown !== undefined) return refuse('bad-payload', unknown, 'is not a field of a reading');
    const { temperature, humidity, takenAt } = fields;
    if (typeof temperature !== 'number' || !Number.isFinite(temperature)) {
      return refuse('bad-payload', 'temperature', 'must be a number of °C');
    }
    if (temperature < TEMPERATURE_RANGE[0] || temperature > TEMPERATURE_RANGE[1]) {
      return refuse(
        'out-of-range',
        'temperature',
        `must be in ${TEMPERATURE_RANGE.join('..')} °C, got ${temperature}`,
      );
    }
    if (typeof humidity !== 'number' || !Number.isFinite(humidity)) {
      return refuse('bad-payload', 'humidity', 'must be a number of percent');
    }
    if (humidity < 0 || humidity > 100)
      return refuse('out-of-range', 'humidity', `must be in 0..100 %, got ${humidity}`);
    let taken = receivedAt;
    if (takenAt !== undefined) {
      if (typeof takenAt !== 'string' || !ISO_INSTANT.test(takenAt) || Number.isNaN(Date.parse(takenAt))) {
        return refuse(
          'bad-time',
          'takenAt',
          'must be an ISO 8601 time with a zone, e.g. 2026-11-29T17:20:00Z',
        );
      }
      taken = new Date(takenAt);
      if (taken.getTime() > receivedAt.getTime() + MAX_FUTURE_MS) {
        return refuse('bad-time', 'takenAt', `is in the future (received at ${receivedAt.toISOString()})`);
      }
    }
    const second = new Date(Math.floor(taken.getTime() / 1000) * 1000);
    if (second.getUTCFullYear() < 1970) return refuse('bad-time', 'takenAt', 'must be after 1970');
    readings.push({
      key: deviceReadingKey(station.name, second),
      city: station.city,
      temperature,
      // The paper stores whole percent.
      humidity: Math.round(humidity),
      takenAt: second,
      observedAt: second,
      source: 'device',
      station: station.name,
    });
  }
  return { readings };
}
