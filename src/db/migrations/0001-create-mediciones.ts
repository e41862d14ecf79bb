import { type Kysely, type Migration, sql } from 'kysely';
import type { DialectSql } from '../dialect.js';

/**
 * The paper's table plus the idempotency key and source. A released migration never changes, so
 * the limits below are written out here rather than imported from code that may move on.
 */
export function createMediciones(dialect: DialectSql): Migration {
  const { types } = dialect;
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('mediciones')
        .addColumn('id', 'integer', (col) => col.primaryKey().autoIncrement())
        .addColumn('ciudad', types.varchar(100), (col) => col.notNull())
        .addColumn('temperatura', types.double, (col) => col.notNull())
        .addColumn('humedad', 'integer', (col) => col.notNull())
        .addColumn('fecha_registro', types.timestamp, (col) => col.notNull())
        .addColumn('reading_key', types.varchar(150), (col) => col.notNull())
        .addColumn('source', types.varchar(16), (col) => col.notNull())
        .addColumn('observed_at', types.timestamp, (col) => col.notNull())
        .addUniqueConstraint('mediciones_reading_key_unique', ['reading_key'])
        // Last line of defence for rows that do not come through the repository (manual SQL,
        // a hand-edited backup): MySQL 8.0.16+, MariaDB 10.2+ and SQLite all enforce CHECK.
        .addCheckConstraint('mediciones_humedad_range', sql`${sql.ref('humedad')} between 0 and 100`)
        .addCheckConstraint(
          'mediciones_temperatura_range',
          sql`${sql.ref('temperatura')} between -100 and 100`,
        )
        .addCheckConstraint(
          'mediciones_source_known',
          sql`${sql.ref('source')} in ('open-meteo', 'simulated')`,
        )
        .modifyEnd(dialect.tableOptions)
        .execute();
      // Serves the newest reading of a city and a city's time range; ties on the second go by id,
      // which both engines keep at the end of every secondary index entry.
      await db.schema
        .createIndex('mediciones_ciudad_fecha_registro_idx')
        .on('mediciones')
        .columns(['ciudad', 'fecha_registro'])
        .execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('mediciones').execute();
    },
  };
}
