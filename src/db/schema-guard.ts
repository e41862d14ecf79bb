import type { Logger } from '../core/logger.js';
import { isConnectionError } from './connection-error.js';
import { migrateToLatest } from './migrations/migrate-to-latest.js';
import type { Database } from './open-db.js';

/**
 * Applies migrations once the database can be reached. Services start even when the database is
 * down, so a connection error only postpones migrating to the next call; any other migration
 * error is a real failure and is thrown.
 */
export function createSchemaGuard(db: Database, logger: Logger) {
  let ready = false;
  let pending: Promise<void> | undefined;

  async function migrate(): Promise<void> {
    const applied = await migrateToLatest(db);
    if (applied.length > 0) logger.info({ applied }, 'migrations applied');
    ready = true;
  }

  return {
    /** Resolves once the schema is current; rejects while the database is unreachable. */
    ensure(): Promise<void> {
      if (ready) return Promise.resolve();
      pending ??= migrate().finally(() => {
        pending = undefined;
      });
      return pending;
    },
    /** At start-up: migrate now, or note that the database is down and carry on. */
    async atStartUp(): Promise<void> {
      try {
        await this.ensure();
      } catch (error) {
        if (!isConnectionError(error)) throw error;
        logger.warn({ err: error }, 'database unreachable at start-up: migrations will run once it answers');
      }
    },
  };
}

export type SchemaGuard = ReturnType<typeof createSchemaGuard>;
