import { afterEach, beforeEach } from 'node:test';
import type { DatabaseTarget } from '../../src/db/database-url.js';
import { migrateToLatest } from '../../src/db/migrations/migrate-to-latest.js';
import { type Database, openDb } from '../../src/db/open-db.js';
import { type NewReading, readingKey } from '../../src/db/reading.js';
import { createReadingsRepository, type ReadingsRepository } from '../../src/db/readings-repository.js';
import { queryingReadings } from './querying-readings.contract.js';
import { queryingStations } from './querying-stations.contract.js';
import { maintainingRollups } from './rollups.contract.js';
import { storingReadings } from './storing-readings.contract.js';

/** The paper's query, run as written through each dialect's own client. */
export const PAPER_QUERY = 'SELECT * FROM mediciones ORDER BY id DESC LIMIT 15';

/** What the shared suite needs from one dialect. */
export interface DialectUnderTest {
  /** A target naming a new, empty database. */
  freshTarget(): Promise<DatabaseTarget>;
  /** `PAPER_QUERY` through the dialect's own command-line client: the columns of each row. */
  paperQuery(target: DatabaseTarget): string[][];
}

/**
 * A reading taken (and observed) at `takenAt` (ISO text, epoch ms or a Date), keyed as the sensor
 * keys it: the one reading factory of the tests.
 */
export function reading(
  city: string,
  takenAt: string | number | Date,
  values: Partial<NewReading> = {},
): NewReading {
  const at = new Date(takenAt);
  return {
    key: readingKey(city, at),
    city,
    temperature: 20,
    humidity: 50,
    takenAt: at,
    observedAt: at,
    source: 'simulated',
    ...values,
  };
}

/** `count` readings of `city`, one every `stepSeconds` from `start`. */
export function series(city: string, start: string, count: number, stepSeconds: number): NewReading[] {
  const t0 = Date.parse(start);
  return Array.from({ length: count }, (_, i) =>
    reading(city, new Date(t0 + i * stepSeconds * 1000).toISOString(), {
      temperature: (i % 500) / 10,
      humidity: i % 101,
    }),
  );
}

/**
 * The behaviour of the readings repository, registered into the caller's `describe` so every
 * dialect runs exactly the same tests. Each test gets a new, migrated database.
 */
export function readingsRepositoryContract(dialect: DialectUnderTest): void {
  let current: Omit<ContractContext, 'dialect'> | undefined;
  const context = (): ContractContext => {
    if (current === undefined) throw new Error('no database: the contract runs inside its own hooks');
    return { dialect, ...current };
  };

  beforeEach(async () => {
    const target = await dialect.freshTarget();
    const db = openDb(target);
    const applied = await migrateToLatest(db);
    current = { target, db, applied, repo: createReadingsRepository(db) };
  });
  afterEach(() => current?.db.close());

  storingReadings(context);
  queryingReadings(context);
  queryingStations(context);
  maintainingRollups(context);
}

/** The database of the running test: a new, migrated one for each test. */
export interface ContractContext {
  readonly dialect: DialectUnderTest;
  readonly target: DatabaseTarget;
  readonly db: Database;
  readonly repo: ReadingsRepository;
  /** What the test's own `migrateToLatest` applied. */
  readonly applied: string[];
}
