import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { migrateToLatest } from '../../src/db/migrations/migrate-to-latest.js';
import { type Database, openDb } from '../../src/db/open-db.js';
import { captureLogger } from '../support/capture-logger.js';
import { type FakeOpenMeteo, startFakeOpenMeteo } from '../support/fake-open-meteo.js';
import { freshSqliteTargets } from '../support/sqlite-targets.js';
import { createTestDashboard } from '../support/test-dashboard.js';

const DEBUG = 20;
const INFO = 30;

describe('the dashboard', () => {
  const freshTarget = freshSqliteTargets('clima-create-dashboard-');
  let db: Database;
  let fake: FakeOpenMeteo;
  before(async () => {
    db = openDb(await freshTarget());
    await migrateToLatest(db);
    fake = await startFakeOpenMeteo();
  });
  after(async () => {
    await db.close();
    await fake.close();
  });

  it('logs each request at debug, so the info log is not the traffic', async () => {
    const debug = captureLogger('debug');
    const info = captureLogger('info');
    for (const { logger } of [debug, info]) {
      const dashboard = createTestDashboard({ db, logger });
      try {
        assert.equal((await dashboard.app.inject({ method: 'GET', url: '/healthz' })).statusCode, 200);
      } finally {
        await dashboard.app.close();
      }
    }
    const requestLines = debug.lines.filter((line) => /request/.test(line.msg));
    assert.deepEqual(
      requestLines.map((line) => [line.level, line.msg]),
      [
        [DEBUG, 'incoming request'],
        [DEBUG, 'request completed'],
      ],
    );
    assert.deepEqual(
      info.lines.filter((line) => line.level >= INFO && /request/.test(line.msg)),
      [],
    );
  });

  it('shows Open-Meteo as unused until it is first asked, then up', async () => {
    const dashboard = createTestDashboard({ db, weatherUrl: fake.url });
    try {
      const status = async () =>
        (await dashboard.app.inject({ method: 'GET', url: '/api/status' })).json().openMeteo;
      assert.equal((await status()).status, 'unused');
      const weather = await dashboard.app.inject({ method: 'GET', url: '/api/weather?city=Cali' });
      assert.equal(weather.statusCode, 200);
      assert.equal((await status()).status, 'up');
    } finally {
      await dashboard.app.close();
    }
  });

  it('says so on the page, in both languages, while its first request is unanswered', async () => {
    fake.setBehaviour('stall');
    const dashboard = createTestDashboard({ db, weatherUrl: fake.url });
    try {
      // The page waits for live weather a moment only, then renders without it.
      for (const [lang, text] of [
        ['en', 'Open-Meteo unused'],
        ['es', 'Open-Meteo sin usar'],
      ]) {
        const page = await dashboard.app.inject({ method: 'GET', url: `/?lang=${lang}` });
        assert.match(page.body, /id="weather-status"[^>]*data-state="unused"/);
        assert.match(page.body, new RegExp(`<span data-role="text">${text}</span>`));
      }
    } finally {
      await dashboard.app.close();
      fake.reset();
    }
  });
});
