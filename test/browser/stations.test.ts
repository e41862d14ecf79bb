// Stations beside cities in a real browser: the server's rows, kept current by the page's script as
// a station's readings arrive.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import {
  type BrowserDashboard,
  deviceReading,
  history,
  STATION_CITIES,
  STATIONS,
  startBrowserDashboard,
} from './support/browser-dashboard.js';
import { chromiumSkip, launchChromium, openPage, screenshot } from './support/chromium.js';

const INTERVAL_S = 1;
const skip = chromiumSkip();

describe('stations on the page in Chromium', { skip }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'clima-browser-stations-'));
  let browser: Browser;
  let dashboard: BrowserDashboard;

  before(async () => {
    const now = Date.now();
    const seed = [
      ...history(STATION_CITIES, 0.05, 60, now - 5_000),
      deviceReading('finca-1', 'Bogota', now - 3_000, 12.5),
    ];
    [browser, dashboard] = await Promise.all([
      launchChromium(),
      startBrowserDashboard({ dialect: 'sqlite', path: join(dir, 'clima.db') }, seed, INTERVAL_S, STATIONS),
    ]);
  });
  after(async () => {
    await browser?.close();
    await dashboard?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("shows each station's newest reading, and fills a station's row when its first reading arrives", async () => {
    const view = await openPage(browser, `${dashboard.base}/?lang=es`);
    try {
      const row = (station: string) => `#stations tr[data-station="${station}"]`;
      assert.equal(await view.page.textContent(`${row('finca-1')} [data-field="temperature"]`), '12.5 °C');
      assert.equal(await view.page.textContent(`${row('finca-1')} [data-field="source"]`), 'estación');
      assert.equal(await view.page.getAttribute(row('finca-2'), 'data-state'), 'empty');
      assert.equal(await view.page.textContent(`${row('finca-2')} [data-field="age"]`), 'aún sin lecturas');
      assert.ok(await view.page.isVisible('#stations'), 'the panel is shown');
      // A reading stored before the stream connects would not be pushed to this page.
      await view.page.waitForSelector('body[data-live="stream"]', { timeout: 5_000 });
      await dashboard.repository.insertBatch([deviceReading('finca-2', 'Medellin', Date.now(), 27.1)]);
      await view.page.waitForSelector(`${row('finca-2')}[data-state="ok"]`, {
        timeout: 3 * INTERVAL_S * 1000 + 2_000,
      });
      assert.equal(await view.page.textContent(`${row('finca-2')} [data-field="temperature"]`), '27.1 °C');
      assert.equal(await view.page.textContent(`${row('finca-2')} [data-field="source"]`), 'estación');
      assert.equal(await view.page.isVisible(`${row('finca-2')} .badge-source`), true);
      await screenshot(view.page, 'stations-es.png');
      assert.deepEqual(view.errors, []);
      assert.deepEqual(view.dialogs, []);
    } finally {
      await view.close();
    }
  });

  it("keeps a station's row current by polling while the stream is unavailable", async () => {
    const view = await openPage(browser, 'about:blank');
    try {
      await view.page.route('**/api/stream', (route) => route.fulfill({ status: 503, body: 'unavailable' }));
      await view.page.goto(`${dashboard.base}/?lang=en`, { waitUntil: 'load' });
      await view.page.waitForSelector('body[data-live="poll"]', { timeout: 5_000 });
      const row = '#stations tr[data-station="finca-1"]';
      await dashboard.repository.insertBatch([deviceReading('finca-1', 'Bogota', Date.now(), 3.5)]);
      await view.page.waitForFunction(
        (selector) =>
          (
            globalThis as unknown as {
              document: { querySelector(s: string): { textContent: string } | null };
            }
          ).document.querySelector(selector)?.textContent === '3.5 °C',
        `${row} [data-field="temperature"]`,
        { timeout: 3 * INTERVAL_S * 1000 + 2_000 },
      );
      assert.equal(await view.page.textContent(`${row} [data-field="source"]`), 'station');
    } finally {
      await view.close();
    }
  });
});
