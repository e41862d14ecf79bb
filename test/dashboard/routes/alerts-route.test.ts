import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { AlertsStatus } from '../../../src/alerts/alerts-service.js';
import type { Dashboard } from '../../../src/dashboard/create-dashboard.js';
import { migrateToLatest } from '../../../src/db/migrations/migrate-to-latest.js';
import { type Database, openDb } from '../../../src/db/open-db.js';
import { openSse } from '../../support/sse-client.js';
import { createTestDashboard } from '../../support/test-dashboard.js';

describe('alerts on the dashboard', () => {
  const dir = mkdtempSync(join(tmpdir(), 'clima-alerts-page-'));
  let db: Database;
  let dashboard: Dashboard;
  let status: AlertsStatus = { active: [], undeliverable: [], evaluatedAt: null };
  before(async () => {
    db = openDb({ dialect: 'sqlite', path: join(dir, 'clima.db') });
    await migrateToLatest(db);
    dashboard = createTestDashboard({ db, alerts: () => status });
    await dashboard.start();
  });
  after(async () => {
    await dashboard.stop();
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const firing: AlertsStatus = {
    active: [
      { rule: 'frost', city: 'Manizales', state: 'firing', value: 1.5, since: '2026-07-01T06:10:00.000Z' },
      { rule: 'backup-age', city: null, state: 'pending', value: 1900, since: '2026-07-01T06:20:00.000Z' },
    ],
    undeliverable: [
      {
        target: 'hook',
        rule: 'frost',
        city: 'Manizales',
        state: 'resolved',
        since: '2026-07-01T05:00:00.000Z',
        attempts: 12,
        lastError: 'POST hook: connect ECONNREFUSED 127.0.0.1:9',
      },
    ],
    evaluatedAt: '2026-07-01T06:30:00.000Z',
  };

  it('GET /api/alerts lists what the evaluator found, and refuses parameters', async () => {
    status = firing;
    const answer = await dashboard.app.inject('/api/alerts');
    assert.equal(answer.statusCode, 200);
    assert.deepEqual(answer.json(), firing);
    assert.equal((await dashboard.app.inject('/api/alerts?all=1')).statusCode, 400);
  });

  it('shows firing alerts on top of the page, in both languages, and nothing when there are none', async () => {
    status = firing;
    const es = (await dashboard.app.inject('/?lang=es')).body;
    const banner = /<section id="alerts"[^>]*>([\s\S]*?)<\/section>/.exec(es);
    assert.ok(banner, 'a banner');
    assert.ok((banner.index ?? 0) < es.indexOf('class="status-strip"'), 'above the status strip');
    assert.match(
      banner[1] ?? '',
      /<li data-state="firing">frost \(Manizales\): activa desde las 2026-07-01 06:10 · valor 1.5<\/li>/,
    );
    assert.match(banner[1] ?? '', /<li data-state="pending">backup-age \(sistema\): pendiente desde/);
    assert.match(banner[1] ?? '', /1 notificaciones de alertas no se pudieron entregar/);
    const en = (await dashboard.app.inject('/?lang=en')).body;
    assert.match(en, /frost \(Manizales\): firing since 2026-07-01 06:10 · value 1.5/);

    status = { active: [], undeliverable: [], evaluatedAt: '2026-07-01T06:40:00.000Z' };
    const calm = (await dashboard.app.inject('/?lang=en')).body;
    assert.match(calm, /<section id="alerts"[^>]* hidden>/);
  });

  it("pushes the alerts in the stream's status event", async () => {
    status = firing;
    const { port } = dashboard.app.server.address() as AddressInfo;
    const client = await openSse(`http://127.0.0.1:${port}/api/stream`);
    try {
      const event = await client.waitFor((e) => e.event === 'status', 2_000);
      const pushed = JSON.parse(event.data);
      assert.deepEqual(pushed.alerts, { active: firing.active, undeliverable: 1 });
    } finally {
      client.close();
    }
  });
});
