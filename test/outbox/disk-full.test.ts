import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { sql } from 'kysely';
import { ManualClock } from '../../src/core/clock.js';
import { migrateToLatest } from '../../src/db/migrations/migrate-to-latest.js';
import { openDb } from '../../src/db/open-db.js';
import { createReadingsRepository } from '../../src/db/readings-repository.js';
import { createEdgeOutbox } from '../../src/outbox/edge-outbox.js';
import type { StoreName } from '../../src/outbox/store-health.js';
import { createSensor } from '../../src/sensor/sensor.js';
import type { City } from '../../src/weather/city.js';
import { createSimulatedSource } from '../../src/weather/simulated-source.js';
import { captureLogger } from '../support/capture-logger.js';
import { waitFor } from '../support/run-clima.js';
import { fillUp, mountTinyFilesystem, type TinyFilesystem } from '../support/tiny-filesystem.js';
import { T0 } from './reading-at.js';

const CITIES: readonly City[] = Array.from({ length: 40 }, (_, i) => ({
  name: `City ${i + 1}`,
  latitude: -30 + i,
  longitude: -75 + i / 10,
}));
const ERROR = 50;

describe('the outbox and the embedded database on full disks', () => {
  // Two file systems, so that the database can be full while the outbox still takes readings.
  const outboxFs = mountTinyFilesystem(1024 * 1024);
  const databaseFs = mountTinyFilesystem(1024 * 1024);
  const skip = 'skip' in outboxFs ? outboxFs.skip : 'skip' in databaseFs ? databaseFs.skip : false;
  after(() => {
    for (const fs of [outboxFs, databaseFs]) if (!('skip' in fs)) fs.unmount();
  });

  it('counts readings it cannot keep, names the failing store and since when, logs each change once, and recovers by itself', {
    skip,
  }, async () => {
    const clock = new ManualClock(T0);
    const { logger, lines } = captureLogger('info');
    const db = openDb({ dialect: 'sqlite', path: join((databaseFs as TinyFilesystem).dir, 'clima.db') });
    await migrateToLatest(db);
    const edge = createEdgeOutbox({
      path: join((outboxFs as TinyFilesystem).dir, 'outbox.db'),
      maxRows: 1_000_000,
      database: createReadingsRepository(db),
      embedded: true,
      clock,
      logger,
    });
    const sensor = createSensor({
      source: createSimulatedSource({ clock }),
      store: edge.queue,
      cities: CITIES,
      intervalS: 1,
      clock,
      logger,
    });
    let ticks = 0;
    const tick = async () => {
      clock.advance(1_000);
      ticks++;
      return sensor.tick();
    };
    const stored = async () =>
      Number((await sql<{ n: number }>`SELECT count(*) AS n FROM mediciones`.execute(db.kysely)).rows[0]?.n);
    const failure = (store: StoreName) => edge.status().failures.find((f) => f.store === store);
    const errors = () => lines.filter((line) => line.level === ERROR);
    edge.start();
    try {
      await tick();
      await waitFor(async () => ((await stored()) === 40 ? true : undefined), 10_000, 'a first tick stored');
      assert.deepEqual(edge.status().failures, []);

      // The database's disk fills: readings wait in the outbox, nothing is lost yet.
      const freeDatabase = fillUp((databaseFs as TinyFilesystem).dir);
      const full = await waitFor(
        async () => {
          await tick();
          return failure('database');
        },
        30_000,
        'the database to refuse readings',
      );
      assert.equal(full.problem, 'storage-full');
      assert.ok(full.since.getTime() > T0 && full.since.getTime() <= clock.now());
      assert.equal(edge.status().lostTotal, 0, 'the outbox still keeps every reading');
      assert.ok(edge.status().depth > 0);
      assert.equal(edge.status().lastFlushError, 'storage-full');
      assert.equal(failure('outbox'), undefined);

      // Then the outbox's: readings can be kept nowhere, and are counted.
      const freeOutbox = fillUp((outboxFs as TinyFilesystem).dir);
      const lost = await waitFor(
        async () => {
          await tick();
          return failure('outbox');
        },
        30_000,
        'the outbox to refuse readings',
      );
      assert.equal(lost.problem, 'storage-full');
      assert.equal(lost.since.getTime(), clock.now(), 'since the first reading it could not keep');
      assert.equal(edge.status().lostTotal, 40);
      await tick();
      await tick();
      assert.equal(edge.status().lostTotal, 3 * 40, 'every tick that could not be kept counted');
      assert.deepEqual(failure('outbox'), lost, 'still failing since the same instant');
      assert.deepEqual(
        edge.status().failures.map((f) => f.store),
        ['outbox', 'database'],
      );

      assert.deepEqual(
        errors().map((line) => line.msg),
        [
          'outbox flush failing: database or disk is full',
          'reading store failing: the outbox cannot keep readings: storage-full',
        ],
        'one error per change of state, however many ticks fail',
      );
      assert.match(JSON.stringify(errors()[1]?.err), /database or disk is full/, 'the detail is logged');

      // Space comes back: both stores recover without a restart, and every kept reading is stored.
      freeOutbox();
      freeDatabase();
      await tick();
      await waitFor(
        () => (edge.status().failures.length === 0 && edge.status().depth === 0 ? true : undefined),
        30_000,
        'both stores to recover and the outbox to drain',
      );
      assert.equal(await stored(), ticks * 40 - edge.status().lostTotal, 'nothing lost that was not counted');
      assert.equal(errors().length, 2, 'no new error');
      const recovered = lines.filter((line) => /recovered$/.test(line.msg)).map((line) => line.msg);
      assert.deepEqual(recovered.sort(), ['outbox flush recovered', 'reading store recovered']);
    } finally {
      await edge.stop();
      await db.close();
    }
  });
});
