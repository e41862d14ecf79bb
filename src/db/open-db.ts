import { dirname } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, MysqlDialect, SqliteDialect } from 'kysely';
import { type Logger, silentLogger } from '../core/logger.js';
import { makeDirectory } from '../core/make-directory.js';
import type { DatabaseTarget, MysqlTarget, SqliteTarget } from './database-url.js';
import type { DialectName } from './dialect.js';
import { createMysqlPool } from './mysql-pool.js';
import type { Schema } from './schema.js';

/** An open database: the query builder, which dialect it speaks, and how to let it go. */
export interface Database {
  readonly kysely: Kysely<Schema>;
  readonly dialect: DialectName;
  /** Closes the file or the pool; safe to call twice. */
  close(): Promise<void>;
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

function openSqlite(target: SqliteTarget, options: OpenDbOptions): Database {
  if (target.path !== ':memory:') makeDirectory(dirname(target.path));
  const file = new BetterSqlite3(target.path, { timeout: options.busyTimeoutMs ?? 5_000 });
  // WAL lets the dashboard and backup read while the sensor writes, from other processes too;
  // with WAL, NORMAL only risks the last commits on power loss, never corruption.
  file.pragma('journal_mode = WAL');
  file.pragma('synchronous = NORMAL');
  const kysely = new Kysely<Schema>({ dialect: new SqliteDialect({ database: file }) });
  return {
    kysely,
    dialect: 'sqlite',
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
    async close() {
      await kysely.destroy();
      await new Promise<void>((resolve, reject) => pool.end((error) => (error ? reject(error) : resolve())));
    },
  };
}
