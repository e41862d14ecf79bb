import { type Kysely, type Migration, sql } from 'kysely';
import type { DialectSql } from '../dialect.js';

// Written out rather than imported: a released migration never changes.
const SOURCES = sql`('open-meteo', 'simulated', 'device')`;
const REBUILT = 'mediciones_0004';

/**
 * Readings from stations (devices): a nullable `station` column, the station's name, with an index
 * serving a station's newest reading and its time range, and `device` among the known sources.
 * The paper's five columns, the ids and the rollups are untouched: a station's reading counts in
 * its city's rollups like any other reading of that city.
 *
 * MySQL/MariaDB alter the table in place. SQLite cannot change a CHECK constraint: the table is
 * rebuilt as SQLite's documentation prescribes (create the new table, copy, drop, rename,
 * re-index), inside the migration's transaction, keeping every id and the AUTOINCREMENT counter
 * so no id is ever reused and `rollup_backfill.last_id` still means what it meant.
 */
export function addStation(dialect: DialectSql): Migration {
  const { types } = dialect;
  return {
    async up(db: Kysely<unknown>) {
      if (dialect.name === 'mysql') {
        await sql`alter table mediciones
          add column station varchar(64) null,
          drop constraint mediciones_source_known,
          add constraint mediciones_source_known check (source in ${SOURCES})`.execute(db);
      } else {
        await db.schema
          .createTable(REBUILT)
          .addColumn('id', 'integer', (col) => col.primaryKey().autoIncrement())
          .addColumn('ciudad', types.varchar(100), (col) => col.notNull())
          .addColumn('temperatura', types.double, (col) => col.notNull())
          .addColumn('humedad', 'integer', (col) => col.notNull())
          .addColumn('fecha_registro', types.timestamp, (col) => col.notNull())
          .addColumn('reading_key', types.varchar(150), (col) => col.notNull())
          .addColumn('source', types.varchar(16), (col) => col.notNull())
          .addColumn('observed_at', types.timestamp, (col) => col.notNull())
          .addColumn('station', types.varchar(64))
          .addUniqueConstraint('mediciones_reading_key_unique', ['reading_key'])
          .addCheckConstraint('mediciones_humedad_range', sql`${sql.ref('humedad')} between 0 and 100`)
          .addCheckConstraint(
            'mediciones_temperatura_range',
            sql`${sql.ref('temperatura')} between -100 and 100`,
          )
          .addCheckConstraint('mediciones_source_known', sql`${sql.ref('source')} in ${SOURCES}`)
          .modifyEnd(dialect.tableOptions)
          .execute();
        await sql`insert into ${sql.table(REBUILT)}
          (id, ciudad, temperatura, humedad, fecha_registro, reading_key, source, observed_at)
          select id, ciudad, temperatura, humedad, fecha_registro, reading_key, source, observed_at
          from mediciones order by id`.execute(db);
        // The highest id ever handed out, which may be above every id left (deleted rows).
        await sql`update sqlite_sequence set seq = max(seq, coalesce(
            (select seq from sqlite_sequence where name = 'mediciones'), 0))
          where name = ${REBUILT}`.execute(db);
        await sql`insert into sqlite_sequence (name, seq)
          select ${REBUILT}, seq from sqlite_sequence where name = 'mediciones'
          and not exists (select 1 from sqlite_sequence where name = ${REBUILT})`.execute(db);
        await db.schema.dropTable('mediciones').execute();
        await db.schema.alterTable(REBUILT).renameTo('mediciones').execute();
        await db.schema
          .createIndex('mediciones_ciudad_fecha_registro_idx')
          .on('mediciones')
          .columns(['ciudad', 'fecha_registro'])
          .execute();
      }
      await db.schema
        .createIndex('mediciones_station_fecha_registro_idx')
        .on('mediciones')
        .columns(['station', 'fecha_registro'])
        .execute();
    },
  };
}
