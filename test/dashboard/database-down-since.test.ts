import assert from 'node:assert/strict';
import { it } from 'node:test';
import { AppError } from '../../src/core/app-error.js';
import { ManualClock } from '../../src/core/clock.js';
import { silentLogger } from '../../src/core/logger.js';
import { createMetrics } from '../../src/core/metrics.js';
import { createDatabaseGuard } from '../../src/dashboard/database-guard.js';
import { openDb } from '../../src/db/open-db.js';

it('dates a database outage from when the first failing query was sent, not from when it gave up', async (t) => {
  const db = openDb({ dialect: 'sqlite', path: ':memory:' });
  t.after(() => db.close());
  const clock = new ManualClock(Date.parse('2026-03-01T12:00:00Z'));
  const guard = createDatabaseGuard({ db, clock, logger: silentLogger, metrics: createMetrics() });
  const sentAt = clock.now();
  // The connection attempt takes 9 s to be refused, as through a proxy whose upstream is gone.
  const refused = guard.run('latest', async () => {
    clock.advance(9_000);
    throw Object.assign(new Error('connect ECONNREFUSED 10.0.0.5:3306'), { code: 'ECONNREFUSED' });
  });
  await assert.rejects(refused, AppError);
  assert.deepEqual(guard.state(), {
    up: false,
    since: new Date(sentAt),
    problem: 'unreachable',
  });

  // Later failures keep the start of the outage.
  clock.advance(60_000);
  await assert.rejects(
    guard.run('latest', async () => {
      throw Object.assign(new Error('connect ETIMEDOUT'), { code: 'ETIMEDOUT' });
    }),
  );
  assert.equal(guard.state().since.getTime(), sentAt);
});
