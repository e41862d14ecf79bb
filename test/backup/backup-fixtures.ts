import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DatabaseTarget } from '../../src/db/database-url.js';
import { migrateToLatest } from '../../src/db/migrations/migrate-to-latest.js';
import { type Database, openDb } from '../../src/db/open-db.js';
import { type NewReading, readingKey } from '../../src/db/reading.js';
import { createReadingsRepository } from '../../src/db/readings-repository.js';

const CITIES = ['Bogota', 'Medellin', 'Cali', 'Cartagena', 'Manizales', 'Pereira', 'Bucaramanga'];
const T0 = Date.parse('2025-12-08T00:00:00Z');

/**
 * The `index`-th reading of a deterministic history: seven cities a tick, every 15 s. Sources come
 * in runs (as `auto` falls back and recovers); Open-Meteo readings were observed up to 14 minutes
 * before they were taken, simulated ones at that second.
 */
export function generatedReading(index: number): NewReading {
  const city = CITIES[index % CITIES.length] ?? 'Bogota';
  const takenAt = new Date(T0 + Math.floor(index / CITIES.length) * 15_000);
  const source = Math.floor(index / 7_000) % 3 === 2 ? 'simulated' : 'open-meteo';
  const observedAt = source === 'open-meteo' ? new Date(takenAt.getTime() - (index % 57) * 15_000) : takenAt;
  return {
    key: readingKey(city, takenAt),
    city,
    // One decimal, exactly as a parsed "x.y", as every source stores it (k / 10 - 10 is not).
    temperature: (((index * 37) % 501) - 100) / 10,
    humidity: (index * 13) % 101,
    takenAt,
    observedAt,
    source,
  };
}

/** Stores readings `from` .. `from + count - 1` of the generated history, in large batches. */
export async function seedReadings(db: Database, count: number, from = 0): Promise<void> {
  const repository = createReadingsRepository(db);
  for (let start = from; start < from + count; start += 10_000) {
    const size = Math.min(10_000, from + count - start);
    await repository.insertBatch(Array.from({ length: size }, (_, i) => generatedReading(start + i)));
  }
}

/** Opens `target` and applies the migrations. */
export async function openMigrated(target: DatabaseTarget): Promise<Database> {
  const db = openDb(target);
  await migrateToLatest(db);
  return db;
}

/** A stored row, every column, values normalised across dialects. */
export interface StoredRow {
  id: number;
  ciudad: string;
  temperatura: number;
  humedad: number;
  fecha_registro: string;
  reading_key: string;
  source: string;
  observed_at: string;
}

/** Every row of `mediciones`, in id order. */
export async function allRows(db: Database): Promise<StoredRow[]> {
  const rows = await db.kysely.selectFrom('mediciones').selectAll().orderBy('id').execute();
  return rows.map((row) => ({
    id: Number(row.id),
    ciudad: row.ciudad,
    temperatura: Number(row.temperatura),
    humedad: Number(row.humedad),
    fecha_registro: row.fecha_registro,
    reading_key: row.reading_key,
    source: row.source,
    observed_at: row.observed_at,
  }));
}

/** What a backup holds of a row (all but `observed_at`, which a restore sets to `fecha_registro`). */
export function backedUpPart({ observed_at: _, ...row }: StoredRow): Omit<StoredRow, 'observed_at'> {
  return row;
}

export function sha256Of(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

/**
 * A folder holding a migrated SQLite database of `rows` readings, and the environment that points
 * the `clima` CLI at it (snapshots into `<dir>/backups`).
 */
export async function seededCliFolder(
  prefix: string,
  rows: number,
): Promise<{ dir: string; env: Record<string, string> }> {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const db = await openMigrated({ dialect: 'sqlite', path: join(dir, 'clima.db') });
  await seedReadings(db, rows);
  await db.close();
  return {
    dir,
    env: {
      DATABASE_URL: `sqlite:${join(dir, 'clima.db')}`,
      BACKUP_DIR: join(dir, 'backups'),
      LOG_LEVEL: 'warn',
    },
  };
}
