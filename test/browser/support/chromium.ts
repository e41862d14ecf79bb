import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, type ConsoleMessage, chromium, type Page } from 'playwright-core';

/** Debian's Chromium: `.ci/run` installs it; playwright-core drives it without downloading a browser. */
export const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';

const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Where the browser tests leave their screenshots (not committed: test-output/ is ignored). */
export const SCREENSHOTS = new URL('../../../test-output/screenshots/', import.meta.url).pathname;

/**
 * The `skip` option for a browser test: `false` when Chromium is installed, else the reason,
 * printed loudly. With `CI=true` a missing browser is an error: CI installs it, so a skip is a gap.
 */
export function chromiumSkip(): string | false {
  if (existsSync(CHROMIUM)) return false;
  const reason = `${CHROMIUM} not installed: install Debian's chromium to run the browser tests`;
  if (process.env.CI === 'true') throw new Error(`${reason} (CI=true: skipping is not allowed)`);
  console.error(`\n${'!'.repeat(100)}\n!! SKIPPING: ${reason}\n${'!'.repeat(100)}\n`);
  return reason;
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: ARGS, headless: true });
}

/** A page that records console errors, uncaught exceptions and dialogs (none is expected). */
export async function openPage(browser: Browser, url: string, width = 1280) {
  const context = await browser.newContext({ viewport: { width, height: 900 }, acceptDownloads: true });
  const page = await context.newPage();
  const errors: string[] = [];
  const dialogs: string[] = [];
  /**
   * The chart queries the page sent (`/api/readings?...&points=N`, a city's or every city's, and
   * `/api/stations/:name/readings?...&points=N`, a station's), oldest first.
   */
  const chartQueries: string[] = [];
  page.on('request', (request) => {
    const { pathname, search } = new URL(request.url());
    const chart = pathname === '/api/readings' || /^\/api\/stations\/[^/]+\/readings$/.test(pathname);
    if (chart && search.includes('points=')) chartQueries.push(pathname + search);
  });
  page.on('console', (message: ConsoleMessage) => {
    // With the address a failed request was for: "Failed to load resource" alone does not say.
    const { url } = message.location();
    if (message.type() === 'error') errors.push(url ? `${message.text()} (${url})` : message.text());
  });
  page.on('pageerror', (error) => errors.push(String(error)));
  page.on('dialog', async (dialog) => {
    dialogs.push(`${dialog.type()}: ${dialog.message()}`);
    await dialog.dismiss();
  });
  await page.goto(url, { waitUntil: 'load' });
  return { page, errors, dialogs, chartQueries, close: () => context.close() };
}

/** What `paintedPixels` uses of a canvas (the tests compile without the DOM's types). */
interface CanvasLike {
  width: number;
  height: number;
  getContext(
    kind: '2d',
  ): { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } } | null;
}

/** How many of a canvas's pixels are not transparent: a drawn chart has many. */
export function paintedPixels(page: Page, selector: string): Promise<number> {
  return page.$eval(selector, (canvas) => {
    const c = canvas as unknown as CanvasLike;
    const data = c.getContext('2d')?.getImageData(0, 0, c.width, c.height).data;
    if (!data) return 0;
    let painted = 0;
    for (let i = 3; i < data.length; i += 4) if ((data[i] ?? 0) > 0) painted++;
    return painted;
  });
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const path = join(SCREENSHOTS, name);
  await page.screenshot({ path, fullPage: true });
  return path;
}
