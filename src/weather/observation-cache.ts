import type { City } from './city.js';
import type { Observation } from './observation.js';

/**
 * What is known about a city until `expiresAtMs`: its observation, or `undefined` when the server's
 * value for it was rejected (remembered too, so one bad city is not asked for again every tick).
 */
export interface CacheEntry {
  readonly observation: Observation | undefined;
  readonly expiresAtMs: number;
}

/** Observations per city, each kept until it expires. One instance is shared by every caller of a source. */
export interface ObservationCache {
  /** The entry for `city` if it has not expired at `nowMs`. */
  get(city: City, nowMs: number): CacheEntry | undefined;
  set(city: City, entry: CacheEntry, nowMs: number): void;
  /** How many entries are held (expired ones are dropped whenever an entry is set). */
  size(): number;
}

/** A new, empty cache. */
export function createObservationCache(): ObservationCache {
  const entries = new Map<string, CacheEntry>();
  return {
    get(city, nowMs) {
      const entry = entries.get(cacheKey(city));
      return entry && entry.expiresAtMs > nowMs ? entry : undefined;
    },
    set(city, entry, nowMs) {
      // Pruning here keeps the map bounded by the cities asked about recently (the dashboard may ask
      // about any city), without a timer.
      for (const [key, old] of entries) if (old.expiresAtMs <= nowMs) entries.delete(key);
      entries.set(cacheKey(city), entry);
    },
    size: () => entries.size,
  };
}

/** Name and coordinates: a city redefined at other coordinates is a different location. */
export function cacheKey(city: City): string {
  return `${city.name}@${city.latitude},${city.longitude}`;
}
