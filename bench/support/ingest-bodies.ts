/**
 * Bodies for `POST /api/ingest` under load: the i-th request carries the next 100 seconds of one
 * station's readings, so every reading is new to the outbox (none skipped as already queued).
 */
const START_MS = Date.parse('2020-01-01T00:00:00Z');
export const READINGS_PER_REQUEST = 100;

export function body(index: number): string {
  const readings = [];
  for (let k = 0; k < READINGS_PER_REQUEST; k++) {
    const takenAt = new Date(START_MS + (index * READINGS_PER_REQUEST + k) * 1000).toISOString();
    readings.push({ temperature: 20 + (k % 10) / 10, humidity: 50 + (k % 7), takenAt });
  }
  return JSON.stringify(readings);
}
