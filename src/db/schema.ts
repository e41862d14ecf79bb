import type { Generated } from 'kysely';
import type { ReadingSource } from '../weather/observation.js';

/**
 * Table `mediciones`: the paper's five columns keep their names and meaning; the rest make
 * inserts idempotent and label where a reading came from.
 */
export interface MedicionesTable {
  /** Auto-increment; never reused on either dialect (SQLite AUTOINCREMENT). */
  id: Generated<number>;
  /** City name as configured, at most 100 characters. */
  ciudad: string;
  /** Degrees Celsius, one decimal. */
  temperatura: number;
  /** Relative humidity, integer percent 0..100. */
  humedad: number;
  /** When the reading was taken: `'YYYY-MM-DD HH:MM:SS'` UTC (see `timestamps.ts`). */
  fecha_registro: string;
  /** Idempotency key (`readingKey()`), unique, at most 150 characters. */
  reading_key: string;
  source: ReadingSource;
  /** When the source observed the values: `'YYYY-MM-DD HH:MM:SS'` UTC. */
  observed_at: string;
  /** The station that sent a `device` reading (migration 0004); null for every other source. */
  station: string | null;
}

/** Table `clima_database`: exactly one row, this database's identity (migration 0002). */
export interface ClimaDatabaseTable {
  /** A random UUID, drawn once when the table was created. */
  id: string;
  /** `'YYYY-MM-DD HH:MM:SS'` UTC. */
  created_at: string;
}

/**
 * Tables `mediciones_1m`, `_15m`, `_1h`, `_1d`: per city, the aggregate of the readings taken in
 * one UTC-aligned bucket. Sums are integers so a bucket equals its readings' aggregate exactly.
 */
export interface RollupTable {
  ciudad: string;
  /** Start of the bucket: `'YYYY-MM-DD HH:MM:SS'` UTC, a multiple of the resolution since the epoch. */
  bucket_start: string;
  reading_count: number;
  /** Sum of the temperatures in tenths of a degree (temperatures have one decimal). */
  temperature_tenths_sum: number;
  temperature_min: number;
  temperature_max: number;
  humidity_sum: number;
  humidity_min: number;
  humidity_max: number;
}

/** Table `rollup_backfill`: one row (id 1), how far filling the rollups from older readings got. */
export interface RollupBackfillTable {
  id: number;
  /** Every reading with an id up to this one is in the rollups. */
  last_id: number;
  /** 1 once every reading stored before the rollups existed is in them. */
  done: number;
}

/** Table `alert_transition` (migration 0005): one change of an alert's state. */
export interface AlertTransitionTable {
  id: Generated<number>;
  rule: string;
  /** What the rule looked at: a city or station name, or `system` for the built-in rules. */
  subject: string;
  /** 1, 2, ... per (rule, subject); unique, so two evaluators cannot both record one transition. */
  seq: number;
  state: string;
  value: number | null;
  at_ms: number;
}

/** Table `alert_notification` (migration 0005): a transition to deliver to one target. */
export interface AlertNotificationTable {
  id: Generated<number>;
  transition_id: number;
  target: string;
  created_ms: number;
  attempts: number;
  next_attempt_ms: number;
  /** An evaluator delivering it holds it until then; 0 when free. */
  claimed_until_ms: number;
  delivered_ms: number | null;
  given_up_ms: number | null;
  last_error: string | null;
}

/** The whole database as Kysely sees it. */
export interface Schema {
  mediciones: MedicionesTable;
  clima_database: ClimaDatabaseTable;
  mediciones_1m: RollupTable;
  mediciones_15m: RollupTable;
  mediciones_1h: RollupTable;
  mediciones_1d: RollupTable;
  rollup_backfill: RollupBackfillTable;
  alert_transition: AlertTransitionTable;
  alert_notification: AlertNotificationTable;
}
