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
}

/** Table `clima_database`: exactly one row, this database's identity (migration 0002). */
export interface ClimaDatabaseTable {
  /** A random UUID, drawn once when the table was created. */
  id: string;
  /** `'YYYY-MM-DD HH:MM:SS'` UTC. */
  created_at: string;
}

/** The whole database as Kysely sees it. */
export interface Schema {
  mediciones: MedicionesTable;
  clima_database: ClimaDatabaseTable;
}
