import {
  type ColumnDataType,
  type Expression,
  type InsertQueryBuilder,
  type InsertResult,
  type RawBuilder,
  sql,
} from 'kysely';
import { escape as escapeMysqlValue } from 'mysql2';
import type { RollupSeconds } from './rollup-levels.js';
import type { Schema } from './schema.js';

type DataTypeExpression = ColumnDataType | Expression<unknown>;

/** One row's values for `insertRows` and `selectRows`, in column order. */
export type RowValues = readonly (string | number)[];

/** How a stored value and a new one combine in `upsertCombining`. */
export type Combine = 'add' | 'least' | 'greatest';

/**
 * The text of a list of rows as a dialect's bulk statements take it: MySQL's VALUES list, SQLite's
 * JSON array of arrays. Numbers are written as `String` writes them in both.
 */
export interface RowsText {
  /** Around the whole list. */
  readonly open: string;
  readonly close: string;
  /** Around each row, and between rows. */
  readonly rowOpen: string;
  readonly rowClose: string;
  readonly rowSeparator: string;
  /** Between the values of a row. */
  readonly valueSeparator: string;
  /** Around a string that needs no escaping (no quote, backslash or control character). */
  readonly quote: string;
  /** Any string as a value of the text, quoted and escaped. */
  literal(value: string): string;
}

/** The database families `DATABASE_URL` can name. */
export type DialectName = 'sqlite' | 'mysql';

/**
 * Everything that is written differently on SQLite and MySQL/MariaDB, and only that: the one seam
 * where the data layer looks at the dialect. Each member means the same on both.
 */
export interface DialectSql {
  readonly name: DialectName;
  /** Column types for migrations. */
  readonly types: {
    varchar(maxLength: number): DataTypeExpression;
    readonly double: DataTypeExpression;
    /** A 64-bit integer. */
    readonly bigint: DataTypeExpression;
    /** Holds `'YYYY-MM-DD HH:MM:SS'` UTC, see `timestamps.ts`. */
    readonly timestamp: DataTypeExpression;
  };
  /** Appended to `CREATE TABLE`: type strictness and byte-wise string comparison on both. */
  readonly tableOptions: RawBuilder<unknown>;
  /** `tableOptions` for a table read and written only through its primary key: stored in its order. */
  readonly keyedTableOptions: RawBuilder<unknown>;
  /** Makes a reading insert skip rows whose `reading_key` is already stored, without error. */
  ignoreDuplicateReadings(
    insert: InsertQueryBuilder<Schema, 'mediciones', InsertResult>,
  ): InsertQueryBuilder<Schema, 'mediciones', InsertResult>;
  /** Whole seconds since the Unix epoch of a stored timestamp, independent of any time zone. */
  epochSeconds(timestamp: Expression<string>): RawBuilder<number>;
  /** Integer division truncating toward zero (so flooring for non-negative operands). */
  integerDivide(dividend: Expression<number>, divisor: number): RawBuilder<number>;
  /**
   * The start of the `seconds`-wide UTC bucket holding a stored timestamp, as a stored timestamp.
   * String arithmetic on the stored form: exact for every storable year, before 1970 too.
   */
  bucketStart(timestamp: Expression<string>, seconds: RollupSeconds): RawBuilder<string>;
  /** A one-decimal temperature as a whole number of tenths, so that sums of it are exact. */
  tenths(temperature: Expression<number>): RawBuilder<number>;
  /**
   * `INSERT INTO table (columns) select`, where a row whose (ciudad, bucket_start) is stored
   * replaces the stored values of `updated`. Needs INSERT and UPDATE on `table`, never DELETE.
   */
  upsertSelect(
    table: string,
    columns: readonly string[],
    updated: readonly string[],
    select: RawBuilder<unknown>,
  ): RawBuilder<unknown>;
  /**
   * `INSERT INTO table (columns)` of rows written as `rowsText` says (without the list's `open`
   * and `close`), where a row whose (ciudad, bucket_start) is stored combines with it: each column
   * of `combined` added to, or the least or greatest of, the stored value. Needs INSERT and UPDATE
   * on `table`.
   */
  upsertCombining(
    table: string,
    columns: readonly string[],
    combined: Readonly<Record<string, Combine>>,
    rows: string,
  ): RawBuilder<unknown>;
  /**
   * `INSERT INTO table (columns)` of `rows`, each a value per column: one statement for many
   * rows, with no query node per value (for a batch of tens of thousands of values, building
   * those cost more than the database took to store them). At most `maxRowValues` values.
   */
  insertRows(table: string, columns: readonly string[], rows: readonly RowValues[]): RawBuilder<unknown>;
  /** How `insertRows` writes its rows as text, for a caller that writes that text itself. */
  readonly rowsText: RowsText;
  /** `insertRows` of rows already written as `rowsText` says, without the list's `open` and `close`. */
  insertRowsText(table: string, columns: readonly string[], text: string): RawBuilder<unknown>;
  /** The most values (rows times columns) `insertRows` and `upsertCombining` take at once. */
  readonly maxRowValues: number;
  /**
   * The database works in this process's own thread (SQLite): nothing this process does can
   * overlap with it, so work done ahead of a statement only holds memory longer.
   */
  readonly inProcess: boolean;
  /** Whether `error` is a statement refused for a primary or unique key already stored. */
  isDuplicateKey(error: unknown): boolean;
  /**
   * Run in order on one connection, these open a read-only transaction whose reads all see the
   * database as it was at its first read (at the latest): a backup's one consistent snapshot.
   * `commit` ends it.
   */
  readonly beginSnapshot: readonly RawBuilder<unknown>[];
}

