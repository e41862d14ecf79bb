import type { SnapshotReading } from '../db/backup-repository.js';

/**
 * The paper's backup format (its Fig. 2): a JSON array of objects with exactly these keys, in
 * this order, laid out as Python's `json.dump(rows, indent=4)` lays it out. Any JSON tool reads
 * it; the paper's own files restore.
 */
export const PAPER_KEYS = ['id', 'ciudad', 'temperatura', 'humedad', 'fecha_registro'] as const;

/** One row of the paper's format, as parsed. */
export interface PaperRow {
  readonly id: number;
  readonly ciudad: string;
  readonly temperatura: number;
  readonly humedad: number;
  /** `YYYY-MM-DD HH:MM:SS`, UTC. */
  readonly fecha_registro: string;
}

/** The whole file when the table is empty. */
export const EMPTY_ARRAY = '[]\n';
export const ARRAY_OPEN = '[\n';
export const ROW_SEPARATOR = ',\n';
/** Ends a non-empty array; the file ends with a newline, as text files do. */
export const ARRAY_CLOSE = '\n]\n';

/**
 * One element of the array, without separator. Written by hand rather than with
 * `JSON.stringify` so the layout is the paper's whatever the engine, and a page is formatted
 * without building an intermediate object per row. `quote` JSON-quotes a city name (a cache of
 * `JSON.stringify` serves: there are few cities).
 */
export function paperRow(reading: SnapshotReading, quote: (text: string) => string): string {
  return `    {
        "id": ${reading.id},
        "ciudad": ${quote(reading.city)},
        "temperatura": ${paperTemperature(reading.temperature)},
        "humedad": ${reading.humidity},
        "fecha_registro": "${reading.takenAt}"
    }`;
}

/**
 * Temperatures are stored to one decimal and printed with it, `26.0` included, as in the paper's
 * figure (Python prints floats that way; `JSON.stringify` would print `26`). Either form is the
 * same JSON number. A stored value with more decimals (written by hand, not by clima) is printed
 * in full, so a backup never changes a value.
 */
export function paperTemperature(celsius: number): string {
  const tenths = Math.round(celsius * 10);
  // Division is correctly rounded, so this holds exactly when `celsius` is what "x.y" parses to.
  if (tenths / 10 !== celsius) return String(celsius);
  const magnitude = Math.abs(tenths);
  return `${tenths < 0 ? '-' : ''}${Math.floor(magnitude / 10)}.${magnitude % 10}`;
}

/** `JSON.stringify` for strings, remembered: city names repeat on every row. */
export function createQuoter(): (text: string) => string {
  const known = new Map<string, string>();
  return (text) => {
    let quoted = known.get(text);
    if (quoted === undefined) {
      quoted = JSON.stringify(text);
      if (known.size < 10_000) known.set(text, quoted);
    }
    return quoted;
  };
}
