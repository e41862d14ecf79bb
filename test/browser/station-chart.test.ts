// A station's charts in a real browser: opened from its row in #stations or from a bookmark,
// drawn from the station's own buckets, zoomed by a drag, and kept current by the stream.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { formatTemperature } from '../../src/dashboard/page/format.js';
import type { NewReading } from '../../src/db/reading.js';
import { reading as readingOf } from '../db/readings-repository.contract.js';
import {
  type BrowserDashboard,
  deviceReading,
  history,
  STATION_CITIES,
  STATIONS,
  startBrowserDashboard,
} from './support/browser-dashboard.js';
import { hover, nextQuery } from './support/chart-probe.js';
import { chromiumSkip, launchChromium, openPage, paintedPixels, screenshot } from './support/chromium.js';

const DAY_S = 86_400;
const INTERVAL_S = 1;
const skip = chromiumSkip();

describe("a station's charts in Chromium", { skip }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'clima-browser-station-chart-'));
  let browser: Browser;
  let dashboard: BrowserDashboard;

  before(async () => {
    // A day of finca-1 every minute, 5.0 to 8.6 °C, far from its city's 18 °C and more.
    const now = Date.now();
    const seed: NewReading[] = [...history(STATION_CITIES, 1, 300, now - 5_000)];
    for (let i = DAY_S / 60; i >= 1; i--) {
      seed.push(deviceReading('finca-1', 'Bogota', now - i * 60_000, 5 + (i % 37) / 10));
    }
    seed.push(deviceReading('finca-2', 'Medellin', now - 120_000, 30));
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

  it("opens a station's charts from its row, in place, with the tooltip of the station's own buckets", async () => {
    const view = await openPage(browser, `${dashboard.base}/?lang=en&range=24h`, 1280);
    try {
      const { page } = view;
      await page.waitForSelector('#charts[data-state="ok"]', { timeout: 5_000 });
      assert.equal(await page.isHidden('#chart-station'), true, 'no station picker in the city view');
      // A page that reloaded would lose this mark.
      await page.evaluate(() => {
        (globalThis as { stayed?: boolean }).stayed = true;
      });
      await page.click('#stations tr[data-station="finca-1"] a[data-role="station-chart"]');
      const { params, span, answer } = await nextQuery(view, 0, dashboard.base);
      assert.ok(Math.abs(span - DAY_S) <= 1, `the day asked for: ${span} s`);
      assert.ok(Number(params.get('points')) >= 200);
      await page.waitForSelector('#charts[data-state="ok"]', { timeout: 5_000 });
      assert.equal(await page.evaluate(() => (globalThis as { stayed?: boolean }).stayed), true);

      const address = new URL(page.url()).searchParams;
      assert.deepEqual([address.get('view'), address.get('station')], ['station', 'finca-1']);
      assert.equal(await page.inputValue('#chart-station'), 'finca-1');
      assert.equal(await page.isVisible('#chart-station'), true);
      assert.equal(await page.isHidden('#chart-city'), true);
      assert.equal(
        await page.getAttribute(
          '#stations tr[data-station="finca-1"] a[data-role="station-chart"]',
          'aria-current',
        ),
        'true',
      );
      for (const id of ['chart-temperature', 'chart-humidity']) {
        assert.ok((await paintedPixels(page, `#${id} canvas`)) > 2_000, `#${id} has lines`);
      }
      assert.equal(await page.isHidden('#csv-link'), true);
      const json = new URL((await page.getAttribute('#station-json-link', 'href')) ?? '', dashboard.base);
      assert.equal(json.pathname, '/api/stations/finca-1/readings');

      const shown = await hover(page, 0.5);
      const bucket = answer.buckets.find((b) => Date.parse(b.bucketStart) === shown.at);
      assert.ok(bucket, `the tooltip's bucket ${new Date(shown.at).toISOString()} is one the API sent`);
      assert.ok(bucket.count > 1, 'a bucket of several readings');
      assert.ok(bucket.temperatureMax < 9, "the station's readings, not its city's");
      assert.deepEqual(shown.rows, [
        ['min', formatTemperature(bucket.temperatureMin)],
        ['max', formatTemperature(bucket.temperatureMax)],
        ['average', formatTemperature(bucket.temperatureAvg)],
        ['readings', String(bucket.count)],
      ]);
      await page.mouse.move(1, 1);
      await screenshot(page, 'station-chart-en-1280.png');

      // Back to the city: its own charts, the station dropped from the address.
      const seen = view.chartQueries.length;
      await page.check('input[name="chart-view"][value="city"]');
      await nextQuery(view, seen, dashboard.base);
      await page.waitForSelector('#charts[data-state="ok"]', { timeout: 5_000 });
      assert.equal(new URL(page.url()).searchParams.has('station'), false);
      assert.equal(await page.isVisible('#csv-link'), true);
      assert.deepEqual(view.errors, []);
      assert.deepEqual(view.dialogs, []);
    } finally {
      await view.close();
    }
  });

  it('opens a bookmark of a station, in Spanish, zooms into a span of it and resets', async () => {
    const view = await openPage(browser, 'about:blank', 1280);
    try {
      const { page } = view;
      await page.goto(`${dashboard.base}/?lang=es&station=finca-1`, { waitUntil: 'load' });
      await page.waitForSelector('#charts[data-state="ok"]', { timeout: 5_000 });
      const whole = await nextQuery(view, 0, dashboard.base);
      assert.match(whole.query, /^\/api\/stations\/finca-1\/readings\?/);
      assert.equal(await page.isChecked('input[name="chart-view"][value="station"]'), true);
      assert.equal(await page.textContent('label[for="chart-station"]'), 'Estación');

      const plot = await page.locator('#chart-temperature .u-over').boundingBox();
      assert.ok(plot);
      const seen = view.chartQueries.length;
      await page.mouse.move(plot.x + 0.4 * plot.width, plot.y + plot.height / 2);
      await page.mouse.down();
      await page.mouse.move(plot.x + 0.6 * plot.width, plot.y + plot.height / 2, { steps: 5 });
      await page.mouse.up();
      const zoomed = await nextQuery(view, seen, dashboard.base);
      assert.ok(Math.abs(zoomed.span - 0.2 * DAY_S) < 0.02 * DAY_S, `a fifth of the day: ${zoomed.span} s`);
      assert.ok(zoomed.answer.bucketSeconds < whole.answer.bucketSeconds, 'finer buckets');
      await page.waitForSelector('#charts[data-state="ok"]', { timeout: 5_000 });
      const address = new URL(page.url()).searchParams;
      assert.deepEqual(
        [address.get('station'), address.get('from'), address.get('to')],
        ['finca-1', zoomed.params.get('from'), zoomed.params.get('to')],
      );
      const json = new URL((await page.getAttribute('#station-json-link', 'href')) ?? '', dashboard.base);
      assert.deepEqual(
        [json.searchParams.get('from'), json.searchParams.get('to')],
        [zoomed.params.get('from'), zoomed.params.get('to')],
      );
      const first = zoomed.answer.buckets[0];
      assert.ok(first);
      assert.equal((await hover(page, 0)).at, Date.parse(first.bucketStart));
      await screenshot(page, 'station-chart-zoomed-es-1280.png');

      const beforeReset = view.chartQueries.length;
      await page.click('[data-role="reset-zoom"]');
      const reset = await nextQuery(view, beforeReset, dashboard.base);
      assert.ok(Math.abs(reset.span - DAY_S) <= 1, `the whole day again: ${reset.span} s`);
      assert.deepEqual(view.errors, []);
    } finally {
      await view.close();
    }
  });

  it("adds the station's new readings to its chart as the stream pushes them", async () => {
    const view = await openPage(browser, `${dashboard.base}/?lang=en&station=finca-1&range=1h`, 1280);
    try {
      const { page } = view;
      await page.waitForSelector('#charts[data-state="ok"]', { timeout: 5_000 });
      await page.waitForSelector('body[data-live="stream"]', { timeout: 5_000 });
      const now = Math.floor(Date.now() / 1000) * 1000;
      // The station's reading, then newer ones of another station and of its city, pushed in that
      // order: were they drawn on the station's chart, the newest point would be theirs.
      await dashboard.repository.insertBatch([
        deviceReading('finca-1', 'Bogota', now - 2_000, 12.3),
        deviceReading('finca-2', 'Medellin', now - 1_000, 31.5),
        readingOf('Bogota', now, { temperature: 33.5 }),
      ]);
      await page.waitForFunction(
        () =>
          (
            globalThis as unknown as {
              document: { querySelector(s: string): { textContent: string } | null };
            }
          ).document.querySelector('#latest tr[data-city="Bogota"] [data-field="temperature"]')
            ?.textContent === '33.5 °C',
        undefined,
        { timeout: 3 * INTERVAL_S * 1000 + 2_000 },
      );
      // The chart's newest point, at the plot's right end, is the station's reading, alone in its bucket.
      const newest = await hover(page, 1);
      assert.equal(newest.at, now - 2_000);
      assert.deepEqual(newest.rows, [
        ['min', '12.3 °C'],
        ['max', '12.3 °C'],
        ['average', '12.3 °C'],
        ['readings', '1'],
      ]);
      assert.equal(
        await page.textContent('#stations tr[data-station="finca-1"] [data-field="temperature"]'),
        '12.3 °C',
      );
      assert.deepEqual(view.errors, []);
    } finally {
      await view.close();
    }
  });
});
