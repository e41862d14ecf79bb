import { type Migration, type MigrationProvider, Migrator } from 'kysely';
import { sleep } from '../../core/sleep.js';
import { type DialectName, dialectSql } from '../dialect.js';
import type { Database } from '../open-db.js';
import { createMediciones } from './0001-create-mediciones.js';
import { createDatabaseIdentity } from './0002-database-identity.js';
import { createRollups } from './0003-create-rollups.js';
import { addStation } from './0004-add-station.js';
import { createAlerts } from './0005-create-alerts.js';

/**
 * Every migration in order. Listed in code rather than found on disk so the same list runs from
 * `src/` under tsx and from `dist/`; a new migration is a new file plus one line here.
 */
function migrations(dialect: DialectName): Record<string, Migration> {
  const sql = dialectSql(dialect);
  return {
    '0001-create-mediciones': createMediciones(sql),
    '0002-database-identity': createDatabaseIdentity(sql),
    '0003-create-rollups': createRollups(sql),
    '0004-add-station': addStation(sql),
    '0005-create-alerts': createAlerts(sql),
  };
}

/**
 * Applies the pending migrations and returns their names in order (empty when up to date).
 * Throws an `Error` naming the failed migration, with the database's error as `cause`.
 */
export async function migrateToLatest(db: Database): Promise<string[]> {
  // SQLite: Kysely reads which migrations ran before it takes the write lock, so a process that
  // races another one's migration (services starting together on one file) fails on "table
  // already exists" or SQLITE_BUSY. That attempt rolled back entirely (SQLite DDL is
  // transactional); the next one sees the other's work. MySQL serialises with GET_LOCK instead.
  const attempts = db.dialect === 'sqlite' ? 3 : 1;
  for (let attempt = 1; ; attempt++) {
    try {
      return await migrateOnce(db);
    } catch (error) {
      if (attempt >= attempts) throw error;
      await sleep(50 * attempt);
    }
  }
}

async function migrateOnce(db: Database): Promise<string[]> {
  const provider: MigrationProvider = { getMigrations: async () => migrations(db.dialect) };
  const migrator = new Migrator({ db: db.kysely, provider });
  const { error, results = [] } = await migrator.migrateToLatest();
  if (error !== undefined) {
    const failed = results.find((result) => result.status === 'Error')?.migrationName;
    const detail = error instanceof Error ? error.message : String(error);
    const what = failed === undefined ? 'preparing migrations' : `migration ${failed}`;
    throw new Error(`database migration failed: ${what}: ${detail}`, { cause: error });
  }
  return results.filter((result) => result.status === 'Success').map((result) => result.migrationName);
}
