import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import type { AlertsStatus } from '../../src/alerts/alerts-service.js';
import type { Dashboard } from '../../src/dashboard/create-dashboard.js';
import { migrateToLatest } from '../../src/db/migrations/migrate-to-latest.js';
import { type Database, openDb } from '../../src/db/open-db.js';
import { createTestDashboard } from '../support/test-dashboard.js';
import { chromiumSkip, launchChromium, openPage } from './support/chromium.js';

const skip = chromiumSkip();
const NONE: AlertsStatus = { active: [], undeliverable: [], evaluatedAt: null };

describe('the alerts banner in Chromium', { skip }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'clima-browser-alerts-'));
  let browser: Browser;
  let db: Database;
  let dashboard: Dashboard;
  let status = NONE;
  let base: string;
  before(async () => {
    db = openDb({ dialect: 'sqlite', path: join(dir, 'clima.db') });
    await migrateToLatest(db);
    dashboard = createTestDashboard({ db, intervalS: 1, timeZone: 'America/Bogota', alerts: () => status });
    [browser] = await Promise.all([launchChromium(), dashboard.start()]);
    base = `http://127.0.0.1:${(dashboard.app.server.address() as AddressInfo).port}`;
  });
  after(async () => {
    await browser?.close();
    await dashboard?.stop();
    await db?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("shows an alert as it starts firing and hides the banner once it resolves, in the page's language", async () => {
    status = NONE;
    const view = await openPage(browser, `${base}/?lang=es`);
    try {
      assert.equal(await view.page.locator('#alerts').isHidden(), true);
      status = {
        active: [
          { rule: 'frost', city: 'Manizales', state: 'firing', value: 1.5, since: new Date().toISOString() },
        ],
        undeliverable: [],
        evaluatedAt: new Date().toISOString(),
      };
      const item = view.page.locator('#alerts li[data-state="firing"]');
      await item.waitFor({ state: 'visible', timeout: 5_000 });
      assert.match(
        (await item.textContent()) ?? '',
        /^frost \(Manizales\): activa desde las \d\d:\d\d · valor 1\.5$/,
      );
      status = { ...NONE, evaluatedAt: new Date().toISOString() };
      await view.page.locator('#alerts').waitFor({ state: 'hidden', timeout: 5_000 });
      assert.deepEqual(view.errors, []);
    } finally {
      await view.close();
    }
  });
});
