import { sql } from 'kysely';
import { AppError } from '../core/app-error.js';
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import type { Metrics } from '../core/metrics.js';
import { createStateChangeLog } from '../core/state-change-log.js';
import { type StoreProblem, storeProblem } from '../db/connection-error.js';
import type { Database } from '../db/open-db.js';
import { isGaleraTransient, isWorthAnotherConnection } from '../db/transient-error.js';

export interface DatabaseState {
  readonly up: boolean;
  /** When `up` last changed. */
  readonly since: Date;
  /** Why it is down, as a stable code: the driver's text (accounts, addresses) goes to the log only. */
  readonly problem: StoreProblem | undefined;
}

/** What a client is told to wait before retrying while the database is down. */
export const DATABASE_RETRY_AFTER_S = 5;

const TRANSIENT_ATTEMPTS = 3;

class QueryTimeout extends Error {
  constructor(ms: number) {
    super(`the database did not answer within ${ms} ms`);
  }
}

/**
 * Every dashboard query goes through here: it gets a time-out, is timed for /metrics, and its
 * outcome keeps the database's up/down state. A connection error, a refused account or a time-out
 * means "down" and becomes a 503 for the client; a recovery is noticed by the next query or by `probe()`.
 */
export function createDatabaseGuard(options: {
  db: Database;
  clock: Clock;
  logger: Logger;
  metrics: Metrics;
  timeoutMs?: number;
}) {
  const { db, clock, metrics } = options;
  const timeoutMs = options.timeoutMs ?? 2_000;
  const log = createStateChangeLog(options.logger, 'database');
  let state: DatabaseState = { up: true, since: new Date(clock.now()), problem: undefined };

  function markUp(): void {
    if (!state.up) state = { up: true, since: new Date(clock.now()), problem: undefined };
    log.succeeded();
  }

  /** `startedAt`: when the failed query was sent, the first moment the database was seen failing. */
  function markDown(error: Error, problem: StoreProblem, startedAt: number): void {
    if (state.up) state = { up: false, since: new Date(startedAt), problem };
    else state = { ...state, problem };
    log.failed(error);
  }

  /**
   * A Galera node's "not now" or a session lost with its node is asked again on other connections
   * (the pool drops the one that failed, the proxy sends a new one to the next node), within the
   * time-out: one node down is no outage. Twice more at most, since the proxy, blind to Galera's
   * state, may hand a new connection to the same node again.
   */
  async function elsewhereIfTransient<T>(work: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await work();
      } catch (error) {
        if (attempt === TRANSIENT_ATTEMPTS || !isWorthAnotherConnection(error)) throw error;
      }
    }
  }

  async function run<T>(query: string, work: () => Promise<T>): Promise<T> {
    const startedAt = clock.now();
    const stopTimer = metrics.dbQueryDuration.startTimer({ query });
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new QueryTimeout(timeoutMs)), timeoutMs);
    });
    try {
      // A query that outlives its time-out is left to finish on its own; the client is not held up.
      const result = await Promise.race([elsewhereIfTransient(work), timeout]);
      stopTimer({ outcome: 'ok' });
      markUp();
      return result;
    } catch (error) {
      // A cluster whose nodes all say "not now" (no quorum) cannot answer either: an honest 503.
      const problem =
        error instanceof QueryTimeout
          ? 'timeout'
          : isGaleraTransient(error)
            ? 'unreachable'
            : storeProblem(error);
      stopTimer({ outcome: problem === 'timeout' ? 'timeout' : 'error' });
      // A refused account or certificate keeps the database out of reach as surely as a cut
      // cable; only an unknown failure (a bad statement) is the query's own.
      if (problem === 'failed') throw error;
      markDown(error as Error, problem, startedAt);
      throw new AppError('database_unavailable', 'the database is unavailable; retrying', {
        cause: error,
        retryAfterS: DATABASE_RETRY_AFTER_S,
      });
    } finally {
      clearTimeout(timer);
    }
  }

  return {
    run,
    /** Asks the database for `SELECT 1`; true when it answered in time. */
    async probe(): Promise<boolean> {
      try {
        await run('probe', () => sql`SELECT 1`.execute(db.kysely));
        return true;
      } catch (error) {
        if (error instanceof AppError) return false;
        throw error;
      }
    },
    state: (): DatabaseState => state,
  };
}

export type DatabaseGuard = ReturnType<typeof createDatabaseGuard>;
