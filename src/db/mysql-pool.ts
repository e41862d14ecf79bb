import type {
  MysqlPool,
  MysqlPoolConnection,
  MysqlQueryResult,
  MysqlStream,
  MysqlStreamOptions,
} from 'kysely';
import { createPool, format, type PoolConnection, type SqlValue, type Timezone } from 'mysql2';
import type { Logger } from '../core/logger.js';
import type { MysqlTarget } from './database-url.js';
import { createServerIdentityCheck, explainTlsFailure, mysqlSslOptions } from './mysql-tls.js';
import { isNodeNotReady } from './transient-error.js';

/** How the pool behaves when the server is slow or gone. */
export interface MysqlPoolOptions {
  readonly logger: Logger;
  /** A query running longer fails and its connection is dropped (a stopped server never answers). */
  readonly queryTimeoutMs: number;
}

/** A Kysely-shaped mysql2 pool whose `end` may be called more than once. */
export interface ClosableMysqlPool extends MysqlPool {
  getConnection(callback: (error: unknown, connection: TimedConnection) => void): void;
  end(callback?: (error: unknown) => void): void;
}

type QueryCallback = (error: unknown, result: MysqlQueryResult) => void;

/**
 * Every new connection: strict, so a bad value is an error and never a warning with clamped
 * data whatever the server's default; UTC, should any query ever use NOW().
 */
const SESSION_SETUP = `SET SESSION
  sql_mode = 'ONLY_FULL_GROUP_BY,STRICT_ALL_TABLES,NO_ZERO_IN_DATE,NO_ZERO_DATE,ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION',
  time_zone = '+00:00'`;

const NODE_READY = "SHOW GLOBAL STATUS LIKE 'wsrep_ready'";
// As many tries as a cluster has nodes, so that one node cut off is passed over.
const NEW_CONNECTION_ATTEMPTS = 3;

/**
 * mysql2's own formatting, except that a statement without parameters is sent as it is: mysql2
 * scans every statement's text for placeholders even when there is nothing to put in them, and a
 * restore's statements carry their values in megabytes of text already escaped.
 */
function formatQuery(this: { config: { timezone?: Timezone } }, sql: string, values: unknown): string {
  if (values === undefined || values === null || (Array.isArray(values) && values.length === 0)) return sql;
  return format(sql, values as SqlValue[], false, this.config.timezone);
}

/**
 * A mysql2 pool that survives its server: connecting is lazy (so creating it with the server down
 * succeeds), a lost connection is logged and dropped instead of crashing the process with an
 * unhandled 'error' event, and later queries open fresh connections, so a restarted server is
 * used again without reopening anything.
 */
export function createMysqlPool(target: MysqlTarget, options: MysqlPoolOptions): ClosableMysqlPool {
  const pool = createPool({
    host: target.host,
    port: target.port,
    user: target.user,
    password: target.password,
    database: target.database,
    ssl: mysqlSslOptions(target),
    charset: 'utf8mb4',
    // DATETIME comes back as the stored text: mysql2 applies no time zone (see timestamps.ts).
    dateStrings: true,
    // AVG() of an integer column is DECIMAL, which mysql2 otherwise returns as a string.
    decimalNumbers: true,
    connectTimeout: 5_000,
    connectionLimit: 10,
    maxIdle: 2,
    idleTimeout: 60_000,
    enableKeepAlive: true,
    keepAliveInitialDelay: 10_000,
    queryFormat: formatQuery,
  });
  const logLoss = (error: NodeJS.ErrnoException) =>
    options.logger.warn({ code: error.code, message: error.message }, 'database connection lost');
  // An 'error' event nobody listens to kills the process: every emitter gets a listener.
  pool.on('error', logLoss);
  pool.on('connection', (connection: PoolConnection) => connection.on('error', logLoss));

  const ready = new WeakMap<PoolConnection, TimedConnection>();
  const verifyServerIdentity = createServerIdentityCheck(target);
  let ended = false;
  return {
    getConnection(callback) {
      acquire(callback, 1);
    },
    end(callback = () => {}) {
      if (ended) return callback(null);
      ended = true;
      pool.end(callback);
    },
  };

  function acquire(callback: (error: unknown, connection: TimedConnection) => void, attempt: number): void {
    pool.getConnection((error, raw) => {
      if (error) return callback(explainTlsFailure(error, target.tls), undefined as never);
      const known = ready.get(raw);
      if (known !== undefined) return callback(null, known);
      const identity = verifyServerIdentity(raw);
      if (identity) {
        raw.destroy();
        return callback(explainTlsFailure(identity, target.tls), undefined as never);
      }
      // Set up here rather than in Kysely's onCreateConnection: when that hook fails, Kysely
      // never releases the connection, and a few such failures would exhaust the pool for good.
      raw.query({ sql: SESSION_SETUP, timeout: options.queryTimeoutMs }, (setupError) => {
        if (setupError) {
          raw.destroy();
          return callback(setupError, undefined as never);
        }
        // A Galera node cut off from its cluster (or joining) accepts connections but refuses
        // statements: a new connection to it is dropped for another, which the proxy sends to
        // the next node. A server without Galera has no wsrep_ready and is always ready.
        raw.query({ sql: NODE_READY, timeout: options.queryTimeoutMs }, (readyError, rows) => {
          const notReady = (rows as { Value?: string }[] | undefined)?.[0]?.Value === 'OFF';
          if (readyError || (notReady && attempt < NEW_CONNECTION_ATTEMPTS)) {
            raw.destroy();
            return readyError ? callback(readyError, undefined as never) : acquire(callback, attempt + 1);
          }
          // Kysely keys its per-connection state on this object, so it must stay the same one.
          const connection = new TimedConnection(raw, options.queryTimeoutMs);
          ready.set(raw, connection);
          callback(null, connection);
        });
      });
    });
  }
}