/**
 * MySQL's VALUES list, strings escaped as mysql2 escapes a query's parameters (backslash escapes:
 * the pool's sql_mode does not set NO_BACKSLASH_ESCAPES).
 */
const VALUES_ROWS: RowsText = {
  open: '',
  close: '',
  rowOpen: '(',
  rowClose: ')',
  rowSeparator: ', ',
  valueSeparator: ', ',
  quote: "'",
  literal: (value) => escapeMysqlValue(value),
};

/** A JSON array of arrays: SQLite takes a bulk statement's rows as one JSON parameter. */
const JSON_ROWS: RowsText = {
  open: '[',
  close: ']',
  rowOpen: '[',
  rowClose: ']',
  rowSeparator: ',',
  valueSeparator: ',',
  quote: '"',
  literal: (value) => JSON.stringify(value),
};

const sqlite: DialectSql = {
  name: 'sqlite',
  // STRICT tables accept only these type names, and reject a value of the wrong type as MySQL's
  // strict mode does instead of storing 'abc' in an INTEGER column.
  types: { varchar: () => 'text', double: 'real', bigint: 'integer', timestamp: 'text' },
  tableOptions: sql`strict`,
  keyedTableOptions: sql`strict, without rowid`,
  ignoreDuplicateReadings: (insert) =>
    insert.onConflict((conflict) => conflict.column('reading_key').doNothing()),
  epochSeconds: (timestamp) => sql<number>`cast(strftime('%s', ${timestamp}) as integer)`,
  // better-sqlite3 binds every JS number as REAL, and REAL / INTEGER divides exactly.
  integerDivide: (dividend, divisor) =>
    sql<number>`cast((${dividend}) as integer) / cast(${divisor} as integer)`,
  bucketStart(timestamp, seconds) {
    switch (seconds) {
      case 60:
        return sql<string>`substr(${timestamp}, 1, 17) || '00'`;
      case 900:
        return sql<string>`substr(${timestamp}, 1, 14) || printf('%02d:00', cast(substr(${timestamp}, 15, 2) as integer) / 15 * 15)`;
      case 3600:
        return sql<string>`substr(${timestamp}, 1, 14) || '00:00'`;
      case 86400:
        return sql<string>`substr(${timestamp}, 1, 11) || '00:00:00'`;
    }
  },
  tenths: (temperature) => sql<number>`cast(round(${temperature} * 10) as integer)`,
  upsertSelect: (table, columns, updated, select) =>
    sql`insert into ${sql.table(table)} (${sql.join(columns.map((c) => sql.ref(c)))}) ${select} on conflict (ciudad, bucket_start) do update set ${sql.join(
      updated.map((c) => sql`${sql.ref(c)} = excluded.${sql.ref(c)}`),
    )}`,
  // A deferred transaction takes its snapshot at its first read. In WAL mode it blocks no writer,
  // but it does hold the connection: give a long read a connection of its own.
  // `where true`: without it SQLite would read ON CONFLICT as a join's constraint.
  upsertCombining: (table, columns, combined, rows) =>
    sql`insert into ${sql.table(table)} (${sql.join(columns.map((c) => sql.ref(c)))}) select * from (${fromJson(columns, rows, true)}) where true on conflict (ciudad, bucket_start) do update set ${sql.join(
      Object.entries(combined).map(([c, how]) => {
        const [stored, fresh] = [sql.ref(c), sql.ref(`excluded.${c}`)];
        const value = {
          add: sql`${stored} + ${fresh}`,
          least: sql`min(${stored}, ${fresh})`,
          greatest: sql`max(${stored}, ${fresh})`,
        }[how];
        return sql`${stored} = ${value}`;
      }),
    )}`,
  // The rows travel as one JSON parameter: a statement of a placeholder per value took SQLite
  // longer to prepare than to run, and is limited to 32,766 of them.
  insertRows: (table, columns, rows) => sqlite.insertRowsText(table, columns, rowsAsText(JSON_ROWS, rows)),
  rowsText: JSON_ROWS,
  insertRowsText: (table, columns, text) =>
    sql`insert into ${sql.table(table)} (${sql.join(columns.map((c) => sql.ref(c)))}) ${fromJson(columns, text, false)}`,
  maxRowValues: 1_000_000,
  inProcess: true,
  isDuplicateKey: (error) =>
    /^SQLITE_CONSTRAINT_(PRIMARYKEY|UNIQUE)$/.test(String((error as { code?: unknown } | null)?.code)),
  beginSnapshot: [sql`begin deferred`],
};

