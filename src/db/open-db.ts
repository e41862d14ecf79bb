import { dirname } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import {
  type CompiledQuery,
  type DatabaseConnection,
  type DialectAdapter,
  type Driver,
  Kysely,
  MysqlDialect,
  SqliteAdapter,
  SqliteDialect,
  SqliteDriver,
} from 'kysely';
import { type Logger, silentLogger } from '../core/logger.js';
import { makeDirectory } from '../core/make-directory.js';
import { type DatabaseTarget, locationOf, type MysqlTarget, type SqliteTarget } from './database-url.js';
import type { DialectName } from './dialect.js';
import { type ClosableMysqlPool, createMysqlPool, type TimedConnection } from './mysql-pool.js';
import type { Schema } from './schema.js';

/** An open database: the query builder, which dialect it speaks, and how to let it go. */
export interface Database {
  readonly kysely: Kysely<Schema>;
  readonly dialect: DialectName;
  /** Where it is, without credentials (`locationOf`): recorded as the origin of its snapshots. */
  readonly location: string;
  /**
   * Runs `work` on one connection held for it alone, which can stream a result of any size. On
   * SQLite that is the database's only connection: nothing else may use this `Database` until
   * `work` settles, so give such work a `Database` of its own.
   */
  withStreamingConnection<T>(work: (connection: StreamingConnection) => Promise<T>): Promise<T>;
  /** Closes the file or the pool; safe to call twice. */
  close(): Promise<void>;
}

/** A connection of its own, for long reads (backups) that Kysely's per-row stream would slow down. */
export interface StreamingConnection {
  /** Runs one statement; resolves with its rows, none for a statement that returns none. */
  execute<Row>(query: CompiledQuery<Row>): Promise<Row[]>;
  /**
   * Streams the rows of `query` to `onChunk`, `chunkRows` at a time (the last chunk may be
   * smaller, and is never empty), reading no further until `onChunk` has settled.
   */
  stream<Row>(
    query: CompiledQuery<Row>,
    chunkRows: number,
    onChunk: (rows: Row[]) => void | Promise<void>,
  ): Promise<void>;
}

/** How to open a database; every field has a default. */
export interface OpenDbOptions {
  /** Where connection losses are reported (warn). Default: silent. */
  readonly logger?: Logger;
  /** MySQL: a query still unanswered after this long fails and its connection is dropped. Default 30 s. */
  readonly queryTimeoutMs?: number;
  /** SQLite: how long a write waits for another process's lock before failing. Default 5 s. */
  readonly busyTimeoutMs?: number;
}

/**
 * Opens `target`. SQLite opens the file at once (creating its directory); MySQL only builds a
 * pool, so this succeeds while the server is down and the first query fails instead.
 * Migrations are not applied here: see `migrateToLatest`.
 */
export function openDb(target: DatabaseTarget, options: OpenDbOptions = {}): Database {
  return target.dialect === 'sqlite' ? openSqlite(target, options) : openMysql(target, options);
}

/**
 * A `Database` that opens `target` only when it is first used. A command that may end before it
 * needs the database (a restore refusing a damaged file) then leaves nothing behind, not even an
 * empty SQLite file; `close()` before any use closes nothing.
 */
export function openDbOnFirstUse(target: DatabaseTarget, options: OpenDbOptions = {}): Database {
  let opened: Database | undefined;
  const db = () => {
    opened ??= openDb(target, options);
    return opened;
  };
  return {
    get kysely() {
      return db().kysely;
    },
    dialect: target.dialect,
    location: locationOf(target),
    withStreamingConnection: (work) => db().withStreamingConnection(work),
    close: async () => opened?.close(),
  };
}

/**
 * SQLite rolls a transaction back by itself on some errors (SQLITE_FULL, SQLITE_IOERR); Kysely's
 * own rollback then fails with "no transaction is active", and that error would replace the one
 * that says the disk is full. The rollback is skipped when there is nothing left to roll back.
 *
 * Kysely's SQLite adapter says DDL is not transactional, so its migrator would run migrations one
 * statement at a time: a process killed inside a migration that rebuilds a table would leave it
 * half done, and two processes migrating one file at once could each apply part. SQLite's DDL is
 * transactional, so the adapter says so and every pending migration commits as one transaction.
 */
