import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { formatTime } from '../../src/dashboard/page/format.js';
import type { NewReading } from '../../src/db/reading.js';
import {
  BROWSER_CITIES,
  type BrowserDashboard,
  history,
  reading,
  startBrowserDashboard,
} from './support/browser-dashboard.js';
import { chromiumSkip, launchChromium, openPage, screenshot } from './support/chromium.js';

const WIDTHS = [360, 768, 1920];
const ZONE = 'America/Bogota';
const skip = chromiumSkip();

/** What the tests read of a canvas (they compile without the DOM's types). */
interface Rect {
  left: number;
  right: number;
  top: number;
  bottom: number;
  width: number;
}

interface CanvasLike {
  width: number;
  height: number;
  getBoundingClientRect(): Rect;
  closest(selector: string): { getBoundingClientRect(): Rect } | null;
  getContext(
    kind: '2d',
  ): { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } } | null;
}

/**
 * Where a chart's canvas has ink on its outermost two pixels: a tick label cut by the canvas
 * edge leaves its glyphs there, a label that fits leaves nothing. Also the canvas's box and its
 * chart's box, to check the one holds the other.
 */
function edgeInk(page: Page, selector: string) {
  return page.$eval(selector, (element) => {
    const canvas = element as unknown as CanvasLike;
    const data = canvas.getContext('2d')?.getImageData(0, 0, canvas.width, canvas.height).data;
    const inked: string[] = [];
    const { width, height } = canvas;
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const onEdge = x < 2 || y < 2 || x >= width - 2 || y >= height - 2;
        if (onEdge && data && (data[(y * width + x) * 4 + 3] ?? 0) > 0) inked.push(`${x},${y}`);
      }
    }
    return {
      inked,
      // Plain numbers: a DOMRect does not survive the trip out of the page. No helper function
      // here either: the page has none of the names the test's compiler would give it.
      canvas: JSON.parse(JSON.stringify(canvas.getBoundingClientRect())) as Rect,
      chart: JSON.parse(
        JSON.stringify(canvas.closest('.chart')?.getBoundingClientRect() ?? canvas.getBoundingClientRect()),
      ) as Rect,
    };
  });
}

/**
 * The leftmost and rightmost pixel columns painted in the colour `rgb` (a series' stroke), as
 * fractions of the plot area's width (uPlot's `.u-over` covers exactly the plot).
 */
function seriesExtent(page: Page, chartSelector: string, rgb: readonly [number, number, number]) {
  return page.$eval(
    chartSelector,
    (element, colour) => {
      const chart = element as unknown as { querySelector(s: string): unknown };
      const canvas = chart.querySelector('canvas') as CanvasLike;
      const over = chart.querySelector('.u-over') as CanvasLike;
      const data = canvas.getContext('2d')?.getImageData(0, 0, canvas.width, canvas.height).data;
      const scale = canvas.width / canvas.getBoundingClientRect().width;
      const plot = over.getBoundingClientRect();
      const left = (plot.left - canvas.getBoundingClientRect().left) * scale;
      let first = Number.POSITIVE_INFINITY;
      let last = Number.NEGATIVE_INFINITY;
      for (let i = 0; data && i < data.length; i += 4) {
        const near =
          Math.abs((data[i] ?? 0) - colour[0]) < 40 &&
          Math.abs((data[i + 1] ?? 0) - colour[1]) < 40 &&
          Math.abs((data[i + 2] ?? 0) - colour[2]) < 40 &&
          (data[i + 3] ?? 0) > 200;
        if (!near) continue;
        const x = (i / 4) % canvas.width;
        first = Math.min(first, x);
        last = Math.max(last, x);
      }
      const width = plot.width * scale;
      return { from: (first - left) / width, to: (last - left) / width };
    },
    rgb,
  );
}

const TEMPERATURE_RGB = [0xc2, 0x41, 0x0c] as const;

async function assertNoClippedLabels(page: Page, label: string): Promise<void> {
  const canvases = await page.$$eval('.chart-figure:not([hidden]) canvas', (all) => all.length);
  assert.ok(canvases > 0, `${label}: charts drawn`);
  for (let i = 1; i <= canvases; i++) {
    const selector = `.chart-figure:not([hidden]) >> nth=${i - 1} >> canvas`;
    const { inked, canvas, chart } = await edgeInk(page, selector);
    assert.deepEqual(inked.slice(0, 5), [], `${label}, chart ${i}: no label cut at the canvas edge`);
    assert.ok(
      canvas.left >= chart.left && canvas.right <= chart.right + 0.5 && canvas.top >= chart.top,
      `${label}, chart ${i}: the canvas ${JSON.stringify(canvas)} inside its box ${JSON.stringify(chart)}`,
    );
  }
  const legends = await page.$$eval('.chart .u-legend', (all) =>
    all.map((legend) => {
      const l = legend as unknown as { scrollWidth: number; clientWidth: number };
      return l.scrollWidth - l.clientWidth;
    }),
  );
  assert.ok(
    legends.every((overflow) => overflow <= 0),
    `${label}: legends fit (${legends})`,
  );
}

