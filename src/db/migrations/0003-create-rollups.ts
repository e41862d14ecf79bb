import { type Kysely, type Migration, sql } from 'kysely';
import type { DialectSql } from '../dialect.js';

// Written out rather than imported from rollup-levels.ts: a released migration never changes.
const TABLES = ['mediciones_1m', 'mediciones_15m', 'mediciones_1h', 'mediciones_1d'];

/**
 * The rollups: per city and UTC-aligned bucket of 1 min, 15 min, 1 h and 1 d, the count, the
 * exact integer sums, the minimum and maximum of the readings. And `rollup_backfill`, how far
 * the readings stored before this migration have been added to them: a database without readings
 * has nothing to add, so it is done at once.
 */
export function createRollups(dialect: DialectSql): Migration {
  const { types } = dialect;
  return {
    async up(db: Kysely<unknown>) {
      for (const table of TABLES) {
        await db.schema
          .createTable(table)
          .addColumn('ciudad', types.varchar(100), (col) => col.notNull())
          .addColumn('bucket_start', types.timestamp, (col) => col.notNull())
          .addColumn('reading_count', 'integer', (col) => col.notNull())
          .addColumn('temperature_tenths_sum', types.bigint, (col) => col.notNull())
          .addColumn('temperature_min', types.double, (col) => col.notNull())
          .addColumn('temperature_max', types.double, (col) => col.notNull())
          .addColumn('humidity_sum', types.bigint, (col) => col.notNull())
          .addColumn('humidity_min', 'integer', (col) => col.notNull())
          .addColumn('humidity_max', 'integer', (col) => col.notNull())
          .addPrimaryKeyConstraint(`${table}_pk`, ['ciudad', 'bucket_start'])
          .modifyEnd(dialect.keyedTableOptions)
          .execute();
      }
      await db.schema
        .createTable('rollup_backfill')
        .addColumn('id', 'integer', (col) => col.primaryKey())
        .addColumn('last_id', 'integer', (col) => col.notNull())
        .addColumn('done', 'integer', (col) => col.notNull())
        .modifyEnd(dialect.tableOptions)
        .execute();
      await sql`insert into rollup_backfill (id, last_id, done)
        select 1, 0, case when exists (select 1 from mediciones) then 0 else 1 end`.execute(db);
    },
    async down(db: Kysely<unknown>) {
      for (const table of ['rollup_backfill', ...TABLES]) await db.schema.dropTable(table).execute();
    },
  };
}
