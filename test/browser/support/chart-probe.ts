import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';

/** A bucket of a chart's answer, as the tests compare it with the tooltip. */
export interface ApiBucket {
  bucketStart: string;
  temperatureMin: number;
  temperatureMax: number;
  temperatureAvg: number;
  count: number;
}

/** What the tooltip shows: the bucket's time (its `datetime`) and its label-value rows. */
async function tooltip(page: Page, chart: string) {
  const box = page.locator(`${chart} [data-role="tooltip"]`);
  await box.waitFor({ state: 'visible', timeout: 5_000 });
  const at = await box.locator('time').getAttribute('datetime');
  const rows = await box.locator('dt, dd').allTextContents();
  const pairs: [string, string][] = [];
  for (let i = 0; i < rows.length; i += 2) pairs.push([rows[i] ?? '', rows[i + 1] ?? '']);
  return { at: Date.parse(at ?? ''), rows: pairs };
}

/** Hovers the temperature chart at `fraction` of its plot's width (0 and 1 half a pixel inside), halfway down. */
export async function hover(page: Page, fraction: number) {
  const plot = await page.locator('#chart-temperature .u-over').boundingBox();
  assert.ok(plot);
  const x = Math.min(Math.max(fraction * plot.width, 0.5), plot.width - 0.5);
  await page.mouse.move(plot.x + x, plot.y + plot.height / 2);
  return tooltip(page, '#chart-temperature');
}

/** The newest chart query of the page once there are more than `seen`, with the API's answer to it. */
export async function nextQuery(view: { chartQueries: string[] }, seen: number, base: string) {
  const deadline = Date.now() + 5_000;
  while (view.chartQueries.length <= seen) {
    assert.ok(Date.now() < deadline, 'a new chart query was sent');
    await new Promise((resolve) => setImmediate(resolve));
  }
  const query = view.chartQueries.at(-1) as string;
  const params = new URL(query, base).searchParams;
  const span = (Date.parse(params.get('to') ?? '') - Date.parse(params.get('from') ?? '')) / 1000;
  const answer = (await (await fetch(`${base}${query}`)).json()) as {
    bucketSeconds: number;
    buckets: ApiBucket[];
  };
  return { query, params, span, answer };
}
