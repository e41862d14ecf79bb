import type { Clock } from '../core/clock.js';
import { type StoreProblem, storeProblem } from '../db/connection-error.js';

/** Where a reading is kept on its way: the edge's outbox, then the database. */
export type StoreName = 'outbox' | 'database';

/** A store that cannot keep readings, why (a stable code, never the driver's text), and since when. */
export interface StoreFailure {
  readonly store: StoreName;
  readonly problem: StoreProblem;
  readonly since: Date;
}

/**
 * Whether one store keeps what it is given. `since` is when it started failing, kept while it
 * keeps failing for the same reason, so the page can say how long readings have not been kept.
 */
export function createStoreHealth(store: StoreName, clock: Clock) {
  let failure: StoreFailure | undefined;
  return {
    failed(error: unknown): StoreFailure {
      const problem = storeProblem(error);
      if (failure?.problem !== problem) failure = { store, problem, since: new Date(clock.now()) };
      return failure;
    },
    succeeded(): void {
      failure = undefined;
    },
    failure: (): StoreFailure | undefined => failure,
  };
}

export type StoreHealth = ReturnType<typeof createStoreHealth>;