/** A pooled connection whose queries fail after the pool's query timeout instead of hanging. */
export class TimedConnection implements MysqlPoolConnection {
  constructor(
    private readonly raw: PoolConnection,
    private readonly timeoutMs: number,
  ) {}

  query(sql: string, parameters: unknown[]): { stream: <T>(options: MysqlStreamOptions) => MysqlStream<T> };
  query(sql: string, parameters: unknown[], callback: QueryCallback): void;
  query(
    sql: string,
    parameters: unknown[],
    callback?: QueryCallback,
  ): { stream: <T>(options: MysqlStreamOptions) => MysqlStream<T> } | undefined {
    // Streams are consumed at the reader's pace, so no overall timeout fits them.
    if (callback === undefined) return this.raw.query(sql, parameters);
    this.raw.query({ sql, values: parameters, timeout: this.timeoutMs }, (error, result) => {
      if ((error as NodeJS.ErrnoException | null)?.code === 'PROTOCOL_SEQUENCE_TIMEOUT') {
        // The late answer (if any) would arrive on a connection the pool believes idle.
        this.raw.destroy();
        const timeout = new Error(`database query timed out after ${this.timeoutMs} ms`, { cause: error });
        return callback(Object.assign(timeout, { code: 'PROTOCOL_SEQUENCE_TIMEOUT' }), [] as never);
      }
      // A Galera node not ready for clients stays so for a while: the next query needs a new
      // connection, which the proxy gives to another node.
      if (isNodeNotReady(error)) this.raw.destroy();
      callback(error, result as MysqlQueryResult);
    });
    return undefined;
  }

  /**
   * Streams the rows of one query in chunks of `chunkRows`, reading no further until `onChunk`
   * has settled, so memory holds one chunk whatever the size of the result. mysql2 is used
   * directly: Kysely's stream costs several promises a row. A server silent for the query
   * timeout while rows are awaited fails the stream. A failed stream leaves the connection
   * mid-result, so it closes it, which also takes it out of the pool: never release it then.
   */
  streamRows<Row>(
    sql: string,
    parameters: readonly unknown[],
    chunkRows: number,
    onChunk: (rows: Row[]) => void | Promise<void>,
  ): Promise<void> {
    const { raw, timeoutMs } = this;
    return new Promise<void>((resolve, reject) => {
      let chunk: Row[] = [];
      let failed = false;
      let timer: NodeJS.Timeout | undefined;
      const fail = (error: unknown) => {
        if (failed) return;
        failed = true;
        clearTimeout(timer);
        raw.destroy();
        reject(error);
      };
      const awaitRows = () => {
        clearTimeout(timer);
        timer = setTimeout(
          () => fail(new Error(`database query timed out after ${timeoutMs} ms without a row`)),
          timeoutMs,
        );
      };
      const deliver = async (rows: Row[]) => onChunk(rows);
      const query = raw.query({ sql, values: parameters as unknown[] });
      awaitRows();
      query.on('result', (row) => {
        if (failed) return;
        chunk.push(row as Row);
        if (chunk.length < chunkRows) return;
        const rows = chunk;
        chunk = [];
        // mysql2 holds back every packet after pause() until resume().
        raw.pause();
        clearTimeout(timer);
        deliver(rows).then(() => {
          if (failed) return;
          awaitRows();
          raw.resume();
        }, fail);
      });
      query.on('error', fail);
      query.on('end', () => {
        if (failed) return;
        clearTimeout(timer);
        (chunk.length > 0 ? deliver(chunk) : Promise.resolve()).then(resolve, fail);
      });
    });
  }

  release(): void {
    this.raw.release();
  }
}
