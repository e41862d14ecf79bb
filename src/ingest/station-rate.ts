import type { Clock } from '../core/clock.js';
import { MAX_READINGS_PER_MESSAGE } from './device-readings.js';

/**
 * A token bucket per station: `perMinute` readings a minute, refilled continuously, and as many
 * at once (but never less than one full request's worth, so every valid request can pass).
 */
export function createStationRate(perMinute: number, clock: Clock) {
  const capacity = Math.max(perMinute, MAX_READINGS_PER_MESSAGE);
  const perMs = perMinute / 60_000;
  const buckets = new Map<string, { tokens: number; at: number }>();
  return {
    /** Takes `readings` from the station's bucket: undefined when it may send them, else the seconds to wait. */
    take(station: string, readings: number): number | undefined {
      const now = clock.now();
      const bucket = buckets.get(station) ?? { tokens: capacity, at: now };
      bucket.tokens = Math.min(capacity, bucket.tokens + (now - bucket.at) * perMs);
      bucket.at = now;
      buckets.set(station, bucket);
      if (bucket.tokens >= readings) {
        bucket.tokens -= readings;
        return undefined;
      }
      return Math.max(1, Math.ceil((readings - bucket.tokens) / perMs / 1000));
    },
  };
}