const mysql: DialectSql = {
  name: 'mysql',
  types: {
    varchar: (maxLength) => `varchar(${maxLength})`,
    double: 'double precision',
    bigint: 'bigint',
    timestamp: 'datetime',
  },
  // utf8mb4_bin compares like SQLite does: 'bogota' and 'Bogota' are two cities on both dialects,
  // and the unique reading_key cannot collide on case or accents on one dialect only.
  tableOptions: sql`engine = InnoDB default charset = utf8mb4 collate = utf8mb4_bin`,
  // InnoDB stores every table in primary key order already.
  keyedTableOptions: sql`engine = InnoDB default charset = utf8mb4 collate = utf8mb4_bin`,
  // INSERT IGNORE rather than ON DUPLICATE KEY UPDATE id = id: that needs the UPDATE privilege on
  // every inserted column, which would let the cloud's least-privilege sensor account rewrite any
  // stored reading. IGNORE would also turn a bad value into a clamped one with a warning, but no
  // bad value gets here: toInsertRow checks every field against the table's limits first.
  ignoreDuplicateReadings: (insert) => insert.ignore(),
  // UNIX_TIMESTAMP() would read the DATETIME in the session time zone; a difference does not.
  epochSeconds: (timestamp) => sql<number>`timestampdiff(second, '1970-01-01 00:00:00', ${timestamp})`,
  integerDivide: (dividend, divisor) => sql<number>`(${dividend}) div ${divisor}`,
  bucketStart(timestamp, seconds) {
    switch (seconds) {
      case 60:
        return sql<string>`date_format(${timestamp}, '%Y-%m-%d %H:%i:00')`;
      case 900:
        return sql<string>`concat(date_format(${timestamp}, '%Y-%m-%d %H:'), lpad(minute(${timestamp}) div 15 * 15, 2, '0'), ':00')`;
      case 3600:
        return sql<string>`date_format(${timestamp}, '%Y-%m-%d %H:00:00')`;
      case 86400:
        return sql<string>`date_format(${timestamp}, '%Y-%m-%d 00:00:00')`;
    }
  },
  tenths: (temperature) => sql<number>`cast(round(${temperature} * 10) as signed)`,
  // The SELECT is wrapped so ON DUPLICATE KEY UPDATE may name its columns: MySQL refuses
  // references into a SELECT with GROUP BY, and VALUES() is deprecated since MySQL 8.0.20.
  upsertSelect: (table, columns, updated, select) =>
    sql`insert into ${sql.table(table)} (${sql.join(columns.map((c) => sql.ref(c)))}) select * from (${select}) as fresh on duplicate key update ${sql.join(
      updated.map((c) => sql`${sql.ref(c)} = fresh.${sql.ref(c)}`),
    )}`,
  // VALUES(column), the row that would have been inserted, is what MySQL and MariaDB both read
  // (MySQL 8.0.20+ prefers a row alias, which MariaDB does not know, and warns of VALUES()): a
  // VALUES list costs the server far less than a derived table of one-row SELECTs.
  upsertCombining: (table, columns, combined, rows) =>
    sql`insert into ${sql.table(table)} (${sql.join(columns.map((c) => sql.ref(c)))}) values ${sql.raw(rows)} on duplicate key update ${sql.join(
      Object.entries(combined).map(([c, how]) => {
        const [stored, fresh] = [sql.ref(c), sql`values(${sql.ref(c)})`];
        const value = {
          add: sql`${stored} + ${fresh}`,
          least: sql`least(${stored}, ${fresh})`,
          greatest: sql`greatest(${stored}, ${fresh})`,
        }[how];
        return sql`${stored} = ${value}`;
      }),
    )}`,
  // mysql2 writes the values into the statement's text, so the bound is max_allowed_packet (4 MB
  // at the least, by default); a server-side prepared statement's limit keeps a statement of
  // short values well within it.
  insertRows: (table, columns, rows) => mysql.insertRowsText(table, columns, rowsAsText(VALUES_ROWS, rows)),
  rowsText: VALUES_ROWS,
  insertRowsText: (table, columns, text) =>
    sql`insert into ${sql.table(table)} (${sql.join(columns.map((c) => sql.ref(c)))}) values ${sql.raw(text)}`,
  // A statement's text is bounded by max_allowed_packet, 16 MB by default on MariaDB (4 MB on
  // MySQL 5.7): 65,535 values of readings are about 1 MB.
  maxRowValues: 65_535,
  inProcess: false,
  isDuplicateKey: (error) => (error as { code?: unknown } | null)?.code === 'ER_DUP_ENTRY',
  // SET TRANSACTION applies to the next transaction only, so the pooled connection keeps its
  // defaults afterwards. WITH CONSISTENT SNAPSHOT takes the snapshot now, not at the first read.
  beginSnapshot: [
    sql`set transaction isolation level repeatable read`,
    sql`start transaction with consistent snapshot, read only`,
  ],
};

