import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { formatTemperature } from '../../src/dashboard/page/format.js';
import type { NewReading } from '../../src/db/reading.js';
import { type BrowserDashboard, reading, startBrowserDashboard } from './support/browser-dashboard.js';
import { hover, nextQuery } from './support/chart-probe.js';
import { chromiumSkip, launchChromium, openPage, screenshot } from './support/chromium.js';

const DAY_S = 86_400;
const skip = chromiumSkip();

describe('zooming into a chart in Chromium', { skip }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'clima-zoom-'));
  let browser: Browser;
  let dashboard: BrowserDashboard;

  before(async () => {
    // A day of Bogota every 15 s, a different temperature each time: buckets of several readings.
    const now = Date.now();
    const seed: NewReading[] = [];
    for (let at = now - DAY_S * 1000; at <= now - 5_000; at += 15_000) {
      seed.push(reading('Bogota', at, 15 + ((at / 15_000) % 37) * 0.1, 70));
    }
    [browser, dashboard] = await Promise.all([
      launchChromium(),
      startBrowserDashboard({ dialect: 'sqlite', path: join(dir, 'clima.db') }, seed),
    ]);
  });
  after(async () => {
    await browser?.close();
    await dashboard?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("shows the bucket under the pointer, its min, max, average and count as the API's", async () => {
    const view = await openPage(browser, `${dashboard.base}/?lang=en&city=Bogota&range=24h`, 1280);
    try {
      await view.page.waitForSelector('#charts[data-state="ok"]', { timeout: 5_000 });
      const { answer } = await nextQuery(view, 0, dashboard.base);
      const shown = await hover(view.page, 0.5);
      const bucket = answer.buckets.find((b) => Date.parse(b.bucketStart) === shown.at);
      assert.ok(bucket, `the tooltip's bucket ${new Date(shown.at).toISOString()} is one the API sent`);
      assert.ok(bucket.count > 1, 'a bucket of several readings');
      assert.deepEqual(shown.rows, [
        ['min', formatTemperature(bucket.temperatureMin)],
        ['max', formatTemperature(bucket.temperatureMax)],
        ['average', formatTemperature(bucket.temperatureAvg)],
        ['readings', String(bucket.count)],
      ]);
      await view.page.mouse.move(1, 1);
      assert.equal(await view.page.isHidden('#chart-temperature [data-role="tooltip"]'), true);
      assert.deepEqual(view.errors, []);
    } finally {
      await view.close();
    }
  });

  it('asks for the span dragged across in finer buckets, draws only it, and resets to the range', async () => {
    const view = await openPage(browser, `${dashboard.base}/?lang=es&city=Bogota&range=24h`, 1280);
    try {
      const { page } = view;
      await page.waitForSelector('#charts[data-state="ok"]', { timeout: 5_000 });
      const whole = await nextQuery(view, 0, dashboard.base);
      assert.equal(await page.isHidden('[data-role="reset-zoom"]'), true, 'no reset before a zoom');
      const firstOfDay = await hover(page, 0);

      const plot = await page.locator('#chart-temperature .u-over').boundingBox();
      assert.ok(plot);
      const seen = view.chartQueries.length;
      await page.mouse.move(plot.x + 0.4 * plot.width, plot.y + plot.height / 2);
      await page.mouse.down();
      await page.mouse.move(plot.x + 0.6 * plot.width, plot.y + plot.height / 2, { steps: 5 });
      await page.mouse.up();
      const zoomed = await nextQuery(view, seen, dashboard.base);
      assert.match(zoomed.query, /city=Bogota/);
      assert.ok(
        Math.abs(zoomed.span - 0.2 * DAY_S) < 0.02 * DAY_S,
        `a fifth of the day asked for: ${zoomed.span} s`,
      );
      assert.ok(
        zoomed.answer.bucketSeconds < whole.answer.bucketSeconds,
        `finer buckets: ${zoomed.answer.bucketSeconds} s, not ${whole.answer.bucketSeconds} s`,
      );
      await page.waitForSelector('#charts[data-state="ok"]', { timeout: 5_000 });
      assert.equal(await page.textContent('[data-role="reset-zoom"]'), 'Quitar el zoom');

      // The plot now runs from the first bucket of the span to its last.
      const [first, last] = [zoomed.answer.buckets[0], zoomed.answer.buckets.at(-1)];
      assert.ok(first && last);
      assert.equal((await hover(page, 0)).at, Date.parse(first.bucketStart));
      assert.equal((await hover(page, 1)).at, Date.parse(last.bucketStart));
      await hover(page, 0.5);
      await screenshot(page, 'charts-zoomed-es-1280.png');
      const address = new URL(page.url()).searchParams;
      assert.deepEqual(
        [address.get('from'), address.get('to')],
        [zoomed.params.get('from'), zoomed.params.get('to')],
        'the zoom in the address',
      );
      const csv = new URL((await page.getAttribute('#csv-link', 'href')) ?? '', dashboard.base).searchParams;
      assert.deepEqual(
        [csv.get('from'), csv.get('to')],
        [zoomed.params.get('from'), zoomed.params.get('to')],
      );

      const beforeReset = view.chartQueries.length;
      await page.click('[data-role="reset-zoom"]');
      const reset = await nextQuery(view, beforeReset, dashboard.base);
      assert.ok(Math.abs(reset.span - DAY_S) <= 1, `the whole day again: ${reset.span} s`);
      await page.waitForSelector('#charts[data-state="ok"]', { timeout: 5_000 });
      assert.equal(await page.isHidden('[data-role="reset-zoom"]'), true);
      const firstAgain = await hover(page, 0);
      assert.ok(Math.abs(firstAgain.at - firstOfDay.at) < 120_000, 'the plot starts a day ago again');
      assert.equal(new URL(page.url()).searchParams.has('from'), false);
      assert.deepEqual(view.errors, []);
    } finally {
      await view.close();
    }
  });

  it('keeps the zoom across a reload', async () => {
    const to = new Date(Math.floor(Date.now() / 1000) * 1000 - 3_600_000);
    const from = new Date(to.getTime() - 1_800_000);
    const iso = (d: Date) => `${d.toISOString().slice(0, 19)}Z`;
    const view = await openPage(
      browser,
      `${dashboard.base}/?lang=en&city=Bogota&range=24h&view=city&from=${iso(from)}&to=${iso(to)}`,
      1280,
    );
    try {
      await view.page.waitForSelector('#charts[data-state="ok"]', { timeout: 5_000 });
      const { params } = await nextQuery(view, 0, dashboard.base);
      assert.deepEqual([params.get('from'), params.get('to')], [iso(from), iso(to)]);
      assert.equal(await view.page.textContent('[data-role="reset-zoom"]'), 'Reset zoom');
      const shown = await hover(view.page, 0.5);
      assert.ok(shown.at >= from.getTime() && shown.at <= to.getTime(), 'a bucket inside the zoom');
      const left = await hover(view.page, 0);
      assert.ok(left.at - from.getTime() < 60_000, 'the plot starts where the zoom does');
    } finally {
      await view.close();
    }
  });
});