/** Readings a person would find hard to chart: a nearly flat city, one below zero, one at 100 %. */
function awkwardHistory(now: number): NewReading[] {
  const readings: NewReading[] = [];
  for (let i = 2 * 144; i >= 1; i--) {
    const at = now - 5_000 - i * 600_000;
    readings.push(reading('Bogota', at, 17.5 + (i % 7 === 0 ? 0.1 : 0), 62 + (i % 5 === 0 ? 1 : 0)));
    readings.push(reading('Medellin', at, -12.5 + 4 * Math.sin(i / 20), i % 3 === 0 ? 100 : 97));
  }
  const others = BROWSER_CITIES.filter((city) => city.name !== 'Bogota' && city.name !== 'Medellin');
  return [...readings, ...history(others, 2, 600, now - 5_000)];
}

describe('the charts in Chromium, read as a person would', { skip }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'clima-charts-'));
  let browser: Browser;
  let dashboard: BrowserDashboard;

  before(async () => {
    [browser, dashboard] = await Promise.all([
      launchChromium(),
      startBrowserDashboard({ dialect: 'sqlite', path: join(dir, 'clima.db') }, awkwardHistory(Date.now())),
    ]);
  });
  after(async () => {
    await browser?.close();
    await dashboard?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('cuts no tick label at 360, 768 and 1920 px, one city or all', async () => {
    for (const width of WIDTHS) {
      for (const city of ['Bogota', 'Medellin']) {
        const view = await openPage(browser, `${dashboard.base}/?lang=es&city=${city}`, width);
        try {
          await view.page.waitForSelector('#charts[data-state="ok"]', { timeout: 5_000 });
          await assertNoClippedLabels(view.page, `${city} at ${width} px`);
          await view.page.check('input[name="chart-view"][value="compare"]');
          await view.page.waitForSelector('#charts[data-state="ok"] #chart-compare canvas', {
            timeout: 5_000,
          });
          await assertNoClippedLabels(view.page, `every city at ${width} px`);
          assert.deepEqual(view.errors, []);
        } finally {
          await view.close();
        }
      }
    }
  });

  it('scrolls no page sideways at 360 px, tables included', async () => {
    for (const lang of ['en', 'es']) {
      const view = await openPage(browser, `${dashboard.base}/?lang=${lang}`, 360);
      try {
        await view.page.waitForSelector('#charts[data-state="ok"]', { timeout: 5_000 });
        const page = await view.page.evaluate(
          '[document.documentElement.scrollWidth, document.documentElement.clientWidth]',
        );
        const [scrollWidth, clientWidth] = page as [number, number];
        assert.ok(scrollWidth <= clientWidth, `${lang}: the page is ${scrollWidth} px in ${clientWidth}`);
        const tables = await view.page.$$eval('.table-scroll', (all) =>
          all.map((element) => {
            const e = element as unknown as { scrollWidth: number; clientWidth: number };
            return [e.scrollWidth, e.clientWidth];
          }),
        );
        assert.equal(tables.length, 2);
        for (const [scroll, client] of tables)
          assert.ok((scroll ?? 0) <= (client ?? 0), `${lang}: ${tables}`);
      } finally {
        await view.close();
      }
    }
  });

  it('shows the newest values in the legend while nothing is hovered, again once the pointer leaves', async () => {
    for (const width of WIDTHS) {
      const view = await openPage(browser, `${dashboard.base}/?lang=en&city=Medellin`, width);
      try {
        await view.page.waitForSelector('#charts[data-state="ok"]', { timeout: 5_000 });
        const query = view.chartQueries.filter((q) => q.includes('city=Medellin')).at(-1);
        assert.ok(query, 'the chart asked for its buckets');
        const api = (await (await fetch(`${dashboard.base}${query}`)).json()) as {
          buckets: { bucketStart: string; temperatureAvg: number; humidityAvg: number }[];
        };
        const newest = api.buckets.at(-1);
        assert.ok(newest);
        const context = { timeZone: ZONE, now: new Date() };
        assert.deepEqual(await chartLegendValues(view.page, '#chart-temperature'), [
          formatTime(newest.bucketStart, context, 'minutes'),
          `${newest.temperatureAvg.toFixed(1)} °C`,
        ]);
        assert.deepEqual(await chartLegendValues(view.page, '#chart-humidity'), [
          formatTime(newest.bucketStart, context, 'minutes'),
          `${newest.humidityAvg.toFixed(0)} %`,
        ]);
        const idle = await chartLegendValues(view.page, '#chart-temperature');
        const plot = await view.page.locator('#chart-temperature .u-over').boundingBox();
        assert.ok(plot);
        await view.page.mouse.move(plot.x + plot.width / 3, plot.y + plot.height / 2);
        assert.notDeepEqual(await chartLegendValues(view.page, '#chart-temperature'), idle, 'hovered');
        await view.page.mouse.move(1, 1);
        assert.deepEqual(await chartLegendValues(view.page, '#chart-temperature'), idle, 'left again');
      } finally {
        await view.close();
      }
    }
  });
});