/** `SELECT value ->> 0 as column, ...` over a JSON array of arrays, `rows` its text unbracketed. */
function fromJson(columns: readonly string[], rows: string, named: boolean): RawBuilder<unknown> {
  const values = columns.map((c, i) =>
    named ? sql`value ->> ${sql.lit(i)} as ${sql.ref(c)}` : sql`value ->> ${sql.lit(i)}`,
  );
  return sql`select ${sql.join(values)} from json_each(${`${JSON_ROWS.open}${rows}${JSON_ROWS.close}`})`;
}

/**
 * `rows` as `format` writes them, without the list's `open` and `close`: each row's text built
 * alone, the rows joined once. Appending value after value to one string would make a chain of
 * pieces so long that copying it between garbage collections took longer than the database's work.
 */
function rowsAsText(format: RowsText, rows: readonly RowValues[]): string {
  const parts = new Array<string>(rows.length);
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r] as RowValues;
    let text = format.rowOpen;
    for (let i = 0; i < row.length; i++) {
      const value = row[i] as string | number;
      if (i > 0) text += format.valueSeparator;
      text += typeof value === 'number' ? String(value) : format.literal(value);
    }
    parts[r] = text + format.rowClose;
  }
  return parts.join(format.rowSeparator);
}

/** The SQL of one dialect. */
export function dialectSql(name: DialectName): DialectSql {
  return name === 'sqlite' ? sqlite : mysql;
}
