import type { DialectName } from './dialect.js';
import type { Database } from './open-db.js';

/** Which database something came from: its id, its dialect, and where it is (no credentials). */
export interface DatabaseOrigin {
  /** The UUID migration 0002 drew for this database; stable across restarts and migrations. */
  readonly databaseId: string;
  readonly dialect: DialectName;
  /** `mysql://HOST:PORT/DB` or the SQLite file's path. */
  readonly location: string;
}

/**
 * Reads the identity of `db` (migrated to 0002 at least). Throws an `Error` saying what to do when
 * the table is missing or does not hold exactly one row; a connection error is thrown as it is.
 */
export async function readDatabaseOrigin(db: Database): Promise<DatabaseOrigin> {
  let rows: { id: string }[];
  try {
    rows = await db.kysely.selectFrom('clima_database').select('id').execute();
  } catch (error) {
    const tables = await db.kysely.introspection.getTables().catch(() => undefined);
    if (tables === undefined || tables.some((table) => table.name === 'clima_database')) throw error;
    throw new Error('the database has no identity yet (no table clima_database): apply the migrations', {
      cause: error,
    });
  }
  const [row] = rows;
  if (rows.length !== 1 || row === undefined) {
    throw new Error(`clima_database must hold exactly one row, it holds ${rows.length}`);
  }
  return { databaseId: row.id, dialect: db.dialect, location: db.location };
}
