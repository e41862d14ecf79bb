import { randomUUID } from 'node:crypto';
import { type Kysely, type Migration, sql } from 'kysely';
import type { DialectSql } from '../dialect.js';

/**
 * A one-row table naming this database: a random UUID drawn once, when the migration runs, so
 * snapshots of several databases can share a folder and still say where each came from. A
 * restore copies readings, never this row, so a restored database keeps its own id.
 */
export function createDatabaseIdentity(dialect: DialectSql): Migration {
  const { types } = dialect;
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('clima_database')
        .addColumn('id', types.varchar(36), (col) => col.primaryKey())
        .addColumn('created_at', types.timestamp, (col) => col.notNull())
        .modifyEnd(dialect.tableOptions)
        .execute();
      // Written out rather than taken from timestamps.ts: a released migration never changes.
      const createdAt = new Date().toISOString().slice(0, 19).replace('T', ' ');
      await sql`insert into ${sql.table('clima_database')} (${sql.ref('id')}, ${sql.ref('created_at')}) values (${randomUUID()}, ${createdAt})`.execute(
        db,
      );
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('clima_database').execute();
    },
  };
}
