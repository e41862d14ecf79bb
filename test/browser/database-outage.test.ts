import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { parseDatabaseUrl } from '../../src/db/database-url.js';
import { mariadbSuite } from '../support/mariadb-server.js';
import {
  BROWSER_CITIES,
  type BrowserDashboard,
  history,
  startBrowserDashboard,
} from './support/browser-dashboard.js';
import { chromiumSkip, launchChromium, openPage, screenshot } from './support/chromium.js';

const INTERVAL_S = 1;

const skip = chromiumSkip();
if (skip !== false) {
  it('the status strip while MariaDB stops and starts again', { skip }, () => {});
} else {
  mariadbSuite('the status strip while MariaDB stops and starts again', (server) => {
    let browser: Browser;
    let dashboard: BrowserDashboard;

    before(async () => {
      const target = parseDatabaseUrl(await server().createDatabase('clima_browser'));
      [browser, dashboard] = await Promise.all([
        launchChromium(),
        startBrowserDashboard(target, history(BROWSER_CITIES, 0.05, 60), INTERVAL_S),
      ]);
    });
    after(async () => {
      await browser?.close();
      await dashboard?.stop();
    });

    it('says "database unavailable" when the database stops, and connected again when it is back', async () => {
      const view = await openPage(browser, `${dashboard.base}/?lang=en`);
      try {
        await view.page.waitForSelector('#db-status[data-state="up"]');
        // The charts' first queries answered: one the outage cut short would be a request that failed.
        await view.page.waitForSelector('#charts[data-state="ok"], #charts[data-state="empty"]');
        await server().kill();
        // The stream's poller notices within an interval; the guard's time-out is 2 s at most.
        await view.page.waitForSelector('#db-status[data-state="down"]', {
          timeout: 4 * INTERVAL_S * 1000 + 2_000,
        });
        assert.match(
          (await view.page.textContent('#db-status')) ?? '',
          /database unavailable since \d\d:\d\d/,
        );
        await view.page.waitForSelector('#latest[data-stale="true"]', { timeout: 2_000 });
        await screenshot(view.page, 'dashboard-database-down-1280.png');

        await server().restart();
        await view.page.waitForSelector('#db-status[data-state="up"]', { timeout: 10_000 });
        assert.equal((await view.page.textContent('#db-status'))?.trim(), 'database connected');
        // The dashboard stayed up throughout, so nothing the page asked for failed.
        assert.deepEqual(view.errors, []);
      } finally {
        await view.close();
      }
    });
  });
}
