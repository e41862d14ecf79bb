import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import {
  BROWSER_CITIES,
  type BrowserDashboard,
  history,
  reading,
  startBrowserDashboard,
  XSS_CITY,
} from './support/browser-dashboard.js';
import { chromiumSkip, launchChromium, openPage, paintedPixels, screenshot } from './support/chromium.js';

const INTERVAL_S = 1;
const skip = chromiumSkip();

/** Clicks the page's CSV link and reads the file it downloads. */
async function download(page: Page) {
  const [file] = await Promise.all([page.waitForEvent('download'), page.click('#csv-link')]);
  const url = new URL(file.url());
  const [header, ...rows] = readFileSync((await file.path()) ?? '', 'utf8')
    .trimEnd()
    .split('\r\n');
  const range = {
    from: new Date(url.searchParams.get('from') ?? ''),
    to: new Date(url.searchParams.get('to') ?? ''),
  };
  return { url, header, rows, range };
}

describe('the dashboard page in Chromium', { skip }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'clima-browser-'));
  let browser: Browser;
  let dashboard: BrowserDashboard;

  before(async () => {
    // Three days every 10 min per city, the newest a few seconds old: 24 h charts are bucketed.
    const now = Date.now();
    const seed = [...history(BROWSER_CITIES, 3, 600, now - 5_000), ...history(BROWSER_CITIES, 0.01, 60, now)];
    [browser, dashboard] = await Promise.all([
      launchChromium(),
      startBrowserDashboard({ dialect: 'sqlite', path: join(dir, 'clima.db') }, seed, INTERVAL_S),
    ]);
  });
  after(async () => {
    await browser?.close();
    await dashboard?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('loads with no console errors and draws every chart', async () => {
    const view = await openPage(browser, `${dashboard.base}/?lang=en`);
    try {
      await view.page.waitForSelector('#charts[data-state="ok"]', { timeout: 5_000 });
      for (const id of ['chart-temperature', 'chart-humidity']) {
        assert.ok((await paintedPixels(view.page, `#${id} canvas`)) > 2_000, `#${id} has lines`);
      }
      const asked = view.chartQueries.length;
      await view.page.check('input[name="chart-view"][value="compare"]');
      await view.page.waitForSelector('#charts[data-state="ok"] #chart-compare canvas', { timeout: 5_000 });
      assert.ok(
        (await paintedPixels(view.page, '#chart-compare canvas')) > 2_000,
        'the compare chart has lines',
      );
      const compareQueries = view.chartQueries.slice(asked);
      assert.equal(compareQueries.length, 1, `one request for every city: ${compareQueries.join(', ')}`);
      assert.doesNotMatch(compareQueries[0] ?? '', /[?&]city=/);
      const legend = await view.page.$$eval('#chart-compare .u-legend th', (cells) =>
        cells.map((c) => c.textContent),
      );
      assert.ok(
        BROWSER_CITIES.every((city) => legend.some((text) => text?.includes(city.name))),
        'every city on one chart',
      );
      assert.deepEqual(view.errors, []);
    } finally {
      await view.close();
    }
  });

  it('shows a reading stored while the page is open within 2 x the interval, without reloading', async () => {
    const view = await openPage(browser, `${dashboard.base}/?lang=en`);
    try {
      await view.page.waitForSelector('#charts[data-state="ok"]', { timeout: 5_000 });
      await view.page.evaluate(() => {
        (globalThis as { loadedOnce?: boolean }).loadedOnce = true;
      });
      await new Promise((resolve) => setTimeout(resolve, 300));
      const storedAt = Date.now();
      const [stored] = await dashboard.repository
        .insertBatch([reading('Medellin', storedAt, 31.4, 42)])
        .then(() => dashboard.repository.latestReadings(1));
      assert.ok(stored);
      await view.page.waitForSelector(`#recent tr[data-id="${stored.id}"]`, {
        timeout: 2 * INTERVAL_S * 1000,
      });
      assert.ok(Date.now() - storedAt <= 2 * INTERVAL_S * 1000 + 200);
      const temperature = await view.page.textContent(
        '#latest tr[data-city="Medellin"] [data-field="temperature"]',
      );
      assert.equal(temperature, '31.4 °C');
      assert.equal(
        await view.page.evaluate(() => (globalThis as { loadedOnce?: boolean }).loadedOnce),
        true,
        'the same page, not reloaded',
      );
      assert.deepEqual(view.errors, []);
    } finally {
      await view.close();
    }
  });

  it('polls /api/latest every interval while the stream is unavailable', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    try {
      await page.route('**/api/stream', (route) => route.fulfill({ status: 503, body: 'unavailable' }));
      const asked: string[] = [];
      page.on('request', (request) => asked.push(new URL(request.url()).pathname));
      await page.goto(`${dashboard.base}/?lang=en`);
      await page.waitForSelector('#charts[data-state="ok"]', { timeout: 5_000 });
      const storedAt = Date.now();
      await dashboard.repository.insertBatch([reading('Cartagena', storedAt, 33.3, 70)]);
      // A selector, not a function: the page's CSP forbids evaluating strings.
      await page.waitForSelector(
        '#latest tr[data-city="Cartagena"] [data-field="temperature"]:text-is("33.3 °C")',
        {
          timeout: 2 * INTERVAL_S * 1000 + 500,
        },
      );
      assert.ok(asked.includes('/api/latest'), 'polled');
      assert.ok(asked.includes('/api/stream'), 'tried the stream first');
    } finally {
      await context.close();
    }
  });

  it('downloads the raw readings of the range up to the click, and every city in the all-cities view', async () => {
    const view = await openPage(browser, `${dashboard.base}/?lang=en`);
    try {
      await view.page.check('input[name="chart-range"][value="1h"]');
      await view.page.waitForSelector('#charts[data-state="ok"]', { timeout: 5_000 });
      // Stored after the page and its charts loaded: only a CSV ending at the click holds it.
      await dashboard.repository.insertBatch([reading('Bogota', Date.now(), -7.5, 12)]);
      const oneCity = await download(view.page);
      assert.deepEqual([...oneCity.url.searchParams.keys()], ['city', 'from', 'to']);
      assert.equal(oneCity.header, 'id,city,temperature,humidity,takenAt,observedAt,source');
      const expected = await dashboard.repository.readingsInRange({
        city: 'Bogota',
        ...oneCity.range,
        limit: 1000,
      });
      assert.ok(expected.length > 10, `${expected.length} readings in the hour`);
      assert.deepEqual(
        oneCity.rows,
        expected.map((r) =>
          [r.id, r.city, r.temperature, r.humidity, r.takenAt, r.observedAt, r.source].join(','),
        ),
      );
      assert.match(
        oneCity.rows[0] ?? '',
        /^\d+,Bogota,-7\.5,12,/,
        'the reading stored just before the click',
      );

      await view.page.check('input[name="chart-view"][value="compare"]');
      await view.page.waitForSelector('#charts[data-state="ok"] #chart-compare canvas', { timeout: 5_000 });
      const every = await download(view.page);
      assert.deepEqual([...every.url.searchParams.keys()], ['from', 'to']);
      for (const city of BROWSER_CITIES) {
        const stored = await dashboard.repository.readingsInRange({
          city: city.name,
          ...every.range,
          limit: 1000,
        });
        const rows = every.rows.filter((row) => row.split(',')[1] === city.name);
        assert.equal(rows.length, stored.length, city.name);
        assert.ok(rows.length > 10, city.name);
      }
      assert.deepEqual(view.errors, []);
    } finally {
      await view.close();
    }
  });

  it('keeps the city, the range and the view in the address across a language switch and a reload', async () => {
    const view = await openPage(browser, `${dashboard.base}/?lang=en&utm_source=newsletter`);
    try {
      await view.page.waitForSelector('#charts[data-state="ok"]', { timeout: 5_000 });
      await view.page.selectOption('#chart-city', 'Medellin');
      await view.page.check('input[name="chart-range"][value="7d"]');
      await view.page.check('input[name="chart-view"][value="compare"]');
      await view.page.waitForSelector('#charts[data-state="ok"] #chart-compare canvas', { timeout: 5_000 });
      assert.equal(new URL(view.page.url()).search, '?lang=en&city=Medellin&range=7d&view=compare');

      const shown = async (lang: string) => {
        await view.page.waitForSelector('#charts[data-state="ok"] #chart-compare canvas', { timeout: 5_000 });
        assert.equal(new URL(view.page.url()).search, `?lang=${lang}&city=Medellin&range=7d&view=compare`);
        assert.equal(await view.page.getAttribute('html', 'lang'), lang);
        assert.equal(await view.page.inputValue('#chart-city'), 'Medellin');
        assert.equal(await view.page.isChecked('input[name="chart-range"][value="7d"]'), true);
        assert.equal(await view.page.isChecked('input[name="chart-view"][value="compare"]'), true);
        assert.equal(await view.page.isVisible('#chart-compare'), true);
        assert.equal(await view.page.isVisible('#chart-temperature'), false);
      };
      await Promise.all([view.page.waitForURL(/lang=es/), view.page.click('.lang-switch a[hreflang="es"]')]);
      await shown('es');
      await view.page.reload();
      await shown('es');
      await Promise.all([view.page.waitForURL(/lang=en/), view.page.click('.lang-switch a[hreflang="en"]')]);
      await shown('en');
      assert.deepEqual(view.errors, []);
    } finally {
      await view.close();
    }
  });

  it('shows the city <img src=x onerror=alert(1)> as text and runs nothing', async () => {
    const view = await openPage(browser, `${dashboard.base}/?lang=en&city=${encodeURIComponent(XSS_CITY)}`);
    try {
      await view.page.waitForSelector('#charts[data-state="ok"]', { timeout: 5_000 });
      await view.page.check('input[name="chart-view"][value="compare"]');
      await view.page.waitForSelector('#charts[data-state="ok"] #chart-compare canvas', { timeout: 5_000 });
      await view.page.waitForTimeout(2 * INTERVAL_S * 1000);
      assert.equal(await view.page.locator('img').count(), 0, 'no <img> element anywhere');
      const texts = await view.page.locator(`text=${XSS_CITY}`).count();
      assert.ok(texts >= 4, `shown as text ${texts} times`);
      assert.deepEqual(view.dialogs, []);
      assert.deepEqual(view.errors, []);
    } finally {
      await view.close();
    }
  });

  it('fits a 360 px phone and a 1280 px screen (screenshots in test-output/screenshots)', async () => {
    for (const width of [1280, 360]) {
      const view = await openPage(browser, `${dashboard.base}/?lang=es`, width);
      try {
        await view.page.waitForSelector('#charts[data-state="ok"]', { timeout: 5_000 });
        const scrollWidth = Number(await view.page.evaluate('document.documentElement.scrollWidth'));
        assert.ok(scrollWidth <= width, `no sideways scrolling at ${width} px (${scrollWidth} px)`);
        await screenshot(view.page, `dashboard-${width}.png`);
        assert.deepEqual(view.errors, []);
      } finally {
        await view.close();
      }
    }
  });

  it('can be driven by keyboard alone: tab to the range, pick 1 h with the arrow keys', async () => {
    const view = await openPage(browser, `${dashboard.base}/?lang=en`);
    try {
      await view.page.waitForSelector('#charts[data-state="ok"]', { timeout: 5_000 });
      await view.page.focus('#chart-city');
      await view.page.keyboard.press('Tab');
      assert.equal(await view.page.evaluate('document.activeElement?.value'), '24h');
      await view.page.keyboard.press('ArrowLeft');
      await view.page.waitForSelector('#charts[data-state="ok"]', { timeout: 5_000 });
      assert.match((await view.page.getAttribute('#csv-link', 'href')) ?? '', /city=Bogota/);
      assert.equal(await view.page.isChecked('input[name="chart-range"][value="1h"]'), true);
    } finally {
      await view.close();
    }
  });
});
