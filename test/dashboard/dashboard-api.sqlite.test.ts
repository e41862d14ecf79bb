import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { sql } from 'kysely';
import { migrateToLatest } from '../../src/db/migrations/migrate-to-latest.js';
import { openDb } from '../../src/db/open-db.js';
import { captureLogger } from '../support/capture-logger.js';
import { createTestDashboard } from '../support/test-dashboard.js';
import { dashboardApiContract } from './dashboard-api.contract.js';

describe('dashboard API on SQLite', () => {
  const dir = mkdtempSync(join(tmpdir(), 'clima-dashboard-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  dashboardApiContract(async () => ({ dialect: 'sqlite', path: join(dir, 'clima.db') }));
});

describe('dashboard API on a broken SQLite schema', () => {
  const dir = mkdtempSync(join(tmpdir(), 'clima-dashboard-broken-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('answers 500 with a bare JSON reason, the SQL error staying in the log', async () => {
    const db = openDb({ dialect: 'sqlite', path: join(dir, 'clima.db') });
    await migrateToLatest(db);
    await sql`DROP TABLE mediciones`.execute(db.kysely);
    const { logger, lines } = captureLogger('error');
    const dashboard = createTestDashboard({ db, logger });
    try {
      const response = await dashboard.app.inject({ method: 'GET', url: '/api/latest' });
      assert.equal(response.statusCode, 500);
      assert.deepEqual(response.json(), { error: { code: 'internal', message: 'internal error' } });
      assert.ok(
        lines.some((line) => /no such table: mediciones/.test(JSON.stringify(line))),
        'the detail is logged',
      );
    } finally {
      await dashboard.app.close();
      await db.close();
    }
  });
});
