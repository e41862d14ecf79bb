import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { migrateToLatest } from '../../src/db/migrations/migrate-to-latest.js';
import { type Database, openDb } from '../../src/db/open-db.js';
import { createTestDashboard } from '../support/test-dashboard.js';

describe("the dashboard's /metrics", () => {
  let db: Database;
  before(async () => {
    db = openDb({ dialect: 'sqlite', path: ':memory:' });
    await migrateToLatest(db);
  });
  after(() => db.close());

  describe('with METRICS_TOKEN', () => {
    const dashboard = () => createTestDashboard({ db, metricsToken: 'dashboard-metrics-token' });

    it('answers without the bearer token, or with a wrong one, 401 with a Bearer challenge and a JSON reason', async () => {
      const { app } = dashboard();
      for (const headers of [{}, { authorization: 'Bearer dashboard-metrics-tokeN' }]) {
        const response = await app.inject({ url: '/metrics', headers });
        assert.equal(response.statusCode, 401);
        assert.match(String(response.headers['www-authenticate']), /^Bearer realm="clima"/);
        assert.match(String(response.headers['content-type']), /application\/json/);
        assert.equal(response.json().error.code, 'unauthorized');
        assert.doesNotMatch(response.body, /clima_http_request_duration_seconds/);
      }
    });

    it('serves the metrics to a request bearing the token', async () => {
      const response = await dashboard().app.inject({
        url: '/metrics',
        headers: { authorization: 'Bearer dashboard-metrics-token' },
      });
      assert.equal(response.statusCode, 200);
      assert.match(response.body, /^process_resident_memory_bytes \d+/m);
    });

    it('protects only /metrics: health and the API stay open', async () => {
      const { app } = dashboard();
      assert.equal((await app.inject({ url: '/healthz' })).statusCode, 200);
      assert.equal((await app.inject({ url: '/api/cities' })).statusCode, 200);
    });
  });

  it('is open without METRICS_TOKEN', async () => {
    const response = await createTestDashboard({ db }).app.inject({ url: '/metrics' });
    assert.equal(response.statusCode, 200);
    assert.match(response.body, /^process_resident_memory_bytes \d+/m);
  });
});
