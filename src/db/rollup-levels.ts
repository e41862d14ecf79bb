import type { Schema } from './schema.js';

/** The widths of the rollups' buckets, in seconds: 1 min, 15 min, 1 h, 1 d. */
export type RollupSeconds = 60 | 900 | 3600 | 86400;

/** One resolution of the rollups and the table that holds it. */
export interface RollupLevel {
  readonly seconds: RollupSeconds;
  readonly table: keyof Schema & `mediciones_${string}`;
}

/** Finest first: each level is computed from the one before it, the first from `mediciones`. */
export const ROLLUP_LEVELS: readonly RollupLevel[] = [
  { seconds: 60, table: 'mediciones_1m' },
  { seconds: 900, table: 'mediciones_15m' },
  { seconds: 3600, table: 'mediciones_1h' },
  { seconds: 86400, table: 'mediciones_1d' },
];

/** The columns of every rollup table after the key, in the order the recompute selects them. */
export const ROLLUP_VALUE_COLUMNS = [
  'reading_count',
  'temperature_tenths_sum',
  'temperature_min',
  'temperature_max',
  'humidity_sum',
  'humidity_min',
  'humidity_max',
] as const;
