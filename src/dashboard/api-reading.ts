import type { Reading } from '../db/reading.js';

/** A reading as the API shows it: camelCase, ISO 8601 UTC dates, no internal key. */
export type ApiReading = Omit<Reading, 'key'>;

export function toApiReading({ key: _key, ...reading }: Reading): ApiReading {
  return reading;
}