/** The legend's values, time first, then the average (the min and max of a band left out). */
async function chartLegendValues(page: Page, chart: string): Promise<string[]> {
  const rows = await page.$$eval(`${chart} .u-legend .u-series`, (all) =>
    all.map((row) => {
      const r = row as unknown as { querySelector(s: string): { textContent: string | null } | null };
      return [r.querySelector('.u-label')?.textContent ?? '', r.querySelector('.u-value')?.textContent ?? ''];
    }),
  );
  return rows.filter(([label]) => !/^(min|max|mín|máx)$/.test(label ?? '')).map(([, value]) => value ?? '');
}

describe('the charts of a fresh install in Chromium', { skip }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'clima-charts-fresh-'));
  let browser: Browser;
  let dashboard: BrowserDashboard;
  // Ten minutes of readings every 15 s, the first half a minute into a minute, so its HH:MM is sure.
  const firstAt = Math.floor(Date.now() / 60_000) * 60_000 - 10 * 60_000 + 30_000;

  before(async () => {
    const seed: NewReading[] = [];
    for (let at = firstAt; at <= Date.now(); at += 15_000) {
      seed.push(reading('Bogota', at, 17.5 + ((at / 15_000) % 4) * 0.1, 70));
      seed.push(reading('Medellin', at, 22.1, 60));
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

  for (const [lang, note] of [
    ['en', 'collecting since {time}'],
    ['es', 'recopilando desde {time}'],
  ] as const) {
    it(`spans the 10 minutes there are across the 24 h chart, "${note}" (${lang})`, async () => {
      const since = formatTime(new Date(firstAt), { timeZone: ZONE, now: new Date() }, 'minutes');
      for (const width of WIDTHS) {
        const view = await openPage(browser, `${dashboard.base}/?lang=${lang}`, width);
        try {
          await view.page.waitForSelector('#charts[data-state="ok"]', { timeout: 5_000 });
          assert.equal(await view.page.isChecked('input[name="chart-range"][value="24h"]'), true);
          assert.equal(
            await view.page.textContent('[data-role="chart-note"]'),
            note.replace('{time}', since),
            `${width} px`,
          );
          const extent = await seriesExtent(view.page, '#chart-temperature', TEMPERATURE_RGB);
          assert.ok(
            extent.from < 0.05 && extent.to > 0.9,
            `${width} px: the line spans ${JSON.stringify(extent)}`,
          );
          await assertNoClippedLabels(view.page, `fresh at ${width} px`);
          await screenshot(view.page, `charts-fresh-${lang}-${width}.png`);
          assert.deepEqual(view.errors, []);
        } finally {
          await view.close();
        }
      }
    });
  }

  it('shows the whole 24 h, the new readings at its end, once older readings exist', async () => {
    const before = Date.now() - 30 * 3_600_000;
    await dashboard.repository.insertBatch([reading('Medellin', before, 21, 61)]);
    const view = await openPage(browser, `${dashboard.base}/?lang=en&city=Medellin`, 1920);
    try {
      await view.page.waitForSelector('#charts[data-state="ok"]', { timeout: 5_000 });
      assert.equal(await view.page.isHidden('[data-role="chart-note"]'), true);
      const extent = await seriesExtent(view.page, '#chart-temperature', TEMPERATURE_RGB);
      assert.ok(extent.from > 0.98, `the 10 minutes at the end of the day: ${JSON.stringify(extent)}`);
    } finally {
      await view.close();
    }
  });
});