class SqliteDialectKeepingErrors extends SqliteDialect {
  readonly #file: BetterSqlite3.Database;

  constructor(file: BetterSqlite3.Database) {
    super({ database: file });
    this.#file = file;
  }

  override createDriver(): Driver {
    const file = this.#file;
    return new (class extends SqliteDriver {
      override async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
        if (file.inTransaction) await super.rollbackTransaction(connection);
      }
    })({ database: file });
  }

  override createAdapter(): DialectAdapter {
    return new (class extends SqliteAdapter {
      override get supportsTransactionalDdl(): boolean {
        return true;
      }
    })();
  }
}

function openSqlite(target: SqliteTarget, options: OpenDbOptions): Database {
  if (target.path !== ':memory:') makeDirectory(dirname(target.path));
  const file = new BetterSqlite3(target.path, { timeout: options.busyTimeoutMs ?? 5_000 });
  // WAL lets the dashboard and backup read while the sensor writes, from other processes too;
  // with WAL, NORMAL only risks the last commits on power loss, never corruption.
  file.pragma('journal_mode = WAL');
  file.pragma('synchronous = NORMAL');
  const kysely = new Kysely<Schema>({ dialect: new SqliteDialectKeepingErrors(file) });
  return {
    kysely,
    dialect: 'sqlite',
    location: locationOf(target),
    withStreamingConnection: (work) => work(sqliteStreaming(file)),
    async close() {
      // Kysely only closes a database it has used.
      await kysely.destroy();
      if (file.open) file.close();
    },
  };
}

function openMysql(target: MysqlTarget, options: OpenDbOptions): Database {
  const pool = createMysqlPool(target, {
    logger: options.logger ?? silentLogger,
    queryTimeoutMs: options.queryTimeoutMs ?? 30_000,
  });
  const kysely = new Kysely<Schema>({ dialect: new MysqlDialect({ pool }) });
  return {
    kysely,
    dialect: 'mysql',
    location: locationOf(target),
    withStreamingConnection: (work) => withMysqlStreaming(pool, work),
    async close() {
      await kysely.destroy();
      await new Promise<void>((resolve, reject) => pool.end((error) => (error ? reject(error) : resolve())));
    },
  };
}

/** better-sqlite3 is synchronous: a statement's iterator simply stays open across `onChunk`. */
function sqliteStreaming(file: BetterSqlite3.Database): StreamingConnection {
  return {
    async execute<Row>(query: CompiledQuery<Row>) {
      const statement = file.prepare(query.sql);
      if (statement.reader) return statement.all(query.parameters) as Row[];
      statement.run(query.parameters);
      return [];
    },
    async stream<Row>(
      query: CompiledQuery<Row>,
      chunkRows: number,
      onChunk: (rows: Row[]) => void | Promise<void>,
    ) {
      let chunk: Row[] = [];
      // Leaving the loop early (onChunk threw) closes the iterator, which frees the connection.
      for (const row of file.prepare(query.sql).iterate(query.parameters)) {
        chunk.push(row as Row);
        if (chunk.length < chunkRows) continue;
        await onChunk(chunk);
        chunk = [];
      }
      if (chunk.length > 0) await onChunk(chunk);
    },
  };
}

async function withMysqlStreaming<T>(
  pool: ClosableMysqlPool,
  work: (connection: StreamingConnection) => Promise<T>,
): Promise<T> {
  const connection = await new Promise<TimedConnection>((resolve, reject) =>
    pool.getConnection((error, taken) => (error ? reject(error) : resolve(taken))),
  );
  // A failed stream has closed the connection already (and taken it out of the pool).
  let reusable = true;
  try {
    return await work({
      execute: <Row>(query: CompiledQuery<Row>) =>
        new Promise<Row[]>((resolve, reject) =>
          connection.query(query.sql, [...query.parameters], (error, result) =>
            error ? reject(error) : resolve(Array.isArray(result) ? (result as Row[]) : []),
          ),
        ),
      async stream(query, chunkRows, onChunk) {
        try {
          await connection.streamRows(query.sql, query.parameters, chunkRows, onChunk);
        } catch (error) {
          reusable = false;
          throw error;
        }
      },
    });
  } finally {
    if (reusable) connection.release();
  }
}
