import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ManualClock } from '../../src/core/clock.js';
import { type DatabaseTarget, parseDatabaseUrl } from '../../src/db/database-url.js';
import { migrateToLatest } from '../../src/db/migrations/migrate-to-latest.js';
import { openDb } from '../../src/db/open-db.js';
import type { NewReading } from '../../src/db/reading.js';
import { createReadingsRepository } from '../../src/db/readings-repository.js';
import { openOutbox } from '../../src/outbox/outbox.js';
import { createOutboxSender } from '../../src/outbox/outbox-sender.js';
import { captureLogger } from '../support/capture-logger.js';
import { mariadbSuite } from '../support/mariadb-server.js';
import { waitFor } from '../support/run-clima.js';
import { readingAt } from './reading-at.js';

const dir = mkdtempSync(join(tmpdir(), 'clima-sender-'));
after(() => rmSync(dir, { recursive: true, force: true }));

async function pipeline(target: DatabaseTarget, name: string) {
  const db = openDb(target);
  await migrateToLatest(db);
  const repository = createReadingsRepository(db);
  const log = captureLogger();
  const clock = new ManualClock(0);
  const outbox = openOutbox({ path: join(dir, `${name}.db`), maxRows: 1_000_000, clock, logger: log.logger });
  const sender = createOutboxSender({
    outbox,
    database: repository,
    clock,
    logger: log.logger,
    batchSize: 500,
  });
  const keysInDb = async () => {
    const keys: string[] = [];
    for (let afterId = 0; ; ) {
      const page = await repository.pageById({ afterId, limit: 5_000 });
      if (page.length === 0) return keys;
      keys.push(...page.map((r) => r.key));
      afterId = page.at(-1)?.id ?? afterId;
    }
  };
  return {
    db,
    outbox,
    sender,
    log,
    keysInDb,
    async close() {
      await sender.stop();
      outbox.close();
      await db.close();
    },
  };
}

function appendTicks(outbox: ReturnType<typeof openOutbox>, from: number, to: number): NewReading[] {
  const readings = Array.from({ length: to - from }, (_, i) => readingAt(from + i));
  for (let i = 0; i < readings.length; i += 7) outbox.append(readings.slice(i, i + 7));
  return readings;
}

describe('outbox sender on SQLite', () => {
  it('drains a backlog into the database, each reading once, and empties the outbox', async () => {
    const p = await pipeline({ dialect: 'sqlite', path: join(dir, 'readings.db') }, 'drain');
    const readings = appendTicks(p.outbox, 0, 5_000);
    p.sender.start();
    await waitFor(() => (p.outbox.stats().depth === 0 ? true : undefined), 20_000, 'the outbox to drain');
    assert.deepEqual((await p.keysInDb()).sort(), readings.map((r) => r.key).sort());
    assert.equal(p.outbox.stats().sentTotal, 5_000);
    await p.close();
  });

  it('drops only the unstorable reading of a batch, logged, and stores the rest', async () => {
    const p = await pipeline({ dialect: 'sqlite', path: join(dir, 'poison.db') }, 'poison');
    const bad = { ...readingAt(50), humidity: 150 };
    p.outbox.append([...appendTicks(p.outbox, 0, 50), bad, readingAt(51)]);
    p.sender.start();
    await waitFor(() => (p.outbox.stats().depth === 0 ? true : undefined), 10_000, 'the outbox to drain');
    const keys = await p.keysInDb();
    assert.equal(keys.length, 51);
    assert.ok(!keys.includes(bad.key));
    assert.ok(
      p.log.lines.some(
        (line) => line.msg === 'unstorable reading dropped from the outbox' && line.key === bad.key,
      ),
    );
    await p.close();
  });
});

mariadbSuite('outbox sender while MariaDB is down', (server) => {
  it('keeps every reading through a kill -9 and stores each exactly once after the restart', async () => {
    const p = await pipeline(parseDatabaseUrl(await server().createDatabase('clima_outbox')), 'outage');
    p.sender.start();
    const before = appendTicks(p.outbox, 0, 700);
    p.sender.notify();
    await waitFor(
      () => (p.outbox.stats().depth === 0 ? true : undefined),
      10_000,
      'the first readings to land',
    );

    await server().kill();
    const during: NewReading[] = [];
    for (let tick = 0; tick < 10; tick++) {
      during.push(...appendTicks(p.outbox, 700 + tick * 7, 707 + tick * 7));
      p.sender.notify();
      await new Promise((resolve) => setTimeout(resolve, 150));
    }
    assert.equal(p.outbox.stats().depth, 70, 'the outage readings wait in the outbox');
    assert.equal(p.sender.stats().lastFlushError, 'unreachable', 'the failure is visible, as a code');
    assert.equal(p.sender.databaseFailure(), undefined, 'an unreachable database is not a full one');

    await server().restart();
    await waitFor(() => (p.outbox.stats().depth === 0 ? true : undefined), 30_000, 'the backlog to drain');
    const keys = await p.keysInDb();
    assert.equal(keys.length, new Set(keys).size, 'nothing stored twice');
    assert.deepEqual(keys.sort(), [...before, ...during].map((r) => r.key).sort());
    await p.close();
  });
});
